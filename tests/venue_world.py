"""A competition day to test against: approved competitors of three units, judges of those units, staff."""

from datetime import date

from compete.accounts.models import Role
from compete.extensions import db
from compete.people.models import Gender, Person, Unit, UnitKind
from compete.registration.models import Registration, RegistrationSource, RegistrationStatus
from compete.rules import idcard
from compete.venue import judging, services
from compete.venue.models import DrawStage, PanelRole
from tests.factories import PASSWORD, make_competition, make_event, make_user, valid_id_number

UNITS = ("宿迁钢铁厂", "洋河酒厂", "宿迁技师学院")
COMPETITORS = ("张伟", "李娜", "王强", "刘洋", "陈静", "杨帆")


def person(name: str, serial: int, unit: Unit | None) -> Person:
    number = valid_id_number(f"32130219900307{serial:03d}")
    card = idcard.parse(number)
    created = Person(name=name, id_number=number, gender=Gender(card.gender), birth_date=card.birth_date, unit=unit)
    db.session.add(created)
    return created


def build_day(*, judges_per_station: int = 2) -> dict:
    """Organizer, supervisor, officer; an event with six approved competitors, two per unit; four judges."""
    organizer = make_user("organizer")
    make_user("supervisor", Role.SUPERVISOR)
    make_user("officer", Role.ENCRYPTION_OFFICER)
    units = [Unit(name=name, kind=UnitKind.EMPLOYER) for name in UNITS]
    db.session.add_all(units)
    competition = make_competition(organizer, starts_on=date(2026, 12, 15), ends_on=date(2026, 12, 16))
    event = make_event(organizer, competition, judges_per_station=judges_per_station, aggregation="mean")
    registrations = []
    for index, name in enumerate(COMPETITORS):
        unit = units[index % len(units)]
        registration = Registration(
            event=event,
            person=person(name, index, unit),
            unit=unit,
            status=RegistrationStatus.APPROVED,
            source=RegistrationSource.ORGANIZER,
        )
        db.session.add(registration)
        registrations.append(registration)
    judges = []
    for index, name in enumerate(("赵裁判", "钱裁判", "孙裁判", "周裁判")):
        unit = units[index] if index < len(units) else None
        judge = judging.add_judge(organizer, person(name, 100 + index, unit), occupations="焊工")
        judges.append(judge)
    db.session.flush()
    return {
        "organizer": organizer,
        "competition": competition,
        "event": event,
        "units": units,
        "registrations": registrations,
        "judges": judges,
    }


def staff_the_day(built: dict, *, chief_last: bool = False) -> dict:
    """Everyone checked in, both draws witnessed, the judges seated (the last as chief if asked), stations assigned."""
    event, organizer = built["event"], built["organizer"]
    for entry in services.entries(event):
        services.check_in(organizer, event, entry)
    services.close_check_in(organizer, event)
    supervisor = services.witness("supervisor", PASSWORD)
    services.run_draw(organizer, event, DrawStage.COMPETITOR_NUMBERS, supervisor)
    services.run_draw(organizer, event, DrawStage.STATIONS, supervisor)
    for judge in built["judges"]:
        role = PanelRole.CHIEF if chief_last and judge is built["judges"][-1] else PanelRole.JUDGE
        judging.seat_judge(organizer, event, judge, role)
    judging.assign_station_judges(organizer, event, judging.propose_station_judges(event).judges_by_station)
    built["supervisor"] = supervisor
    return built


def score_the_day(built: dict, *, a1_by_station=None) -> dict:
    """Every judge marks every station (A1 from `a1_by_station`, else 20 + 5 × station), sheets submitted, theory
    scores entered, the marks locked by the organizer standing in for the chief judge, and the mapping decrypted."""
    from decimal import Decimal

    from compete.scoring import scores, signoff
    from compete.scoring import services as scoring
    from compete.venue.models import Entry

    event, organizer = built["event"], built["organizer"]
    a1_by_station = a1_by_station or {}
    for station, judges in judging.station_judges(event).items():
        for judge in judges:
            for criterion in event.criteria:
                if str(criterion.kind) == "judgement":
                    value = Decimal(2)
                else:
                    value = Decimal(a1_by_station.get(station, 20 + 5 * station))
                key = f"{event.id}-{station}-{judge.id}-{criterion.id}"
                scoring.submit_mark(judge, event, station, criterion.id, value, base_version=0, idempotency_key=key)
            signoff.submit_sheet(judge, event, station)
    for entry in db.session.scalars(db.select(Entry).where(Entry.event_id == event.id)):
        scores.set_theory(organizer, event, entry, Decimal(80))
    signoff.lock_event(organizer, event)
    officer = db.session.scalar(db.select(services.User).where(services.User.username == "officer"))
    services.decrypt(officer, event, built["supervisor"])
    built["officer"] = officer
    return built
