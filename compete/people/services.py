"""Changes to the talent registry: regions, units and persons."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.audit import services as audit
from compete.errors import Conflict, InvalidInput
from compete.extensions import db
from compete.people.models import Gender, Person, Region, RegionLevel, Unit, UnitKind
from compete.rules import grades, idcard

ID_NUMBER_ERRORS = {
    "empty": _l("Enter the resident ID number."),
    "length": _l("A resident ID number has 18 characters."),
    "characters": _l("Use 17 digits followed by a digit or X."),
    "birth_date": _l("The birth date in this ID number (characters 7-14) is not a real date."),
    "future_birth_date": _l("The birth date in this ID number lies in the future."),
    "check_character": _l("The last character does not match: check the number for a typing error."),
}

PERSON_FIELDS = ("name", "id_number", "gender", "birth_date", "phone", "unit_id", "grade")


def parse_id_number(raw: str) -> idcard.IdCard:
    """The parsed ID card, or InvalidInput with the translated reason."""
    try:
        return idcard.parse(raw or "")
    except idcard.InvalidIdNumber as error:
        raise InvalidInput(ID_NUMBER_ERRORS[error.reason], "id_number") from error


def find_person(id_number: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.id_number == idcard.normalize(id_number)))


def add_person(
    actor,
    *,
    name: str,
    id_number: str,
    phone=None,
    unit=None,
    grade="none",
    grade_certificate_number=None,
    grade_certified_on=None,
) -> Person:
    card = parse_id_number(id_number)
    if not grades.is_grade_code(grade):
        raise InvalidInput(_l("Choose a grade from the list."), "grade")
    if find_person(card.number) is not None:
        raise Conflict(_l("A person with this ID number is already in the registry."), "id_number")
    person = Person(
        name=name.strip(),
        id_number=card.number,
        gender=Gender(card.gender),
        birth_date=card.birth_date,
        phone=(phone or "").strip() or None,
        unit=unit,
        grade=grade,
        grade_certificate_number=(grade_certificate_number or "").strip() or None,
        grade_certified_on=grade_certified_on,
    )
    db.session.add(person)
    audit.record(actor, "person.create", person, after=audit.snapshot(person, PERSON_FIELDS))
    return person


def add_region(actor, *, code: str, name: str, level: RegionLevel, parent: Region | None = None) -> Region:
    if parent is not None and list(RegionLevel).index(parent.level) >= list(RegionLevel).index(RegionLevel(level)):
        raise InvalidInput(_l("A region lies inside a region of a higher level (province, city, county)."), "parent_id")
    if db.session.scalar(select(Region.id).where(Region.code == code)) is not None:
        raise Conflict(_l("A region with code %(code)s exists already.", code=code), "code")
    region = Region(code=code, name=name, level=RegionLevel(level), parent=parent)
    db.session.add(region)
    audit.record(actor, "region.create", region, after={"code": code, "name": name})
    return region


def add_unit(actor, *, name: str, kind: UnitKind, region: Region | None = None, contact_phone=None) -> Unit:
    name = name.strip()
    if db.session.scalar(select(Unit.id).where(Unit.name == name)) is not None:
        raise Conflict(_l("A unit named %(name)s exists already.", name=name), "name")
    unit = Unit(name=name, kind=UnitKind(kind), region=region, contact_phone=contact_phone)
    db.session.add(unit)
    audit.record(actor, "unit.create", unit, after={"name": name, "kind": unit.kind})
    return unit


def match_or_add_person(actor, *, name: str, id_number: str, phone=None, unit=None, grade="none") -> Person:
    """The registry's person with this ID number, or a new one: a person is never entered twice.

    A different name under a known ID number is refused rather than merged: it is a typing
    error in one or the other, and only the organizer can tell which.
    """
    card = parse_id_number(id_number)
    person = find_person(card.number)
    if person is None:
        return add_person(actor, name=name, id_number=card.number, phone=phone, unit=unit, grade=grade)
    if person.name != name.strip():
        raise Conflict(
            _l("This ID number is in the registry under another name. Check both, or ask the organizer."), "id_number"
        )
    before = audit.snapshot(person, ("phone", "unit_id"))
    if phone and phone.strip() != person.phone:
        person.phone = phone.strip()
    if unit is not None and person.unit_id != unit.id:
        person.unit = unit
        db.session.flush()
    after = audit.snapshot(person, ("phone", "unit_id"))
    if after != before:
        audit.record(actor, "person.update", person, before=before, after=after)
    return person


def record_id_reveal(actor, person: Person) -> None:
    """A full ID number shown on screen is written to the trail (PIPL: who saw what)."""
    audit.record(actor, "person.reveal_id", person, after={"person": person.id})
