"""Who may be a candidate of a selection round: titles held, grade, nominations, region."""

from collections.abc import Iterable

from flask_babel import gettext
from sqlalchemy import select

from compete.competitions.models import Competition
from compete.extensions import db
from compete.honours.models import (
    Outcome,
    OutcomeKind,
    OutcomeStatus,
    SelectionRound,
    TitleHolding,
)
from compete.labels import localized
from compete.people.models import Person
from compete.rules import grades


def held_titles(person_ids: Iterable[int]) -> dict[int, list[str]]:
    """person id → the titles the person holds now (withdrawn holdings left out)."""
    held: dict[int, list[str]] = {}
    ids = list(person_ids)
    if not ids:
        return held
    for person_id, title in db.session.execute(
        select(TitleHolding.person_id, TitleHolding.title)
        .where(TitleHolding.person_id.in_(ids), TitleHolding.withdrawn_at.is_(None))
        .order_by(TitleHolding.awarded_on, TitleHolding.id)
    ):
        held.setdefault(person_id, []).append(title)
    return held


def nomination_for(selection_round: SelectionRound, person: Person) -> Outcome | None:
    """The person's latest standing competition nomination for the round's title, from its year or before."""
    return db.session.scalar(
        select(Outcome)
        .join(Competition, Competition.id == Outcome.competition_id)
        .where(
            Outcome.person_id == person.id,
            Outcome.kind == OutcomeKind.NOMINATION,
            Outcome.status == OutcomeStatus.CONFIRMED,
            Outcome.title == selection_round.title.name,
            Competition.year <= selection_round.year,
        )
        .order_by(Competition.year.desc(), Outcome.id.desc())
        .limit(1)
    )


def _titles_text(names: list[str]) -> str:
    return gettext(" or ").join(names)


def requirement_titles(requirement: dict) -> list[str]:
    return list(requirement.get("titles") or [requirement["title"]])


def describe_requirement(requirement: dict, title_name: str) -> str:
    """One requirement as a reader checks it."""
    kind = requirement.get("kind")
    if kind == "min_grade":
        return gettext("holds %(grade)s or higher", grade=localized(grades.get(requirement["grade"])))
    if kind == "holds_title":
        return gettext("holds the title %(titles)s", titles=_titles_text(requirement_titles(requirement)))
    if kind == "nominated":
        return gettext("has a competition nomination for %(title)s", title=title_name)
    return str(kind)


def _requirement_problem(requirement: dict, selection_round: SelectionRound, person: Person, held: list[str]):
    kind = requirement["kind"]
    if kind == "min_grade":
        needed = requirement["grade"]
        if grades.order(person.grade) < grades.order(needed):
            return gettext(
                "Holds %(held)s; the round needs %(grade)s or higher.",
                held=localized(grades.get(person.grade)),
                grade=localized(grades.get(needed)),
            )
    elif kind == "holds_title":
        wanted = requirement_titles(requirement)
        if not set(wanted) & set(held):
            return gettext("Does not hold the title %(titles)s.", titles=_titles_text(wanted))
    elif kind == "nominated" and nomination_for(selection_round, person) is None:
        return gettext("Has no competition nomination for %(title)s.", title=selection_round.title.name)
    return None


def eligibility_problems(selection_round: SelectionRound, person: Person, held: list[str] | None = None) -> list[str]:
    """Why the person cannot be a candidate of this round, translated; empty when eligible."""
    if held is None:
        held = held_titles([person.id]).get(person.id, [])
    problems = []
    if selection_round.title.name in held:
        problems.append(gettext("Already holds the title %(title)s.", title=selection_round.title.name))
    region = selection_round.region
    unit_region = person.unit.region if person.unit is not None else None
    # A person whose unit has no region on record is given the benefit of the doubt.
    if region is not None and unit_region is not None and region.id not in unit_region.lineage_ids():
        problems.append(gettext("%(unit)s is not in %(region)s.", unit=person.unit.name, region=region.full_name))
    for requirement in selection_round.eligibility or []:
        problem = _requirement_problem(requirement, selection_round, person, held)
        if problem:
            problems.append(problem)
    return problems
