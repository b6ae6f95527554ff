"""Honours: organizers' policies, outcomes of final results, grade history, titles, selection rounds, targets."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.columns import ExactDecimal, enum_column, utcnow
from compete.extensions import db


class OwnPolicy(db.Model):
    """An organizer's editable copy of a preset; each saved change is a new version, kept in every basis."""

    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    based_on: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    data: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner = relationship("User")

    @property
    def key(self) -> str:
        """How a competition names this policy in its policy field (beside the preset ids)."""
        return f"own-{self.id}"


class OutcomeKind(enum.StrEnum):
    TITLE = "title"
    NOMINATION = "nomination"
    PROMOTION = "promotion"


class OutcomeStatus(enum.StrEnum):
    PROPOSED = "proposed"  # a promotion waiting for the organizer's confirmation
    CONFIRMED = "confirmed"
    DECLINED = "declined"  # a proposed promotion the organizer refused, with the reason; applying again keeps it so
    WITHDRAWN = "withdrawn"  # by a reopening of results or a changed policy; kept for the trail


class Outcome(db.Model):
    """One effect of a policy on one final result, with its basis (依据)."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    kind: Mapped[OutcomeKind] = mapped_column(enum_column(OutcomeKind))
    title: Mapped[str | None] = mapped_column(String(100))
    grade_from: Mapped[str | None] = mapped_column(String(16))
    grade_to: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[OutcomeStatus] = mapped_column(enum_column(OutcomeStatus))
    # competition, event, rank, total, award, rules with their wording and facts, policy id and version
    basis: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    person = relationship("Person")
    event = relationship("Event")
    competition = relationship("Competition")


class GradeChange(db.Model):
    """A line of a person's grade history: from, to, when, and on what basis."""

    __tablename__ = "grade_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    grade_from: Mapped[str] = mapped_column(String(16))
    grade_to: Mapped[str] = mapped_column(String(16))
    changed_on: Mapped[date]
    basis: Mapped[str] = mapped_column(Text)
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    outcome = relationship("Outcome")


class TitleLevel(enum.StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"
    DISTRICT = "district"
    INDUSTRY = "industry"
    ENTERPRISE = "enterprise"


class HonourTitle(db.Model):
    """The title catalogue: 技术能手 at every level, 首席技师, 特级技师, 技能大师…"""

    __tablename__ = "honour_titles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    level: Mapped[TitleLevel] = mapped_column(enum_column(TitleLevel))
    awarding_body: Mapped[str] = mapped_column(String(200))


class TitleHolding(db.Model):
    """A title a person holds, from a competition outcome or a selection round."""

    __tablename__ = "title_holdings"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    awarded_on: Mapped[date]
    basis: Mapped[str] = mapped_column(Text)
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("selection_rounds.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)


class RoundStage(enum.StrEnum):
    RECOMMENDATION = "recommendation"  # 单位推荐
    REVIEW = "review"  # 专家评审
    PUBLICITY = "publicity"  # 公示
    APPROVAL = "approval"  # 审批
    CLOSED = "closed"


class SelectionRound(db.Model):
    """A selection round (评选) for one title and year, with its quota and eligibility."""

    __tablename__ = "selection_rounds"
    __table_args__ = (
        UniqueConstraint("title_id", "year", "region_id"),
        CheckConstraint("quota > 0", name="quota_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("honour_titles.id"))
    year: Mapped[int]
    quota: Mapped[int]
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    # e.g. [{"kind": "min_grade", "grade": "g1"}, {"kind": "holds_title", "title": "江苏省技术能手"}]; all must be met
    eligibility: Mapped[list] = mapped_column(JSON, default=list)
    stage: Mapped[RoundStage] = mapped_column(enum_column(RoundStage), default=RoundStage.RECOMMENDATION)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    title = relationship("HonourTitle")
    region = relationship("Region")
    candidates = relationship("Candidate", back_populates="round", order_by="Candidate.id")


class CandidateStatus(enum.StrEnum):
    RECOMMENDED = "recommended"
    AWARDED = "awarded"
    NOT_AWARDED = "not_awarded"


class Candidate(db.Model):
    __tablename__ = "round_candidates"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("selection_rounds.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    recommended_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("outcomes.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CandidateStatus] = mapped_column(enum_column(CandidateStatus), default=CandidateStatus.RECOMMENDED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    round = relationship("SelectionRound", back_populates="candidates")
    person = relationship("Person")
    recommended_by = relationship("Unit")
    nomination = relationship("Outcome")
    scores = relationship("ReviewScore", back_populates="candidate")


class ReviewScore(db.Model):
    """One expert reviewer's score of one candidate (0–100)."""

    __tablename__ = "review_scores"
    __table_args__ = (UniqueConstraint("candidate_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("round_candidates.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    score: Mapped[Decimal] = mapped_column(ExactDecimal(5, 2))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    candidate = relationship("Candidate", back_populates="scores")
    reviewer = relationship("User")


class TargetKind(enum.StrEnum):
    COMPETITIONS = "competitions"
    TECHNICAL_EXPERTS = "technical_experts"
    CHIEF_TECHNICIANS = "chief_technicians"
    PROMOTIONS = "promotions"
    HIGH_SKILLED = "high_skilled"  # 高技能人才: reached 技师 or above


class Target(db.Model):
    """An annual target of a region (the seeds' 工作目标), e.g. 50 Technical Experts a year for Suqian."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("region_id", "year", "kind"),
        CheckConstraint("value > 0", name="value_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    year: Mapped[int]
    kind: Mapped[TargetKind] = mapped_column(enum_column(TargetKind))
    value: Mapped[int]
    # "each county": the target holds for every county under the region rather than for the region as a whole
    per_county: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(200), default="")

    region = relationship("Region")
