"""Selection rounds (评选): title catalogue, rounds with quota and eligibility, stages, awards to the registry."""

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from compete.audit import services as audit
from compete.errors import Conflict, InvalidInput, NotFound
from compete.extensions import db
from compete.honours.eligibility import eligibility_problems, held_titles, nomination_for
from compete.honours.models import (
    Candidate,
    CandidateStatus,
    HonourTitle,
    Outcome,
    RoundStage,
    SelectionRound,
    TitleHolding,
    TitleLevel,
)
from compete.honours.review import Standing, standings
from compete.people.models import Person, Region
from compete.rules import grades

STAGE_ORDER = (
    RoundStage.RECOMMENDATION,
    RoundStage.REVIEW,
    RoundStage.PUBLICITY,
    RoundStage.APPROVAL,
    RoundStage.CLOSED,
)
# A candidate goes to publicity only once this many experts have scored them (unverified: a common panel minimum).
MIN_REVIEWERS = 3
REQUIREMENT_KINDS = ("min_grade", "holds_title", "nominated")
YEARS = (2000, 2100)


# ---------------------------------------------------------------- competition nominations (policy application)


def open_round_for(title: str, year: int) -> SelectionRound | None:
    """The round of this title and year still taking candidates, if any."""
    return db.session.scalar(
        select(SelectionRound)
        .join(HonourTitle, HonourTitle.id == SelectionRound.title_id)
        .where(
            HonourTitle.name == title, SelectionRound.year == year, SelectionRound.stage == RoundStage.RECOMMENDATION
        )
        .order_by(SelectionRound.id)
        .limit(1)
    )


def take_nomination(actor, nomination: Outcome) -> Candidate | None:
    """A competition's nomination becomes a candidate of the matching open round (same title, same year)."""
    selection_round = open_round_for(nomination.title, nomination.competition.year)
    if selection_round is None:
        return None
    candidate = db.session.scalar(
        select(Candidate).where(Candidate.round_id == selection_round.id, Candidate.person_id == nomination.person_id)
    )
    if candidate is None:
        candidate = Candidate(round=selection_round, person_id=nomination.person_id, note="")
        db.session.add(candidate)
    candidate.nomination = nomination
    db.session.flush()
    audit.record(actor, "selection.nominated", candidate, after={"round": selection_round.id, "outcome": nomination.id})
    return candidate


def drop_nomination(actor, nomination: Outcome) -> None:
    """A withdrawn nomination leaves the round while it is still taking candidates; later stages keep the trail."""
    for candidate in db.session.scalars(select(Candidate).where(Candidate.nomination_id == nomination.id)):
        if candidate.round.stage == RoundStage.RECOMMENDATION and candidate.status == CandidateStatus.RECOMMENDED:
            audit.record(actor, "selection.nomination_withdrawn", candidate, after={"round": candidate.round_id})
            db.session.delete(candidate)


# ---------------------------------------------------------------- catalogue and rounds


def titles() -> list[HonourTitle]:
    return db.session.scalars(select(HonourTitle).order_by(HonourTitle.level, HonourTitle.name)).all()


def add_title(actor, *, name: str, level, awarding_body: str) -> HonourTitle:
    """A title of the catalogue; its name is how holdings, policies and rounds refer to it."""
    name, awarding_body = (name or "").strip(), (awarding_body or "").strip()
    if not name:
        raise InvalidInput(_l("Enter the title's name."), "name")
    if level not in {item.value for item in TitleLevel}:
        raise InvalidInput(_l("Choose a level from the list."), "level")
    if not awarding_body:
        raise InvalidInput(_l("Enter the awarding body."), "awarding_body")
    if db.session.scalar(select(HonourTitle.id).where(HonourTitle.name == name)) is not None:
        raise Conflict(_l("The title %(name)s is already in the catalogue.", name=name), "name")
    title = HonourTitle(name=name, level=TitleLevel(level), awarding_body=awarding_body)
    db.session.add(title)
    audit.record(actor, "selection.title_add", title, after={"name": name, "level": title.level, "body": awarding_body})
    return title


def _clean_requirement(requirement) -> dict:
    kind = requirement.get("kind") if isinstance(requirement, dict) else None
    if kind == "min_grade":
        grade = requirement.get("grade")
        if not grades.is_grade_code(grade) or grade == grades.NO_GRADE:
            raise InvalidInput(_l("Choose a grade from the list."), "min_grade")
        return {"kind": kind, "grade": grade}
    if kind == "holds_title":
        named = requirement.get("titles") or [requirement.get("title")]
        names = list(dict.fromkeys(n.strip() for n in named if isinstance(n, str) and n.strip()))
        if not names:
            raise InvalidInput(_l("Name at least one title for the title requirement."), "holds_titles")
        # One title keeps the short form others write by hand; several titles mean any one of them.
        return {"kind": kind, "title": names[0]} if len(names) == 1 else {"kind": kind, "titles": names}
    if kind == "nominated":
        return {"kind": kind}
    raise InvalidInput(_l("Unknown eligibility requirement: %(kind)s.", kind=str(kind)))


