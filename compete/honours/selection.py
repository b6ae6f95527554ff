"""Selection rounds (评选): title catalogue, rounds with quota and eligibility, stages, awards to the registry."""

from sqlalchemy import select

from compete.audit import services as audit
from compete.extensions import db
from compete.honours.models import Candidate, CandidateStatus, HonourTitle, Outcome, RoundStage, SelectionRound


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
