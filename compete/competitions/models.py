"""Competitions, events and the criteria of their marking schemes."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.columns import ExactDecimal, enum_column, utcnow
from compete.extensions import db


class Group(enum.StrEnum):
    WORKER = "worker"
    STUDENT = "student"


class Aggregation(enum.StrEnum):
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"
    MEDIAN = "median"


class AwardScheme(enum.StrEnum):
    PLACES = "places"
    MEDALS = "medals"
    PRIZE_SHARES = "prize_shares"


class CriterionKind(enum.StrEnum):
    MEASUREMENT = "measurement"
    JUDGEMENT = "judgement"


# The settings a person sets, in the order the forms show them; services copy and audit exactly these.
COMPETITION_FIELDS = (
    "name",
    "level",
    "year",
    "starts_on",
    "ends_on",
    "venue",
    "organizer_body",
    "policy_preset",
    "description",
)
EVENT_FIELDS = (
    "code",
    "name",
    "occupation",
    "group",
    "theory_weight",
    "practical_weight",
    "aggregation",
    "tie_breaks",
    "award_scheme",
    "pass_mark",
    "judges_per_station",
    "discrepancy_percent",
    "shared_ranks",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "min_age",
    "max_age",
    "required_grade",
)
TIE_BREAK_KEYS = ("total", "time", "practical", "theory")
DEFAULT_TIE_BREAKS = ("total", "time", "practical", "theory")

event_regions = Table(
    "event_regions",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id"), primary_key=True),
)


class Competition(db.Model):
    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(32))
    year: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    venue: Mapped[str] = mapped_column(String(200), default="")
    organizer_body: Mapped[str] = mapped_column(String(200))
    policy_preset: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    # Shown on the public home page only once the organizer announces it.
    announced: Mapped[bool] = mapped_column(default=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner = relationship("User")
    events: Mapped[list["Event"]] = relationship(
        back_populates="competition", order_by="Event.code", cascade="all, delete-orphan"
    )


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("competition_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    occupation: Mapped[str] = mapped_column(String(100))
    group: Mapped[Group] = mapped_column(enum_column(Group))
    theory_weight: Mapped[Decimal] = mapped_column(ExactDecimal(4, 3))
    practical_weight: Mapped[Decimal] = mapped_column(ExactDecimal(4, 3))
    aggregation: Mapped[Aggregation] = mapped_column(enum_column(Aggregation))
    # Ordered keys from TIE_BREAK_KEYS, comma-separated: the chain is one value, read whole.
    tie_breaks: Mapped[str] = mapped_column(String(64), default=",".join(DEFAULT_TIE_BREAKS))
    award_scheme: Mapped[AwardScheme] = mapped_column(enum_column(AwardScheme))
    pass_mark: Mapped[Decimal | None] = mapped_column(ExactDecimal(5, 2))
    judges_per_station: Mapped[int] = mapped_column(default=3)
    # The chief judge's screen flags a measurement criterion whose judges' marks are further apart than this
    # share of its maximum (judgement scores: more than 1 apart, fixed by the rules).
    discrepancy_percent: Mapped[int] = mapped_column(default=20, server_default="20")
    # False: the national rule 排名不并列, where the arbitration group orders competitors equal on every key.
    shared_ranks: Mapped[bool] = mapped_column(default=True, server_default=true())
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    required_grade: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    competition: Mapped[Competition] = relationship(back_populates="events")
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="event", order_by="Criterion.position", cascade="all, delete-orphan"
    )
    eligible_regions = relationship("Region", secondary=event_regions, order_by="Region.code")

    @property
    def tie_break_keys(self) -> list[str]:
        return [key for key in self.tie_breaks.split(",") if key]

    @property
    def scheme_total(self) -> Decimal:
        return sum((criterion.max_mark for criterion in self.criteria), Decimal(0))


class Criterion(db.Model):
    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("event_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CriterionKind] = mapped_column(enum_column(CriterionKind))
    max_mark: Mapped[Decimal] = mapped_column(ExactDecimal(7, 2))
    step: Mapped[Decimal] = mapped_column(ExactDecimal(5, 2), default=Decimal("0.01"))

    event: Mapped[Event] = relationship(back_populates="criteria")