def clean_eligibility(requirements) -> list[dict]:
    """The requirements checked and in their stored form; every one must be met (they are not alternatives)."""
    cleaned = [_clean_requirement(requirement) for requirement in requirements or []]
    kinds = [requirement["kind"] for requirement in cleaned]
    if len(kinds) != len(set(kinds)):
        raise InvalidInput(_l("Each kind of requirement may appear once."))
    return cleaned


def create_round(
    actor, *, title: HonourTitle, year: int, quota: int, region: Region | None = None, eligibility=()
) -> SelectionRound:
    if not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]:
        raise InvalidInput(_l("Enter a year between %(low)d and %(high)d.", low=YEARS[0], high=YEARS[1]), "year")
    if not isinstance(quota, int) or isinstance(quota, bool) or quota < 1:
        raise InvalidInput(_l("The quota is a whole number above 0."), "quota")
    requirements = clean_eligibility(eligibility)
    same = select(SelectionRound.id).where(SelectionRound.title_id == title.id, SelectionRound.year == year)
    same = same.where(
        SelectionRound.region_id == region.id if region is not None else SelectionRound.region_id.is_(None)
    )
    if db.session.scalar(same) is not None:
        raise Conflict(
            _l("A round for %(title)s in %(year)d exists already for this region.", title=title.name, year=year),
            "title_id",
        )
    selection_round = SelectionRound(
        title=title, year=year, quota=quota, region=region, eligibility=requirements, owner_id=actor.id
    )
    db.session.add(selection_round)
    audit.record(
        actor,
        "selection.round_create",
        selection_round,
        after={
            "title": title.name,
            "year": year,
            "quota": quota,
            "region": region.id if region else None,
            "eligibility": requirements,
        },
    )
    return selection_round


def rounds_of(user) -> list[SelectionRound]:
    """The rounds a user runs: an organizer's own, every round for an administrator."""
    query = select(SelectionRound).order_by(SelectionRound.year.desc(), SelectionRound.id.desc())
    if not user.is_admin:
        query = query.where(SelectionRound.owner_id == user.id)
    return db.session.scalars(query).all()


def _joined(problems: list[str]) -> str:
    return gettext("; ").join(problems)


# ---------------------------------------------------------------- recommendation


def candidate_of(selection_round: SelectionRound, person: Person) -> Candidate | None:
    return db.session.scalar(
        select(Candidate).where(Candidate.round_id == selection_round.id, Candidate.person_id == person.id)
    )


def recommend(actor, selection_round: SelectionRound, person: Person, *, unit=None, note: str = "") -> Candidate:
    """A unit recommends a person; a competition nomination for the title is linked as the candidate's source."""
    if selection_round.stage != RoundStage.RECOMMENDATION:
        raise Conflict(_l("Candidates are recommended only while the round is at the recommendation stage."))
    if candidate_of(selection_round, person) is not None:
        raise Conflict(_l("%(name)s is already a candidate in this round.", name=person.name))
    problems = eligibility_problems(selection_round, person)
    if problems:
        raise InvalidInput(_l("%(name)s is not eligible: %(reasons)s", name=person.name, reasons=_joined(problems)))
    unit = unit if unit is not None else person.unit
    candidate = Candidate(
        round=selection_round,
        person=person,
        recommended_by=unit,
        nomination=nomination_for(selection_round, person),
        note=(note or "").strip(),
    )
    db.session.add(candidate)
    db.session.flush()
    audit.record(
        actor,
        "selection.recommend",
        candidate,
        after={
            "round": selection_round.id,
            "person": person.id,
            "unit": unit.id if unit else None,
            "nomination": candidate.nomination_id,
        },
    )
    return candidate


# ---------------------------------------------------------------- stages and approval


def next_stage(stage: RoundStage) -> RoundStage | None:
    index = STAGE_ORDER.index(RoundStage(stage))
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def advance_blockers(selection_round: SelectionRound) -> list[str]:
    """Why the round cannot move to its next stage now, translated; empty when it can."""
    stage = selection_round.stage
    if stage == RoundStage.CLOSED:
        return [gettext("The round is closed.")]
    if stage == RoundStage.APPROVAL:
        return [gettext("Approve the awards to close the round.")]
    if stage == RoundStage.RECOMMENDATION and not selection_round.candidates:
        return [gettext("No candidate has been recommended yet.")]
    if stage == RoundStage.REVIEW:
        short = [c.person.name for c in selection_round.candidates if len(c.scores) < MIN_REVIEWERS]
        if short:
            return [
                gettext(
                    "Each candidate needs %(count)d reviewer scores before publicity; still short: %(names)s.",
                    count=MIN_REVIEWERS,
                    names="、".join(short),
                )
            ]
    return []


