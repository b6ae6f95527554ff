"""Entering marks (versioned, idempotent, never silently overwritten), submitting sheets, locking an event."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from compete.audit import services as audit
from compete.columns import utcnow
from compete.competitions.models import Criterion, Event
from compete.errors import Conflict, InvalidInput, NotAllowed, NotFound
from compete.extensions import db
from compete.results.services import is_final
from compete.rules import scoring
from compete.scoring.models import EntryScore, Mark, MarkSheet, MarkVersion
from compete.venue import judging
from compete.venue import services as venue
from compete.venue.models import Entry, EventDay, Judge, StationJudge

CHANGED_MEANWHILE = _l("This mark was changed meanwhile. Check it and enter yours again.")
MARK_PROBLEMS = {
    "not_a_number": _l("Enter a number."),
    "negative": _l("A mark cannot be below 0."),
    "above_max": _l("The mark is above this criterion's maximum."),
    "off_step": _l("The mark must be a multiple of this criterion's step."),
    "not_a_score": _l("A judgement score is 0, 1, 2 or 3."),
}


@dataclass(frozen=True)
class SavedMark:
    """What the tablet needs back: the stored value and its version (for the next change)."""

    criterion_id: int
    station_number: int
    value: Decimal
    version: int
    replayed: bool = False


def parse_value(text) -> Decimal:
    try:
        value = Decimal(str(text).strip().replace("，", ".").replace("。", "."))
    except (InvalidOperation, ValueError):
        raise InvalidInput(MARK_PROBLEMS["not_a_number"], "value") from None
    if not value.is_finite():
        raise InvalidInput(MARK_PROBLEMS["not_a_number"], "value")
    return value


def _check_value(criterion: Criterion, value: Decimal) -> None:
    problem = scoring.mark_problem(str(criterion.kind), criterion.max_mark, criterion.step, value)
    if problem is not None:
        raise InvalidInput(MARK_PROBLEMS[problem], "value")


def sheet_of(judge: Judge, event: Event, station: int) -> MarkSheet | None:
    return db.session.scalar(
        select(MarkSheet).where(
            MarkSheet.event_id == event.id, MarkSheet.station_number == station, MarkSheet.judge_id == judge.id
        )
    )


@dataclass(frozen=True)
class _MarkState:
    """Everything a mark's entry is checked against, read in one query (this runs for every mark of every tablet)."""

    criterion: Criterion
    mark: Mark | None
    assigned: bool
    submitted: bool
    locked: bool
    started: bool
    earlier: tuple | None  # (judge, station, criterion, value, version) of the change already stored under the key


@cache
def _mark_state_query():
    """Built once with bound parameters: building this select anew cost more CPU than running it."""
    stored_under_key = aliased(Mark)
    station, judge_id = bindparam("station"), bindparam("judge_id")
    return (
        select(
            Criterion,
            Mark,
            StationJudge.id,
            MarkSheet.submitted_at,
            EventDay.marks_locked_at,
            EventDay.marking_started_at,
            stored_under_key.judge_id,
            stored_under_key.station_number,
            stored_under_key.criterion_id,
            MarkVersion.value,
            MarkVersion.version,
        )
        .select_from(Criterion)
        .outerjoin(
            StationJudge,
            (StationJudge.event_id == Criterion.event_id)
            & (StationJudge.station_number == station)
            & (StationJudge.judge_id == judge_id),
        )
        .outerjoin(
            MarkSheet,
            (MarkSheet.event_id == Criterion.event_id)
            & (MarkSheet.station_number == station)
            & (MarkSheet.judge_id == judge_id),
        )
        .outerjoin(EventDay, EventDay.event_id == Criterion.event_id)
        .outerjoin(
            Mark,
            (Mark.event_id == Criterion.event_id)
            & (Mark.station_number == station)
            & (Mark.criterion_id == Criterion.id)
            & (Mark.judge_id == judge_id),
        )
        .outerjoin(MarkVersion, MarkVersion.idempotency_key == bindparam("key"))
        .outerjoin(stored_under_key, stored_under_key.id == MarkVersion.mark_id)
        .where(Criterion.id == bindparam("criterion_id"), Criterion.event_id == bindparam("event_id"))
    )


