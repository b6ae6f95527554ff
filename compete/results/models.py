"""Results: review sign-offs, published snapshots, appeals, arbitration of ties, finalization."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.columns import enum_column, utcnow
from compete.extensions import db


class ResultReview(db.Model):
    """The review (复核) of an event's computed results: the chief judge who locked the marks, the supervisor who
    checked the table, and a digest of the table they saw (a later change to the results voids it)."""

    __tablename__ = "result_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    chief_judge_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    digest: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    chief_judge = relationship("User", foreign_keys=[chief_judge_id])
    supervisor = relationship("User", foreign_keys=[supervisor_id])


class Publication(db.Model):
    """One publication (公示) of a competition's results: an immutable snapshot the public pages read."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("competition_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"), index=True)
    version: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    publicity_ends_at: Mapped[datetime]
    appeals_close_at: Mapped[datetime]
    # Why a later version was published (an upheld appeal, a correction); empty for the first.
    note: Mapped[str] = mapped_column(Text, default="")
    # Plain data for the public pages: masked ID numbers only, nothing computed at reading time.
    snapshot: Mapped[dict] = mapped_column(db.JSON)
    # Per event code, the digest of the full results table it was published from.
    digests: Mapped[dict] = mapped_column(db.JSON)

    published_by = relationship("User")


class AppealStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    REJECTED = "rejected"


class Appeal(db.Model):
    """A written appeal (申诉) about one competitor's result, decided by the arbitration group."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    grounds: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(enum_column(AppealStatus), default=AppealStatus.OPEN)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision: Mapped[str] = mapped_column(Text, default="")

    event = relationship("Event")
    entry = relationship("Entry")
    filed_by = relationship("User", foreign_keys=[filed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class TieDecision(db.Model):
    """Under "no shared ranks", the order the arbitration group set for competitors equal on every key."""

    __tablename__ = "tie_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    entry_ids: Mapped[list] = mapped_column(db.JSON)  # best first
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class CompetitionResult(db.Model):
    """Whether a competition's results are final; a reopening is recorded, never silent."""

    __tablename__ = "competition_results"

    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"), primary_key=True)
    finalized_at: Mapped[datetime | None]
    finalized_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reopened_at: Mapped[datetime | None]
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