def advance_stage(actor, selection_round: SelectionRound, to=None) -> RoundStage:
    """Move the round one stage on; `to` names the stage the organizer saw, so a double submission moves it once."""
    target = next_stage(selection_round.stage)
    if to is not None and to != target:
        raise Conflict(_l("The round has moved on meanwhile: reload the page and check its stage."))
    blockers = advance_blockers(selection_round)
    if blockers:
        raise Conflict(_joined(blockers))
    before = selection_round.stage
    selection_round.stage = target
    audit.record(actor, "selection.stage", selection_round, before={"stage": before}, after={"stage": target})
    return target


def _basis_text(selection_round: SelectionRound, standing: Standing) -> str:
    # Stored in the registry in the bureau's language, as competition outcomes are.
    return (
        f"{selection_round.year}年{selection_round.title.name}评选(评选编号 {selection_round.id}),"
        f"评审平均分 {standing.mean}({standing.count}位评审)"
    )


def _ticked_candidates(selection_round: SelectionRound, ticked) -> list[Candidate]:
    ids = {item if isinstance(item, int) else item.id for item in ticked or ()}
    by_id = {candidate.id: candidate for candidate in selection_round.candidates}
    if not ids:
        raise InvalidInput(_l("Tick the candidates to award."), "candidate_ids")
    if not ids <= by_id.keys():
        raise NotFound(_l("A ticked candidate is not in this round."), "candidate_ids")
    return [by_id[candidate_id] for candidate_id in sorted(ids)]


def approve(actor, selection_round: SelectionRound, ticked, awarded_on: date) -> list[TitleHolding]:
    """Award the ticked candidates (within the quota, each eligible) and close the round; all checks come first."""
    if selection_round.stage != RoundStage.APPROVAL:
        raise Conflict(_l("Awards are approved only at the approval stage."))
    chosen = _ticked_candidates(selection_round, ticked)
    if len(chosen) > selection_round.quota:
        raise InvalidInput(
            _l(
                "Quota exceeded: the quota is %(quota)d and %(count)d candidates are ticked.",
                quota=selection_round.quota,
                count=len(chosen),
            ),
            "candidate_ids",
        )
    if not isinstance(awarded_on, date) or awarded_on.year < selection_round.year:
        raise InvalidInput(_l("The award date lies before the round's year."), "awarded_on")
    held = held_titles(c.person_id for c in chosen)
    for candidate in chosen:
        problems = eligibility_problems(selection_round, candidate.person, held.get(candidate.person_id, []))
        if problems:
            raise InvalidInput(
                _l("%(name)s is not eligible: %(reasons)s", name=candidate.person.name, reasons=_joined(problems)),
                "candidate_ids",
            )
    by_candidate = {standing.candidate.id: standing for standing in standings(selection_round)}
    holdings = [_award(actor, selection_round, by_candidate[c.id], awarded_on) for c in chosen]
    chosen_ids = {c.id for c in chosen}
    for candidate in selection_round.candidates:
        if candidate.id not in chosen_ids:
            candidate.status = CandidateStatus.NOT_AWARDED
    selection_round.stage = RoundStage.CLOSED
    audit.record(
        actor,
        "selection.approve",
        selection_round,
        before={"stage": RoundStage.APPROVAL},
        after={
            "stage": RoundStage.CLOSED,
            "awarded": sorted(chosen_ids),
            "not_awarded": sorted(c.id for c in selection_round.candidates if c.id not in chosen_ids),
            "awarded_on": awarded_on,
        },
    )
    return holdings


def _award(actor, selection_round: SelectionRound, standing: Standing, awarded_on: date) -> TitleHolding:
    candidate = standing.candidate
    candidate.status = CandidateStatus.AWARDED
    holding = TitleHolding(
        person_id=candidate.person_id,
        title=selection_round.title.name,
        awarded_on=awarded_on,
        basis=_basis_text(selection_round, standing),
        round_id=selection_round.id,
    )
    db.session.add(holding)
    audit.record(
        actor,
        "selection.award",
        holding,
        after={
            "person": candidate.person_id,
            "title": holding.title,
            "round": selection_round.id,
            "mean": standing.mean,
        },
    )
    return holding


def round_counts(rounds: Iterable[SelectionRound]) -> dict[int, int]:
    """round id → number of candidates, for the list of rounds."""
    ids = [r.id for r in rounds]
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(Candidate.round_id, func.count(Candidate.id))
            .where(Candidate.round_id.in_(ids))
            .group_by(Candidate.round_id)
        ).all()
    )