def _mark_state(judge: Judge, event: Event, station: int, criterion_id: int, key: str) -> _MarkState:
    parameters = {"station": station, "judge_id": judge.id, "key": key, "criterion_id": criterion_id}
    row = db.session.execute(_mark_state_query(), {**parameters, "event_id": event.id}).first()
    if row is None:
        raise NotFound(_l("This criterion is not in the event's marking scheme."), "criterion")
    criterion, mark, assigned, submitted_at, locked_at, started_at, *earlier = row
    return _MarkState(
        criterion,
        mark,
        assigned is not None,
        submitted_at is not None,
        locked_at is not None,
        started_at is not None,
        tuple(earlier) if earlier[-1] is not None else None,
    )


def _replayed(state: _MarkState, judge: Judge, station: int, value: Decimal) -> SavedMark | None:
    """The change this key already stored, if any: the same change again is answered, a different one refused."""
    if state.earlier is None:
        return None
    *stored_for, stored_value, stored_version = state.earlier
    if (*stored_for, stored_value) != (judge.id, station, state.criterion.id, value):
        raise Conflict(_l("This change was already sent with a different value; enter the mark again."), "key")
    return SavedMark(state.criterion.id, station, stored_value, stored_version, replayed=True)


def _check_can_mark(state: _MarkState, station: int) -> None:
    if not state.assigned:
        raise NotAllowed(_l("Station %(station)s is not assigned to you.", station=station), "station")
    if state.locked:
        raise Conflict(_l("The marks of this event are locked."))
    if state.submitted:
        raise Conflict(_l("You submitted station %(station)s: only the chief judge can reopen it.", station=station))


def submit_mark(
    judge: Judge,
    event: Event,
    station: int,
    criterion_id: int,
    value: Decimal,
    *,
    base_version: int,
    idempotency_key: str,
    device: str = "",
) -> SavedMark:
    """Store a judge's mark as a new version; `base_version` is the version the tablet changed (0 for none)."""
    state = _mark_state(judge, event, station, criterion_id, idempotency_key)
    if not idempotency_key or len(idempotency_key) > 64:
        raise InvalidInput(_l("Every change needs its own key of at most 64 characters."), "key")
    replayed = _replayed(state, judge, station, value)
    if replayed is not None:
        return replayed
    _check_can_mark(state, station)
    _check_value(state.criterion, value)
    current = state.mark.version if state.mark is not None else 0
    if base_version != current:
        # Two tablets of one judge changed the same mark: the later one must see the other's value first.
        raise Conflict(
            _l(
                "This mark was changed meanwhile (now %(value)s). Check it and enter yours again.",
                value=state.mark.value if state.mark is not None else "-",
            ),
            "version",
        )
    mark = state.mark
    saved = _store(
        _Change(
            event.id,
            station,
            criterion_id,
            judge.id,
            mark_id=mark.id if mark is not None else None,
            read_version=current,
            value=value,
            actor_id=judge.user_id,
            key=idempotency_key,
            device=device or "",
        )
    )
    if mark is not None:
        db.session.expire(mark)
    if not state.started:
        _mark_marking_started(event)
    return saved


@dataclass(frozen=True)
class _Change:
    """A new value for one mark, and the version it replaces (mark_id None: the mark does not exist yet)."""

    event_id: int
    station: int
    criterion_id: int
    judge_id: int
    mark_id: int | None
    read_version: int
    value: Decimal
    actor_id: int
    key: str | None
    device: str = ""
    reason: str | None = None
    witness_id: int | None = None


_MARKS, _VERSIONS = Mark.__table__, MarkVersion.__table__
_NEW_MARK = _MARKS.insert().returning(_MARKS.c.id)
# The mark changes only if nobody changed it since it was read: a compare-and-set on its version.
_CHANGE_MARK = (
    _MARKS.update()
    .where(_MARKS.c.id == bindparam("mark_id"), _MARKS.c.version == bindparam("read_version"))
    .values(value=bindparam("value"), version=bindparam("version"), updated_at=bindparam("updated_at"))
)
_NEW_VERSION = _VERSIONS.insert()


