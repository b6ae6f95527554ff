"""Whether an applicant may enter an event: every failing check, each with the facts it used."""

from dataclasses import dataclass, field
from datetime import date, datetime

from compete.rules import grades
from compete.rules.idcard import age_on

CHECKS = ("too_young", "too_old", "grade", "region", "capacity")


@dataclass(frozen=True)
class Requirements:
    competition_date: date
    min_age: int | None = None
    max_age: int | None = None
    required_grade: str | None = None  # at least this grade
    region_ids: frozenset[int] = frozenset()  # empty: any region
    capacity: int | None = None


@dataclass(frozen=True)
class Applicant:
    birth_date: date
    grade: str = grades.NO_GRADE
    # The unit's region and every region above it: a county unit is also in its city and province.
    region_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Failure:
    check: str
    facts: dict = field(default_factory=dict)


def check(requirements: Requirements, applicant: Applicant, *, approved_count: int = 0) -> list[Failure]:
    """Every requirement the applicant misses, in CHECKS order; empty when eligible.

    approved_count is the number of other applicants already approved for the event.
    """
    failures = []
    age = age_on(applicant.birth_date, requirements.competition_date)
    if requirements.min_age is not None and age < requirements.min_age:
        failures.append(Failure("too_young", {"age": age, "min_age": requirements.min_age}))
    if requirements.max_age is not None and age > requirements.max_age:
        failures.append(Failure("too_old", {"age": age, "max_age": requirements.max_age}))
    if requirements.required_grade and grades.compare(applicant.grade, requirements.required_grade) < 0:
        failures.append(Failure("grade", {"grade": applicant.grade, "required_grade": requirements.required_grade}))
    if requirements.region_ids and not requirements.region_ids & applicant.region_ids:
        failures.append(Failure("region", {}))
    if requirements.capacity is not None and approved_count >= requirements.capacity:
        failures.append(Failure("capacity", {"approved": approved_count, "capacity": requirements.capacity}))
    return failures


def window_state(opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> str:
    """'not_open', 'open' or 'closed'; an event with no window set is not open to applicants."""
    if opens_at is None or closes_at is None or now < opens_at:
        return "not_open"
    return "open" if now < closes_at else "closed"
