"""Expert review of a selection round: reviewers' scores and the candidates' standings by mean score."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.accounts.models import Role, User
from compete.audit import services as audit
from compete.errors import Conflict, InvalidInput, NotAllowed
from compete.extensions import db
from compete.honours.models import (
    Candidate,
    ReviewScore,
    RoundStage,
    SelectionRound,
)
from compete.rules.scoring import round_half_up

REVIEWER_ROLES = frozenset({Role.CHIEF_JUDGE, Role.JUDGE, Role.SUPERVISOR})
HIGHEST_SCORE = Decimal(100)


def reviewers() -> list[User]:
    return db.session.scalars(
        select(User).where(User.role.in_(REVIEWER_ROLES), User.active.is_(True)).order_by(User.display_name)
    ).all()


def _checked_score(score) -> Decimal:
    if isinstance(score, int) and not isinstance(score, bool):
        score = Decimal(score)
    if not isinstance(score, Decimal) or not score.is_finite() or not 0 <= score <= HIGHEST_SCORE:
        raise InvalidInput(_l("A score lies between 0 and 100."), "score")
    if score.as_tuple().exponent < -2 and score != score.quantize(Decimal("0.01")):
        raise InvalidInput(_l("A score has at most 2 decimals."), "score")
    return score.quantize(Decimal("0.01"))


def record_score(actor, candidate: Candidate, reviewer: User, score, comment: str = "") -> ReviewScore:
    """One reviewer's score of one candidate; entering it again replaces it, and the trail keeps both."""
    if candidate.round.stage != RoundStage.REVIEW:
        raise Conflict(_l("Scores are entered only at the expert review stage."))
    if reviewer.role not in REVIEWER_ROLES or not reviewer.active:
        raise NotAllowed(
            _l(
                "%(name)s is not a reviewer: scores come from chief judge, judge or supervisor accounts.",
                name=reviewer.display_name,
            ),
            "reviewer_id",
        )
    value = _checked_score(score)
    comment = (comment or "").strip()
    existing = db.session.scalar(
        select(ReviewScore).where(ReviewScore.candidate_id == candidate.id, ReviewScore.reviewer_id == reviewer.id)
    )
    before = audit.snapshot(existing, ("score", "comment")) if existing is not None else None
    if existing is None:
        existing = ReviewScore(candidate=candidate, reviewer=reviewer, score=value, comment=comment)
        db.session.add(existing)
    else:
        existing.score, existing.comment = value, comment
    db.session.flush()
    audit.record(
        actor,
        "selection.score",
        existing,
        before=before,
        after={"candidate": candidate.id, "reviewer": reviewer.id, "score": value, "comment": comment},
    )
    return existing


@dataclass(frozen=True)
class Standing:
    candidate: Candidate
    scores: tuple[ReviewScore, ...]
    mean: Decimal | None  # exact mean rounded half-up to 2 places; None before any score
    rank: int | None

    @property
    def count(self) -> int:
        return len(self.scores)


def _mean(scores) -> Decimal | None:
    if not scores:
        return None
    return round_half_up(sum((Fraction(s.score) for s in scores), Fraction(0)) / len(scores))


def standings(selection_round: SelectionRound) -> list[Standing]:
    """Candidates by mean review score, best first; equal rounded means share a rank (1, 2, 2, 4), unscored last."""
    scored = []
    for candidate in selection_round.candidates:
        scores = tuple(sorted(candidate.scores, key=lambda s: (s.reviewer.display_name, s.reviewer_id)))
        scored.append((candidate, scores, _mean(scores)))
    scored.sort(key=lambda item: (item[2] is None, -(item[2] or 0), item[0].id))
    result, previous, rank = [], None, None
    for position, (candidate, scores, mean) in enumerate(scored, start=1):
        if mean is None:
            rank = None
        elif mean != previous:
            rank, previous = position, mean
        result.append(Standing(candidate, scores, mean, rank))
    return result