def _store(change: _Change) -> SavedMark:
    """Write the new version with plain, prepared statements; the database judges any race by its keys.

    The ORM's unit of work cost as much CPU as the rest of the request, and this runs for every mark.
    Callers holding the Mark object expire it: its row changed beneath the session.
    """
    now, connection, version = utcnow(), db.session.connection(), change.read_version + 1
    try:
        mark_id = change.mark_id
        if mark_id is None:
            row = {"event_id": change.event_id, "station_number": change.station, "judge_id": change.judge_id}
            row |= {"criterion_id": change.criterion_id, "value": change.value, "version": 1, "updated_at": now}
            mark_id = connection.execute(_NEW_MARK, row).scalar_one()
        else:
            row = {"mark_id": mark_id, "read_version": change.read_version, "version": version}
            if connection.execute(_CHANGE_MARK, row | {"value": change.value, "updated_at": now}).rowcount != 1:
                raise Conflict(CHANGED_MEANWHILE, "version")
        connection.execute(
            _NEW_VERSION,
            {
                "mark_id": mark_id,
                "version": version,
                "value": change.value,
                "actor_id": change.actor_id,
                "device": change.device[:120],
                "reason": change.reason,
                "idempotency_key": change.key,
                "witness_id": change.witness_id,
                "created_at": now,
            },
        )
    except IntegrityError:
        # Another request stored this mark or this key between our read and our write; the caller rolls back.
        raise Conflict(CHANGED_MEANWHILE, "version") from None
    return SavedMark(change.criterion_id, change.station, change.value, version)


