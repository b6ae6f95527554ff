"""Regions, units (employers and schools) and persons of the talent registry."""

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.columns import enum_column, utcnow
from compete.extensions import db


class RegionLevel(enum.StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class UnitKind(enum.StrEnum):
    EMPLOYER = "employer"
    SCHOOL = "school"
    OTHER = "other"


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # GB/T 2260 division code, e.g. 321300 for Suqian.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[RegionLevel] = mapped_column(enum_column(RegionLevel))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))

    parent = relationship("Region", remote_side=[id])

    @property
    def full_name(self) -> str:
        names, region = [], self
        while region is not None:
            names.append(region.name)
            region = region.parent
        return "".join(reversed(names))

    def lineage_ids(self) -> set[int]:
        """This region and every region above it: a unit in a county is also in its city."""
        ids, region = set(), self
        while region is not None:
            ids.add(region.id)
            region = region.parent
        return ids


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind), default=UnitKind.EMPLOYER)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    contact_phone: Mapped[str | None] = mapped_column(String(32))

    region = relationship("Region")


class Person(db.Model):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    # Empty only for judges known by name and unit (a scenario file, paper records); competitors always have one.
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender))
    birth_date: Mapped[date | None]
    phone: Mapped[str | None] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    grade: Mapped[str] = mapped_column(String(16), default="none")
    grade_certificate_number: Mapped[str | None] = mapped_column(String(40))
    grade_certified_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit = relationship("Unit")
