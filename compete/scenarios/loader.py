"""Load a scenario: a competition with its events, competitors, judges and marks, through the domain services."""

import secrets
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from compete.accounts import services as accounts
from compete.accounts.models import Role, User
from compete.competitions import services as competitions
from compete.errors import CompeteError
from compete.extensions import db
from compete.honours import services as honours
from compete.people import services as people
from compete.people.models import Person, Unit, UnitKind
from compete.registration import services as registration
from compete.registration.models import RegistrationSource
from compete.results import finalization
from compete.results import services as results
from compete.scenarios.schema import ScenarioError, check
from compete.scoring import scores, signoff
from compete.scoring import services as scoring
from compete.venue import judging
from compete.venue import services as venue
from compete.venue.models import DrawStage, Judge, PanelRole

DEFAULT_STEP = Decimal("0.01")


class _Loader:
    def __init__(self, owner: User):
        self.owner = owner
        self.supervisor = _supervisor()
        self.units: dict[str, Unit] = {}
        self.path = "$"

    def unit(self, name: str) -> Unit:
        name = name.strip()
        if name not in self.units:
            found = db.session.scalar(select(Unit).where(Unit.name == name))
            self.units[name] = found or people.add_unit(self.owner, name=name, kind=UnitKind.EMPLOYER)
        return self.units[name]

    def competition(self, facts: dict):
        day = date.fromisoformat(str(facts["date"]))
        values = {
            "name": facts["name"],
            "level": facts["level"],
            "year": facts["year"],
            "starts_on": day,
            "ends_on": day,
            "venue": "",
            "organizer_body": facts["organizer"],
            "policy_preset": facts["policy"],
            "description": "",
        }
        return competitions.create_competition(self.owner, values)

    def event(self, competition, facts: dict, index: int) -> None:
        self.path = f"events[{index}]"
        judges_listed = facts.get("judges") or []
        values = {
            "code": facts["code"],
            "name": facts["name"],
            "occupation": facts["occupation"],
            "group": facts["group"],
            "theory_weight": Decimal(str(facts["weights"]["theory"])),
            "practical_weight": Decimal(str(facts["weights"]["practical"])),
            "aggregation": facts["aggregate"],
            "tie_breaks": ",".join(facts["tie_breaks"]),
            "award_scheme": facts["award_scheme"],
            "pass_mark": Decimal(str(facts["pass_mark"])) if facts.get("pass_mark") is not None else None,
            "judges_per_station": max(1, min(15, len(judges_listed) or 3)),
            "discrepancy_percent": 20,
            "shared_ranks": facts.get("shared_ranks", True),
            "capacity": None,
            "registration_opens_at": None,
            "registration_closes_at": None,
            "min_age": None,
            "max_age": None,
            "required_grade": None,
        }
        event = competitions.create_event(self.owner, competition, values)
        self.path = f"events[{index}].criteria"
        competitions.replace_marking_scheme(
            self.owner,
            event,
            [
                {
                    "code": c["code"],
                    "name": c["name"],
                    "kind": c["kind"],
                    "max_mark": Decimal(str(c["max"])),
                    "step": Decimal(1) if c["kind"] == "judgement" else Decimal(str(c.get("step", DEFAULT_STEP))),
                }
                for c in facts["criteria"]
            ],
        )
        competitors = facts.get("competitors") or []
        if competitors:
            self.run_the_day(event, facts, index)

    def run_the_day(self, event, facts: dict, index: int) -> None:
        listed = {}  # registration id -> (position in the file, the competitor's facts)
        for position, competitor in enumerate(facts["competitors"]):
            self.path = f"events[{index}].competitors[{position}]"
            unit = self.unit(competitor["unit"])
            person = people.match_or_add_person(
                self.owner,
                name=competitor["name"],
                id_number=competitor["id_number"],
                unit=unit,
                grade=competitor.get("grade", "none"),
            )
            entered = registration.register(self.owner, event, person, source=RegistrationSource.ORGANIZER, unit=unit)
            registration.approve(self.owner, entered)
            listed[entered.id] = (position, competitor)
        self.path = f"events[{index}].competitors"
        for entry in venue.entries(event):
            _position, competitor = listed[entry.registration_id]
            if competitor.get("status", "present") != "absent":
                venue.check_in(self.owner, event, entry)
        venue.close_check_in(self.owner, event)
        if not venue.present_entries(event):
            return
        venue.run_draw(self.owner, event, DrawStage.COMPETITOR_NUMBERS, self.supervisor)
        venue.run_draw(self.owner, event, DrawStage.STATIONS, self.supervisor)
        judges = self.seat_judges(event, facts, index)
        stations = self.assign_stations(event, facts, index, judges)
        self.path = f"events[{index}].marks"
        criteria = {criterion.code: criterion.id for criterion in event.criteria}
        scoring.import_signed_marks(
            self.owner,
            event,
            [
                scoring.SignedMark(
                    stations[mark["id_number"]],
                    judges[mark["judge"]].id,
                    criteria[mark["criterion"]],
                    Decimal(str(mark["value"])),
                )
                for mark in facts.get("marks") or []
                if mark["id_number"] in stations
            ],
        )
        for entry in venue.entries(event):
            position, competitor = listed[entry.registration_id]
            self.path = f"events[{index}].competitors[{position}]"
            if competitor.get("theory") is not None:
                scores.set_theory(self.owner, event, entry, Decimal(str(competitor["theory"])), source="scenario")
            if competitor.get("minutes") is not None and entry.station_number is not None:
                scores.set_time_used(self.owner, event, entry.station_number, Decimal(str(competitor["minutes"])))
            if competitor.get("status") == "disqualified":
                venue.disqualify(self.owner, event, entry, "scenario file")
        self.path = f"events[{index}]"
        signoff.lock_event(self.owner, event)
        venue.decrypt(self.owner, event, self.supervisor)
        results.review(self.owner, event, self.supervisor)

    def seat_judges(self, event, facts: dict, index: int) -> dict[str, Judge]:
        seated = {}
        for position, listed in enumerate(facts.get("judges") or []):
            self.path = f"events[{index}].judges[{position}]"
            judge = _judge(
                self.owner, listed["name"], self.unit(listed["unit"]), event.occupation, listed.get("id_number")
            )
            judging.seat_judge(self.owner, event, judge, PanelRole.JUDGE)
            seated[listed["name"]] = judge
        return seated

    def assign_stations(self, event, facts: dict, index: int, judges: dict[str, Judge]) -> dict[str, int]:
        """Each station is marked by the judges who marked its competitor in the file (all judges if none did)."""
        stations = {entry.registration.person.id_number: entry.station_number for entry in venue.present_entries(event)}
        marking = {station: set() for station in stations.values()}
        for mark in facts.get("marks") or []:
            if mark["id_number"] in stations:
                marking[stations[mark["id_number"]]].add(judges[mark["judge"]].id)
        everyone = tuple(judge.id for judge in judges.values())
        self.path = f"events[{index}].judges"
        judging.assign_station_judges(
            self.owner, event, {station: tuple(sorted(ids)) or everyone for station, ids in marking.items()}
        )
        return stations


