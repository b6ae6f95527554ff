"""Accounts and their roles."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.columns import enum_column, utcnow
from compete.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    ORGANIZER = "organizer"
    CHIEF_JUDGE = "chief_judge"
    JUDGE = "judge"
    ENCRYPTION_OFFICER = "encryption_officer"
    SUPERVISOR = "supervisor"
    UNIT_CONTACT = "unit_contact"
    COMPETITOR = "competitor"


STAFF_ROLES = frozenset({Role.ADMIN, Role.ORGANIZER})
VENUE_ROLES = frozenset({Role.CHIEF_JUDGE, Role.JUDGE, Role.ENCRYPTION_OFFICER, Role.SUPERVISOR})
PORTAL_ROLES = frozenset({Role.UNIT_CONTACT, Role.COMPETITOR})


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    locale: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    unit = relationship("Unit")
    person = relationship("Person")

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_venue_staff(self) -> bool:
        return self.role in VENUE_ROLES

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
