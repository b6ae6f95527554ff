"""Marks: the current value per station, criterion and judge, every version of it, and each judge's sheet."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.columns import ExactDecimal, utcnow
from compete.extensions import db


class Mark(db.Model):
    """The current mark; `version` counts its changes, so that a stale tablet cannot overwrite a newer value."""

    __tablename__ = "marks"
    __table_args__ = (UniqueConstraint("event_id", "station_number", "criterion_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    station_number: Mapped[int]
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id"))
    # What the judge entered: a measurement mark, or a judgement score 0-3.
    value: Mapped[Decimal] = mapped_column(ExactDecimal(7, 2))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    criterion = relationship("Criterion")
    judge = relationship("Judge")


class MarkVersion(db.Model):
    """One accepted change of a mark: who, from which device, when, the value and why (for corrections)."""

    __tablename__ = "mark_versions"
    __table_args__ = (UniqueConstraint("mark_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mark_id: Mapped[int] = mapped_column(ForeignKey("marks.id"), index=True)
    version: Mapped[int]
    value: Mapped[Decimal] = mapped_column(ExactDecimal(7, 2))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    device: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str | None] = mapped_column(Text)
    # The tablet's key for this change: a change sent twice (a retry after a dropped answer) is stored once.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    witness_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mark = relationship("Mark")
    actor = relationship("User", foreign_keys=[actor_id])


class MarkSheet(db.Model):
    """One judge's marks of one station: submitted when complete; only the chief judge reopens it."""

    __tablename__ = "mark_sheets"
    __table_args__ = (UniqueConstraint("event_id", "station_number", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    station_number: Mapped[int]
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id"))
    submitted_at: Mapped[datetime | None]
    reopened_at: Mapped[datetime | None]
    reopen_reason: Mapped[str | None] = mapped_column(Text)

    judge = relationship("Judge")


class EntryScore(db.Model):
    """The parts of a competitor's result that are not judges' marks: the theory score and the time used."""

    __tablename__ = "entry_scores"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), primary_key=True)
    theory: Mapped[Decimal | None] = mapped_column(ExactDecimal(5, 2))
    time_used_minutes: Mapped[Decimal | None] = mapped_column(ExactDecimal(6, 1))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry = relationship("Entry")