def _supervisor() -> User:
    """The supervisor who witnesses the loader's draws and reviews; a dedicated account nobody signs in with."""
    found = db.session.scalar(select(User).where(User.username == "scenario-supervisor"))
    return found or accounts.create_user(
        None,
        username="scenario-supervisor",
        password=secrets.token_urlsafe(24) + "a1",
        display_name="Scenario supervisor",
        role=Role.SUPERVISOR,
    )


def _judge(owner, name: str, unit: Unit, occupation: str, id_number: str | None) -> Judge:
    """The registry's judge of this name and unit (or ID number), added when missing."""
    if id_number:
        person = people.match_or_add_person(owner, name=name, id_number=id_number, unit=unit)
    else:
        person = db.session.scalar(select(Person).where(Person.name == name, Person.unit_id == unit.id))
        if person is None:
            person = Person(name=name.strip(), unit=unit)
            db.session.add(person)
            db.session.flush()
    judge = db.session.scalar(select(Judge).where(Judge.person_id == person.id))
    return judge or judging.add_judge(owner, person, occupations=occupation)


def load(scenario, owner: User, *, finalize: bool = False) -> int:
    """Check the whole file, then load it in the caller's transaction; returns the new competition's id."""
    check(scenario)
    loader = _Loader(owner)
    try:
        loader.path = "competition"
        competition = loader.competition(scenario["competition"])
        for index, event in enumerate(scenario["events"]):
            loader.event(competition, event, index)
        if finalize:
            loader.path = "$"
            results.publish(owner, competition, publicity_days=0, appeal_hours=0)
            finalization.finalize(owner, competition)
            honours.apply_policy(owner, competition)
            honours.confirm_all(owner, competition)
    except CompeteError as refused:
        raise ScenarioError(loader.path, refused.message) from refused
    return competition.id
