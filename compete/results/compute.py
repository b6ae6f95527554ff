"""An event's results computed from its locked marks, theory scores and times, by the rules in compete/rules."""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.competitions.models import Event
from compete.extensions import db
from compete.people.models import Person, Unit
from compete.registration.models import Registration
from compete.results.models import TieDecision
from compete.rules import awards, ranking, scoring
from compete.scoring.models import EntryScore, Mark
from compete.venue.models import Attendance, Entry


@dataclass(frozen=True)
class ResultRow:
    """One competitor's line of the results table: the published figures and why the rank stands."""

    entry_id: int
    name: str
    id_number: str
    unit: str
    competitor_number: int | None
    station_number: int | None
    status: str  # "present" | "absent" | "disqualified"
    theory: Decimal | None
    practical: Decimal | None
    total: Decimal | None
    time_minutes: Decimal | None
    rank: int | None
    tied: bool
    separated_by: str | None  # the tie-break key that placed it below the one above, or "arbitration"
    award: str | None
    passed: bool


@dataclass(frozen=True)
class EventResults:
    event_id: int
    code: str
    name: str
    rows: tuple[ResultRow, ...]  # by rank, then the unranked
    ranked_entrants: int
    problems: tuple[str, ...]  # why the results are not complete yet (translated)
    unresolved_ties: tuple[tuple[int, ...], ...]  # entry ids, when shared ranks are not allowed

    @property
    def digest(self) -> str:
        """A fingerprint of the figures, ranks and awards: a review or a publication is of exactly these."""
        figures = [
            (r.entry_id, r.status, *(str(v) for v in (r.theory, r.practical, r.total, r.time_minutes)), r.rank, r.award)
            for r in self.rows
        ]
        return hashlib.sha256(json.dumps(figures).encode()).hexdigest()


def _entries(event: Event):
    return db.session.execute(
        select(
            Entry.id,
            Entry.attendance,
            Entry.disqualified_reason,
            Entry.competitor_number,
            Entry.station_number,
            Person.name,
            Person.id_number,
            Unit.name,
        )
        .join(Registration, Registration.id == Entry.registration_id)
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(Unit, Unit.id == Registration.unit_id)
        .where(Entry.event_id == event.id)
        .order_by(Entry.competitor_number, Entry.id)
    ).all()


def _marks_by_station(event: Event) -> dict[int, dict[int, list[Decimal]]]:
    # Plain rows, not Mark objects: an event of 1,000 competitors holds 150,000 marks.
    marks: dict[int, dict[int, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    rows = db.session.execute(
        select(Mark.station_number, Mark.criterion_id, Mark.value).where(Mark.event_id == event.id)
    )
    for station, criterion_id, value in rows:
        marks[station][criterion_id].append(value)
    return marks


def _practical(event, criteria, marks, station, problems) -> Decimal | None:
    by_criterion = marks.get(station, {})
    missing = [criterion.code for criterion in criteria if not by_criterion.get(criterion.id)]
    if missing:
        problems.append(
            str(_l("Station %(station)s has no marks for %(codes)s.", station=station, codes=", ".join(missing)))
        )
        return None
    try:
        return scoring.practical_score(
            [scoring.CriterionMarks(c.code, str(c.kind), c.max_mark, tuple(by_criterion[c.id])) for c in criteria],
            str(event.aggregation),
        )
    except scoring.TooFewJudges:
        problems.append(str(_l("Station %(station)s has too few judges' marks for a trimmed mean.", station=station)))
        return None


def event_results(event: Event) -> EventResults:
    """Totals, ranks and awards of every competitor of the event, with what still stands in the way."""
    criteria = list(event.criteria)
    marks, problems = _marks_by_station(event), []
    scores = {
        s.entry_id: s for s in db.session.scalars(select(EntryScore).join(Entry).where(Entry.event_id == event.id))
    }
    figures, standings = {}, []
    for entry_id, attendance, disqualified, number, station, name, id_number, unit in _entries(event):
        status = "disqualified" if disqualified else ("present" if attendance == Attendance.PRESENT else "absent")
        score = scores.get(entry_id)
        theory = score.theory if score is not None else None
        minutes = score.time_used_minutes if score is not None else None
        practical = total = None
        if status == "present":
            practical = _practical(event, criteria, marks, station, problems) if station else None
            if theory is None and event.theory_weight != 0:
                problems.append(str(_l("Competitor number %(number)s has no theory score.", number=number)))
            elif practical is not None:
                total = scoring.total_score(theory, practical, event.theory_weight, event.practical_weight)
        figures[entry_id] = (name, id_number, unit or "", number, station, status, theory, practical, total, minutes)
        standings.append(ranking.Standing(entry_id, total, practical, theory, minutes, rankable=status == "present"))
    decided = [d.entry_ids for d in db.session.scalars(select(TieDecision).where(TieDecision.event_id == event.id))]
    ranked = ranking.rank(
        standings, event.tie_breaks.split(","), shared_ranks=event.shared_ranks, decided_orders=decided
    )
    entrants = sum(1 for placing in ranked.placings if placing.rank is not None)
    rows = []
    for placing in ranked.placings:
        name, id_number, unit, number, station, status, theory, practical, total, minutes = figures[placing.key]
        passed = total is not None and (event.pass_mark is None or total >= event.pass_mark)
        prize = awards.award(str(event.award_scheme), placing.rank, entrants, passed=passed)
        rows.append(
            ResultRow(
                placing.key,
                name,
                id_number,
                unit,
                number,
                station,
                status,
                theory,
                practical,
                total,
                minutes,
                placing.rank,
                placing.tied,
                placing.separated_by,
                prize,
                passed,
            )
        )
    return EventResults(
        event.id, event.code, event.name, tuple(rows), entrants, tuple(problems), ranked.unresolved_ties
    )
