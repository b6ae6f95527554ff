"""The competition day: attendance, the two sealed draws, judges, their stations and their tablet links."""

import enum
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.columns import enum_column, utcnow
from compete.extensions import db


class Attendance(enum.StrEnum):
    EXPECTED = "expected"
    PRESENT = "present"
    ABSENT = "absent"


class DrawStage(enum.StrEnum):
    COMPETITOR_NUMBERS = "competitor_numbers"  # first encryption: name -> competitor number
    STATIONS = "stations"  # second encryption: competitor number -> station number


class DrawMethod(enum.StrEnum):
    RANDOM = "random"  # drawn by the system from a stored seed
    MANUAL = "manual"  # a physical draw, typed in from its paper record


class PanelRole(enum.StrEnum):
    JUDGE = "judge"
    CHIEF = "chief"


class EventDay(db.Model):
    """How far an event's day has come; the scoring issue sets the marking stamps."""

    __tablename__ = "event_days"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    # The only account besides the organizer (after decryption) that may see the sealed mapping.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    check_in_closed_at: Mapped[datetime | None]
    marking_started_at: Mapped[datetime | None]
    marks_locked_at: Mapped[datetime | None]
    marks_locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decrypted_at: Mapped[datetime | None]
    decrypted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decryption_witness_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    event = relationship("Event")
    officer = relationship("User", foreign_keys=[officer_id])


class Entry(db.Model):
    """An approved competitor on the day: attendance, then the sealed competitor and station numbers."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("event_id", "competitor_number"),
        UniqueConstraint("event_id", "station_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), unique=True)
    attendance: Mapped[Attendance] = mapped_column(enum_column(Attendance), default=Attendance.EXPECTED)
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    competitor_number: Mapped[int | None]
    station_number: Mapped[int | None]
    # Set by the chief judge (with the reason); a disqualified competitor gets no rank and counts as no entrant.
    disqualified_reason: Mapped[str | None] = mapped_column(Text)

    registration = relationship("Registration")
    checked_in_by = relationship("User")


class Draw(db.Model):
    """One draw of one stage; a random draw keeps its seed so that an auditor can reproduce it."""

    __tablename__ = "draws"
    __table_args__ = (UniqueConstraint("event_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    stage: Mapped[DrawStage] = mapped_column(enum_column(DrawStage))
    method: Mapped[DrawMethod] = mapped_column(enum_column(DrawMethod))
    seed: Mapped[str | None] = mapped_column(String(64))
    # The sorted inputs the seed was applied to, so that the draw can be recomputed exactly.
    drawn_keys: Mapped[list] = mapped_column(db.JSON)
    performed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    witness_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    performed_at: Mapped[datetime] = mapped_column(default=utcnow)

    performed_by = relationship("User", foreign_keys=[performed_by_id])
    witness = relationship("User", foreign_keys=[witness_id])


class Judge(db.Model):
    """A judge in the registry: a person (with their unit, for avoidance) and the occupations they judge."""

    __tablename__ = "judges"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    # The account their tablet link signs in; made with the judge, without a usable password.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    occupations: Mapped[str] = mapped_column(String(300), default="")
    qualification: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person = relationship("Person")
    user = relationship("User")


class PanelSeat(db.Model):
    """A judge on an event's panel, as a judge or as its one chief judge."""

    __tablename__ = "panel_seats"
    __table_args__ = (UniqueConstraint("event_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id"))
    role: Mapped[PanelRole] = mapped_column(enum_column(PanelRole), default=PanelRole.JUDGE)

    judge = relationship("Judge")


class StationJudge(db.Model):
    """A judge who marks one station of an event."""

    __tablename__ = "station_judges"
    __table_args__ = (UniqueConstraint("event_id", "station_number", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    station_number: Mapped[int]
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id"))

    judge = relationship("Judge")


class DeclaredConflict(db.Model):
    """A conflict of interest a judge declared with a competitor (relative, teacher, colleague...)."""

    __tablename__ = "declared_conflicts"
    __table_args__ = (UniqueConstraint("judge_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    judge = relationship("Judge")
    person = relationship("Person")


def new_link_token() -> str:
    """The secret of a judge's tablet link: 192 random bits, in the URL printed as a QR code on the badge."""
    return secrets.token_urlsafe(24)


class JudgeLink(db.Model):
    """A private sign-in link of one judge for one event; revoking it and issuing a new one kills the old badge."""

    __tablename__ = "judge_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_link_token)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Local (Asia/Shanghai) time, compared with columns.local_now(): the end of the competition's last day.
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    judge = relationship("Judge")
    event = relationship("Event")
