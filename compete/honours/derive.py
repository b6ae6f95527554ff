"""What a competition's policy gives each of its results: derived from the results, nothing recorded."""

from dataclasses import dataclass

from sqlalchemy import extract, select

from compete.competitions.models import Competition, Event
from compete.extensions import db
from compete.honours import policies as own_policies
from compete.honours.models import GradeChange, Outcome, OutcomeKind, OutcomeStatus
from compete.people.models import Person
from compete.registration.models import Registration
from compete.results.compute import ResultRow
from compete.results.services import computed_results
from compete.rules import policy as policies
from compete.venue.models import Entry

ACTIVE = (OutcomeStatus.PROPOSED, OutcomeStatus.CONFIRMED)
# What applying the policy again leaves alone: a declined promotion stays declined.
DECIDED = (*ACTIVE, OutcomeStatus.DECLINED)


def policy_of(competition: Competition) -> tuple[policies.Policy, str]:
    """The competition's policy and the version its outcomes cite ("own-3 v2" for an organizer's copy)."""
    return own_policies.resolve(competition.policy_preset)


@dataclass(frozen=True)
class Wanted:
    """One effect the policy gives one result: what ``apply_policy`` records as an outcome."""

    kind: OutcomeKind
    title: str | None = None
    grade_from: str | None = None
    grade_to: str | None = None

    @property
    def key(self) -> tuple:
        return (str(self.kind), self.title, self.grade_from, self.grade_to)


@dataclass(frozen=True)
class PreviewRow:
    event: Event
    row: ResultRow
    registration_id: int
    person_id: int
    grade: str
    entrants: int
    effects: policies.Effects
    wanted: tuple[Wanted, ...]


def _people_of(event: Event) -> dict[int, tuple[int, int]]:
    """entry id → (registration id, person id)."""
    found = db.session.execute(
        select(Entry.id, Registration.id, Registration.person_id)
        .join(Registration, Registration.id == Entry.registration_id)
        .where(Entry.event_id == event.id)
    ).all()
    return {entry_id: (registration_id, person_id) for entry_id, registration_id, person_id in found}


def active_outcomes(competition: Competition, statuses=ACTIVE) -> list[Outcome]:
    return db.session.scalars(
        select(Outcome)
        .where(Outcome.competition_id == competition.id, Outcome.status.in_(statuses))
        .order_by(Outcome.id)
    ).all()


def _grade_before(person: Person, own_promotions: dict[int, Outcome]) -> str:
    """The grade the person held before this competition: unchanged by re-applying its own promotion."""
    promotion = own_promotions.get(person.id)
    return promotion.grade_from if promotion is not None else person.grade


def _promoted_in_year(person_ids, competition: Competition) -> set[int]:
    """Who of these another competition already promoted in this competition's year (one promotion a year)."""
    return set(
        db.session.scalars(
            select(GradeChange.person_id)
            .join(Outcome, Outcome.id == GradeChange.outcome_id)
            .where(
                GradeChange.person_id.in_(person_ids),
                GradeChange.withdrawn_at.is_(None),
                extract("year", GradeChange.changed_on) == competition.year,
                Outcome.competition_id != competition.id,
            )
        )
    )


def _wanted(effects: policies.Effects) -> tuple[Wanted, ...]:
    wanted = [Wanted(OutcomeKind.TITLE, title=title) for title in effects.titles]
    wanted += [Wanted(OutcomeKind.NOMINATION, title=title) for title in effects.nominations]
    if effects.promotion:
        wanted.append(Wanted(OutcomeKind.PROMOTION, grade_from=effects.promotion[0], grade_to=effects.promotion[1]))
    return tuple(wanted)


def preview(competition: Competition) -> list[PreviewRow]:
    """Every competitor's outcomes under the competition's policy, computed from its results (nothing recorded)."""
    chosen, _version = policy_of(competition)
    own_promotions = {o.person_id: o for o in active_outcomes(competition) if o.kind == OutcomeKind.PROMOTION}
    rows = []
    for event, results in computed_results(competition):
        people_of = _people_of(event)
        person_ids = [person_id for _, person_id in people_of.values()]
        persons = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(person_ids)))}
        promoted = _promoted_in_year(person_ids, competition)
        for row in results.rows:
            registration_id, person_id = people_of[row.entry_id]
            person = persons[person_id]
            grade = _grade_before(person, own_promotions)
            standing = policies.Standing(
                level=competition.level,
                group=str(event.group),
                rank=row.rank,
                entrants=results.ranked_entrants,
                grade=grade,
                total=row.total,
                pass_mark=event.pass_mark,
                award=row.award,
                promoted_this_year=person_id in promoted,
            )
            effects = policies.evaluate(chosen, standing)
            rows.append(
                PreviewRow(
                    event, row, registration_id, person_id, grade, results.ranked_entrants, effects, _wanted(effects)
                )
            )
    return rows
