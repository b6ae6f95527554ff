"""Importing an event's registrations from an Excel sheet: check every row, then import the valid ones."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.audit import services as audit
from compete.columns import utcnow
from compete.competitions.models import Event
from compete.errors import InvalidInput
from compete.extensions import db
from compete.people.models import Gender, Person, Unit, UnitKind
from compete.people.services import ID_NUMBER_ERRORS
from compete.registration.models import Registration, RegistrationSource, RegistrationStatus
from compete.registration.services import ACTIVE
from compete.registration.spreadsheet import COLUMNS, SheetUnreadable, estimated_rows, read_registration_sheet
from compete.rules import grades, idcard

TITLES = {column.key: column.title_zh for column in COLUMNS}
# SQLite allows 999 parameters in one statement: look rows up in chunks below that.
LOOKUP_CHUNK = 900
# Sheets larger than this are checked and imported by a background job with a progress bar.
BACKGROUND_ROWS = 300
UPLOAD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# progress(phase, done, total): done is None while the step cannot be counted.
ProgressReport = Callable[..., None]


def _no_progress(phase: str, done: int | None, total: int, *, force: bool = False) -> None:
    pass


def upload_path(event: Event, token: str) -> Path | None:
    """Where a checked upload waits for its commit: named by an unguessable token, never by the user."""
    if not UPLOAD_TOKEN.match(token or ""):
        return None
    folder = Path(current_app.config["STORAGE_FOLDER"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"event-{event.id}-{token}.xlsx"


def runs_in_background(path: Path) -> bool:
    rows = estimated_rows(path)
    return rows is not None and rows > BACKGROUND_ROWS


def grade_from_text(text: str) -> str | None:
    """The grade code for what people write in a sheet: 高级工, 三级, 三级/高级工, 高级工(三级), 无."""
    cleaned = text.replace("（", "(").replace("）", ")").replace(" ", "")
    if cleaned in ("", "无", "没有", "暂无", "none"):
        return grades.NO_GRADE
    for part in (cleaned, *cleaned.replace(")", "").replace("(", "/").split("/")):
        for grade in grades.LADDER:
            if part in (grade.code, grade.name_zh, grade.national_level, f"国家职业资格{grade.national_level}"):
                return grade.code
    return None


@dataclass
class PlannedRow:
    row: int
    name: str
    card: idcard.IdCard
    phone: str
    unit_name: str
    grade: str
    person: Person | None = None


@dataclass
class ImportCheck:
    planned: list[PlannedRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def refuse(self, row: int, column_key: str, message) -> None:
        self.errors.append({"row": row, "column": TITLES[column_key], "message": str(message)})

    def report(self) -> dict:
        """What the organizer sees before committing, as plain data (a job stores it as JSON)."""
        return {"importable": len(self.planned), "errors": self.errors}


def check_import(
    event: Event, source, *, max_rows: int = 20_000, progress: ProgressReport = _no_progress
) -> ImportCheck:
    """Every row checked against the file, the registry and the event; nothing is written."""
    progress("reading", None, 0)
    try:
        reading = read_registration_sheet(source, max_rows=max_rows)
    except SheetUnreadable as error:
        raise InvalidInput(error.message, "file") from error
    result = ImportCheck()
    result.errors = [{"row": e.row, "column": e.column, "message": str(e.message)} for e in reading.errors]
    rows_with_file_errors = {e.row for e in reading.errors}
    candidates = [_plan_row(result, row) for row in reading.rows if row.row not in rows_with_file_errors]
    candidates = [planned for planned in candidates if planned is not None]
    known = _persons_by_id_number([planned.card.number for planned in candidates])
    registered = _active_registrations(event, [person.id for person in known.values()])
    for done, planned in enumerate(candidates):
        progress("checking", done, len(candidates))
        person = known.get(planned.card.number)
        if person is not None and person.name != planned.name:
            result.refuse(
                planned.row, "name", _l("The registry holds this ID number under the name %(name)s.", name=person.name)
            )
        elif person is not None and person.id in registered:
            result.refuse(planned.row, "id_number", _l("Already registered for this event."))
        else:
            planned.person = person
            result.planned.append(planned)
    result.errors.sort(key=lambda error: error["row"])
    return result


def _plan_row(result: ImportCheck, sheet_row) -> PlannedRow | None:
    values = sheet_row.values
    try:
        card = idcard.parse(values["id_number"])
    except idcard.InvalidIdNumber as error:
        result.refuse(sheet_row.row, "id_number", ID_NUMBER_ERRORS[error.reason])
        return None
    grade = grade_from_text(values.get("grade", ""))
    if grade is None:
        result.refuse(sheet_row.row, "grade", _l("Unknown grade: write e.g. 高级工 or 三级, or leave it empty."))
        return None
    return PlannedRow(sheet_row.row, values["name"], card, values.get("phone", ""), values.get("unit", ""), grade)


def _persons_by_id_number(numbers: list[str]) -> dict[str, Person]:
    found = {}
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[start : start + LOOKUP_CHUNK]
        found.update((p.id_number, p) for p in db.session.scalars(select(Person).where(Person.id_number.in_(chunk))))
    return found


def _active_registrations(event: Event, person_ids: list[int]) -> set[int]:
    active = set()
    for start in range(0, len(person_ids), LOOKUP_CHUNK):
        chunk = person_ids[start : start + LOOKUP_CHUNK]
        active.update(
            db.session.scalars(
                select(Registration.person_id).where(
                    Registration.event_id == event.id,
                    Registration.person_id.in_(chunk),
                    Registration.status.in_(ACTIVE),
                )
            )
        )
    return active


def import_registrations(
    actor, event: Event, check: ImportCheck, *, file_name: str = "", progress: ProgressReport = _no_progress
) -> int:
    """Register every planned row (new persons and units added); one audit entry names the file."""
    # Counted steps stop here: on SQLite the flush below holds the only write lock until the commit.
    progress("saving", None, len(check.planned), force=True)
    units = {unit.name: unit for unit in db.session.scalars(select(Unit))}
    # A withdrawn or rejected entry is submitted again rather than duplicated.
    earlier = {
        r.person_id: r for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id))
    }
    now = utcnow()
    for planned in check.planned:
        unit = _unit_named(units, planned.unit_name)
        person = planned.person or _new_person(planned, unit)
        registration = earlier.get(person.id) or Registration(event=event, person=person)
        registration.status = RegistrationStatus.SUBMITTED
        registration.source = RegistrationSource.IMPORT
        registration.unit = unit or person.unit
        registration.submitted_by = actor
        registration.submitted_at = now
        registration.rejection_reason = registration.override_reason = None
        db.session.add(registration)
    db.session.flush()
    audit.record(
        actor,
        "registration.import",
        event,
        competition_id=event.competition_id,
        after={
            "event": event.code,
            "file": file_name,
            "imported": len(check.planned),
            "rows": [planned.row for planned in check.planned],
        },
    )
    return len(check.planned)


def _unit_named(units: dict[str, Unit], name: str) -> Unit | None:
    if not name:
        return None
    if name not in units:
        school = name.endswith(("学校", "学院", "大学", "中学", "中专", "技校"))
        units[name] = Unit(name=name[:200], kind=UnitKind.SCHOOL if school else UnitKind.EMPLOYER)
        db.session.add(units[name])
    return units[name]


def _new_person(planned: PlannedRow, unit: Unit | None) -> Person:
    person = Person(
        name=planned.name[:100],
        id_number=planned.card.number,
        gender=Gender(planned.card.gender),
        birth_date=planned.card.birth_date,
        phone=planned.phone[:32] or None,
        unit=unit,
        grade=planned.grade,
    )
    db.session.add(person)
    return person


def error_workbook(errors: list[dict]) -> bytes:
    """The row errors as a sheet the organizer can work through beside the original file."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_l("Errors"))[:31]
    sheet.append([str(_l("Row")), str(_l("Column")), str(_l("Problem"))])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for error in errors:
        sheet.append([error["row"], error["column"], error["message"]])
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 8, 18
    sheet.column_dimensions["C"].width = 80
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
