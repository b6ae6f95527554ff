"""Registrations of persons for events, with their review."""

import enum
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.columns import enum_column, utcnow
from compete.extensions import db


class RegistrationStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class RegistrationSource(enum.StrEnum):
    PORTAL = "portal"  # the competitor themself
    UNIT = "unit"  # the unit's contact
    IMPORT = "import"  # an organizer's Excel import
    ORGANIZER = "organizer"


def new_ticket_token() -> str:
    """An opaque check-in token for the admission ticket's QR code: 192 random bits, never the ID number."""
    return secrets.token_urlsafe(24)


class Registration(db.Model):
    __tablename__ = "registrations"
    # One registration per person and event: withdrawing and entering again reuses it.
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus), index=True)
    source: Mapped[RegistrationSource] = mapped_column(enum_column(RegistrationSource))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    # Why an organizer approved despite a failed eligibility check; shown in the review list.
    override_reason: Mapped[str | None] = mapped_column(Text)
    ticket_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_ticket_token)

    event = relationship("Event")
    person = relationship("Person")
    unit = relationship("Unit")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
