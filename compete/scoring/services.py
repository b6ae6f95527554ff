"""Entering marks: versioned, idempotent, never silently overwritten; signed marks in bulk; corrections."""

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
from compete.scoring.models import Mark, MarkSheet, MarkVersion
from compete.venue import judging
from compete.venue.models import EventDay, Judge, StationJudge

CHANGED_MEANWHILE = _l("This mark was changed meanwhile. Check it and enter yours again.")
MARK_PROBLEMS = {
    "not_a_number": _l("Enter a number."),
    "negative": _l("A mark cannot be below 0."),
    "above_max": _l("The mark is above this criterion's maximum."),
    "off_step": _l("The mark must be a multiple of this criterion's step."),
    "not_a_score": _l("A judgement score is 0, 1, 2 or 3."),
    "too_many_digits": _l("Enter a number of at most 9 digits before the decimal point and 6 after it."),
}
MOST_WHOLE_DIGITS, MOST_DECIMALS = 9, 6
# Ids and station numbers are 32-bit integers in the database: a larger number names nothing, and would not bind.
LARGEST_ID = 2**31 - 1


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
    if not value:
        return Decimal(0)  # "0E+999999999" is zero too, but its exponent would cost the exact arithmetic seconds
    # Nothing typed as a mark, a score or minutes has more digits; "1e999999999" would hold a worker for minutes.
    written = "".join(map(str, value.as_tuple().digits))
    decimals = -value.as_tuple().exponent - (len(written) - len(written.rstrip("0")))
    if value.adjusted() >= MOST_WHOLE_DIGITS or decimals > MOST_DECIMALS:
        raise InvalidInput(MARK_PROBLEMS["too_many_digits"], "value")
    return value


def _check_value(criterion: Criterion, value: Decimal) -> None:
    problem = scoring.mark_problem(str(criterion.kind), criterion.max_mark, criterion.step, value)
    if problem is not None:
        raise InvalidInput(MARK_PROBLEMS[problem], "value")


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


def _mark_state(judge: Judge, event: Event, station: int, criterion_id: int, key: str | None) -> _MarkState:
    if not 0 < criterion_id <= LARGEST_ID:
        raise NotFound(_l("This criterion is not in the event's marking scheme."), "criterion")
    if not 0 < station <= LARGEST_ID:
        raise NotAllowed(_l("Station %(station)s is not assigned to you.", station=station), "station")
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
    usable_key = 0 < len(idempotency_key) <= 64 and "\x00" not in idempotency_key  # PostgreSQL refuses a NUL
    state = _mark_state(judge, event, station, criterion_id, idempotency_key if usable_key else None)
    if not usable_key:
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
                "device": change.device.replace("\x00", "")[:120],
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