def _mark_marking_started(event: Event) -> None:
    """From the first mark on, the draw and the panel are fixed (venue services refuse to change them)."""
    db.session.execute(
        update(EventDay)
        .where(EventDay.event_id == event.id, EventDay.marking_started_at.is_(None))
        .values(marking_started_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )


def marks_of(judge: Judge, event: Event, station: int) -> dict[int, Mark]:
    rows = db.session.scalars(
        select(Mark).where(Mark.event_id == event.id, Mark.station_number == station, Mark.judge_id == judge.id)
    )
    return {mark.criterion_id: mark for mark in rows}


def submit_sheet(judge: Judge, event: Event, station: int) -> MarkSheet:
    """The judge has finished the station: every criterion marked, then no more changes from the tablet."""
    if station not in judging.stations_of(judge, event):
        raise NotAllowed(_l("Station %(station)s is not assigned to you.", station=station), "station")
    missing = [c.code for c in event.criteria if c.id not in marks_of(judge, event, station)]
    if missing:
        raise InvalidInput(_l("Still to mark: %(codes)s.", codes=", ".join(missing)))
    sheet = sheet_of(judge, event, station) or MarkSheet(event_id=event.id, station_number=station, judge=judge)
    if sheet.submitted_at is not None:
        raise Conflict(_l("Station %(station)s is already submitted.", station=station))
    sheet.submitted_at = utcnow()
    db.session.add(sheet)
    audit.record(
        judge.user,
        "scoring.submit_sheet",
        event,
        competition_id=event.competition_id,
        after={"station": station, "judge": judge.id},
    )
    return sheet


def reopen_sheet(chief, event: Event, station: int, judge: Judge, reason: str) -> None:
    """Ask a judge to mark a station again (a discrepancy, a missed criterion)."""
    if venue.event_day(event).marks_locked_at is not None:
        raise Conflict(_l("The marks of this event are locked."))
    sheet = sheet_of(judge, event, station)
    if sheet is None or sheet.submitted_at is None:
        raise Conflict(_l("That station is not submitted: the judge can still change it."))
    if not reason.strip():
        raise InvalidInput(_l("Say why the station is reopened."), "reason")
    sheet.submitted_at, sheet.reopened_at, sheet.reopen_reason = None, utcnow(), reason.strip()
    audit.record(
        chief,
        "scoring.reopen_sheet",
        event,
        competition_id=event.competition_id,
        after={"station": station, "judge": judge.id, "reason": reason.strip()},
    )


def submitted_sheets(event: Event) -> set[tuple[int, int]]:
    """(station, judge id) of every submitted sheet of the event, in one query."""
    return set(
        db.session.execute(
            select(MarkSheet.station_number, MarkSheet.judge_id).where(
                MarkSheet.event_id == event.id, MarkSheet.submitted_at.is_not(None)
            )
        ).all()
    )


@dataclass(frozen=True)
class SignedMark:
    """A mark from a signed paper sheet or another system: station, judge, criterion and the value entered."""

    station: int
    judge_id: int
    criterion_id: int
    value: Decimal


def import_signed_marks(actor, event: Event, marks: list[SignedMark]) -> int:
    """Enter a whole event's signed marks at once (a finished competition brought into the system).

    The same checks as a tablet's mark, one version each, and every station's sheets submitted. Written with
    plain multi-row statements: a large event holds 150,000 marks.
    """
    if db.session.scalar(select(Mark.id).where(Mark.event_id == event.id).limit(1)) is not None:
        raise Conflict(_l("This event already has marks; signed marks are imported only into an empty event."))
    criteria = {criterion.id: criterion for criterion in event.criteria}
    assigned = {(station, judge.id) for station, judges in judging.station_judges(event).items() for judge in judges}
    for mark in marks:
        criterion = criteria.get(mark.criterion_id)
        if criterion is None:
            raise NotFound(_l("This criterion is not in the event's marking scheme."), "criterion")
        if (mark.station, mark.judge_id) not in assigned:
            raise NotAllowed(_l("Station %(station)s is not assigned to you.", station=mark.station), "station")
        _check_value(criterion, mark.value)
    now, connection = utcnow(), db.session.connection()
    rows = [
        {"event_id": event.id, "station_number": m.station, "criterion_id": m.criterion_id, "judge_id": m.judge_id}
        | {"value": m.value, "version": 1, "updated_at": now}
        for m in marks
    ]
    ids = connection.execute(_MARKS.insert().returning(_MARKS.c.id, sort_by_parameter_order=True), rows).scalars()
    connection.execute(
        _NEW_VERSION,
        [
            {"mark_id": mark_id, "version": 1, "value": m.value, "actor_id": actor.id, "device": "import"}
            | {"reason": None, "idempotency_key": None, "witness_id": None, "created_at": now}
            for mark_id, m in zip(ids.all(), marks, strict=True)
        ],
    )
    db.session.add_all(
        MarkSheet(event_id=event.id, station_number=station, judge_id=judge_id, submitted_at=now)
        for station, judge_id in sorted(assigned)
    )
    _mark_marking_started(event)
    audit.record(
        actor, "scoring.import_signed", event, competition_id=event.competition_id, after={"marks": len(marks)}
    )
    return len(marks)


def lock_problems(event: Event) -> list[str]:
    """Why the event's marks cannot be locked yet: unsubmitted sheets, as plain sentences."""
    assigned = judging.station_judges(event)
    if not assigned:
        return [str(_l("No station has judges yet."))]
    submitted = submitted_sheets(event)
    return [
        str(_l("Station %(station)s: %(name)s has not submitted.", station=station, name=judge.person.name))
        for station, judges in assigned.items()
        for judge in judges
        if (station, judge.id) not in submitted
    ]


def lock_event(chief, event: Event) -> None:
    day = venue.event_day(event)
    if day.marks_locked_at is not None:
        raise Conflict(_l("The marks of this event are already locked."))
    problems = lock_problems(event)
    if problems:
        raise Conflict(_l("The marks cannot be locked yet: %(problems)s", problems=" ".join(problems)))
    day.marks_locked_at, day.marks_locked_by_id = utcnow(), chief.id
    audit.record(chief, "scoring.lock", event, competition_id=event.competition_id, after={"event": event.code})


def correct_mark(chief, witness, event: Event, mark: Mark, value: Decimal, reason: str) -> SavedMark:
    """After the lock: a correction with a reason, by the chief judge, witnessed by a supervisor; in the trail."""
    if not reason.strip():
        raise InvalidInput(_l("Give the reason for the correction."), "reason")
    if is_final(event.competition_id):
        raise Conflict(_l("The results are final: they must be formally reopened before a mark is corrected."))
    _check_value(mark.criterion, value)
    before = mark.value
    saved = _store(
        _Change(
            event.id,
            mark.station_number,
            mark.criterion_id,
            mark.judge_id,
            mark.id,
            mark.version,
            value,
            chief.id,
            None,
            reason=reason.strip(),
            witness_id=witness.id,
        )
    )
    db.session.expire(mark)
    audit.record(
        chief,
        "scoring.correct",
        event,
        competition_id=event.competition_id,
        before={"value": before},
        after={"value": value, "mark": mark.id, "reason": reason.strip(), "witness": witness.username},
    )
    return saved


@dataclass(frozen=True)
class MatrixCell:
    """One criterion of one station: each judge's raw mark (None when missing), and whether they disagree."""

    marks: dict[int, Decimal | None]
    discrepant: bool


def chief_matrix(event: Event) -> list[dict]:
    """Stations × criteria with every judge's mark, missing marks and discrepancy flags, for the chief judge."""
    marks: dict[tuple[int, int, int], Decimal] = {
        (mark.station_number, mark.criterion_id, mark.judge_id): mark.value
        for mark in db.session.scalars(select(Mark).where(Mark.event_id == event.id))
    }
    rows, submitted = [], submitted_sheets(event)
    measurement_share = Decimal(event.discrepancy_percent) / 100
    for station, judges in judging.station_judges(event).items():
        cells = {}
        for criterion in event.criteria:
            by_judge = {judge.id: marks.get((station, criterion.id, judge.id)) for judge in judges}
            present = [value for value in by_judge.values() if value is not None]
            flagged = scoring.is_discrepant(str(criterion.kind), criterion.max_mark, present, measurement_share)
            cells[criterion.id] = MatrixCell(by_judge, flagged)
        rows.append(
            {
                "station": station,
                "judges": judges,
                "cells": cells,
                "submitted": {judge.id: (station, judge.id) in submitted for judge in judges},
            }
        )
    return rows


# --- theory scores and time used ---------------------------------------------------------------------------------

THEORY_MAX = Decimal(100)


def _score_of(entry) -> EntryScore:
    score = db.session.get(EntryScore, entry.id)
    if score is None:
        score = EntryScore(entry_id=entry.id)
        db.session.add(score)
    return score


def set_theory(actor, event: Event, entry, value: Decimal, *, source: str = "hand") -> None:
    """A theory score 0-100 with at most two decimals, from the exam system or typed by hand; audited."""
    if entry.event_id != event.id:
        raise NotAllowed(_l("That competitor is not in this event."))
    if not value.is_finite() or not Decimal(0) <= value <= THEORY_MAX or value != value.quantize(Decimal("0.01")):
        raise InvalidInput(_l("A theory score is a number from 0 to 100 with at most two decimals."), "theory")
    score = _score_of(entry)
    before = score.theory
    score.theory, score.updated_by_id, score.updated_at = value, actor.id, utcnow()
    audit.record(
        actor,
        "scoring.theory",
        event,
        competition_id=event.competition_id,
        before={"theory": before},
        after={"entry": entry.id, "theory": value, "source": source},
    )


def set_time_used(actor, event: Event, station: int, minutes: Decimal) -> None:
    """Minutes the competitor at a station took, for the tie-break; entered by the chief judge."""
    entry = next((e for e in venue.entries(event) if e.station_number == station), None)
    if entry is None:
        raise InvalidInput(_l("There is no station %(station)s in this event.", station=station), "station")
    if (
        not minutes.is_finite()
        or not Decimal(0) < minutes <= Decimal(24 * 60)
        or minutes != minutes.quantize(Decimal("0.1"))
    ):
        raise InvalidInput(_l("Time used is in minutes, above 0, with at most one decimal."), "minutes")
    score = _score_of(entry)
    score.time_used_minutes, score.updated_by_id, score.updated_at = minutes, actor.id, utcnow()
    audit.record(
        actor,
        "scoring.time_used",
        event,
        competition_id=event.competition_id,
        after={"station": station, "minutes": minutes},
    )


def scores_by_entry(event: Event) -> dict[int, EntryScore]:
    rows = db.session.scalars(select(EntryScore).join(Entry).where(Entry.event_id == event.id))
    return {row.entry_id: row for row in rows}


def event_marks(event: Event) -> list[Mark]:
    return list(
        db.session.scalars(
            select(Mark)
            .where(Mark.event_id == event.id)
            .order_by(Mark.station_number, Mark.criterion_id, Mark.judge_id)
        )
    )
