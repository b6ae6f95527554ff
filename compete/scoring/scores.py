"""Theory scores from the exam system and time used per station: the other figures of a competitor's result."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.audit import services as audit
from compete.columns import utcnow
from compete.competitions.models import Event
from compete.errors import InvalidInput, NotAllowed
from compete.extensions import db
from compete.scoring.models import EntryScore
from compete.venue.models import Entry

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
    entry = db.session.scalar(select(Entry).where(Entry.event_id == event.id, Entry.station_number == station))
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
