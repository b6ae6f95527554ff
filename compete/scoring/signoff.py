"""Sheets and sign-off: a judge submits a station, the chief judge reopens it, sees the matrix and locks the event."""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.audit import services as audit
from compete.columns import utcnow
from compete.competitions.models import Event
from compete.errors import Conflict, InvalidInput, NotAllowed
from compete.extensions import db
from compete.rules import scoring
from compete.scoring.models import Mark, MarkSheet
from compete.scoring.services import marks_of
from compete.venue import judging
from compete.venue import services as venue
from compete.venue.models import Judge


def sheet_of(judge: Judge, event: Event, station: int) -> MarkSheet | None:
    return db.session.scalar(
        select(MarkSheet).where(
            MarkSheet.event_id == event.id, MarkSheet.station_number == station, MarkSheet.judge_id == judge.id
        )
    )


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


def event_marks(event: Event) -> list[Mark]:
    return list(
        db.session.scalars(
            select(Mark)
            .where(Mark.event_id == event.id)
            .order_by(Mark.station_number, Mark.criterion_id, Mark.judge_id)
        )
    )
