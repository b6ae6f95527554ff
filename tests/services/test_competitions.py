"""Competition, event and marking-scheme set-up through the services."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from compete.audit.models import AuditEntry
from compete.competitions import services
from compete.competitions.models import Criterion, Event
from compete.errors import InvalidInput
from compete.extensions import db
from compete.people.models import Region, RegionLevel
from tests.factories import (
    competition_values,
    event_values,
    make_competition,
    make_event,
    make_user,
    scheme_rows,
)

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def organizer():
    return make_user()


@pytest.fixture
def competition(organizer):
    return make_competition(organizer)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": date(2026, 12, 14)}, "ends_on"),
        ({"level": "galactic"}, "level"),
        ({"policy_preset": "no-such-policy"}, "policy_preset"),
        ({"year": 1999}, "year"),
    ],
)
def test_competition_values_are_refused_with_the_field_named(organizer, changes, field):
    with pytest.raises(InvalidInput) as refused:
        services.create_competition(organizer, competition_values(**changes))
    assert refused.value.field == field


def test_creating_a_competition_is_audited_with_its_values(organizer):
    competition = make_competition(organizer)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "competition.create"))
    assert entry.actor_id == organizer.id
    assert entry.competition_id == competition.id
    assert entry.after["name"] == "2026年宿迁市职业技能大赛"
    assert entry.after["starts_on"] == "2026-12-15"


def test_update_records_only_what_changed(organizer, competition):
    services.update_competition(organizer, competition, competition_values(venue="新会场"))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "competition.update"))
    assert entry.before == {"venue": "宿迁技师学院"}
    assert entry.after == {"venue": "新会场"}


def test_an_update_that_changes_nothing_writes_no_entry(organizer, competition):
    services.update_competition(organizer, competition, competition_values())
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "competition.update")) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"theory_weight": Decimal("0.3"), "practical_weight": Decimal("0.6")}, "practical_weight"),
        ({"theory_weight": Decimal("0.5"), "practical_weight": Decimal("0.6")}, "practical_weight"),
        ({"theory_weight": Decimal("-0.2"), "practical_weight": Decimal("1.2")}, "theory_weight"),
        ({"theory_weight": Decimal("0.3333"), "practical_weight": Decimal("0.6667")}, "theory_weight"),
        ({"tie_breaks": "total,total"}, "tie_breaks"),
        ({"tie_breaks": "total,height"}, "tie_breaks"),
        ({"tie_breaks": ""}, "tie_breaks"),
        ({"pass_mark": Decimal("100.5")}, "pass_mark"),
        ({"aggregation": "trimmed_mean", "judges_per_station": 2}, "judges_per_station"),
        ({"capacity": 0}, "capacity"),
        ({"discrepancy_percent": 0}, "discrepancy_percent"),
        ({"discrepancy_percent": 101}, "discrepancy_percent"),
        (
            {"registration_opens_at": datetime(2026, 11, 1), "registration_closes_at": datetime(2026, 10, 1)},
            "registration_closes_at",
        ),
        ({"registration_closes_at": datetime(2026, 12, 20)}, "registration_closes_at"),
        ({"min_age": 40, "max_age": 30}, "max_age"),
        ({"min_age": 5}, "min_age"),
        ({"required_grade": "g9"}, "required_grade"),
        ({"group": "retired"}, "group"),
    ],
)
def test_event_rules_refuse_bad_settings(organizer, competition, changes, field):
    with pytest.raises(InvalidInput) as refused:
        services.create_event(organizer, competition, event_values(**changes))
    assert refused.value.field == field
    assert db.session.scalars(select(Event)).all() == []


@pytest.mark.parametrize(("theory", "practical"), [("0", "1"), ("0.2", "0.8"), ("0.35", "0.65"), ("0.5", "0.5")])
def test_weights_that_add_up_to_one_are_stored_exactly(organizer, competition, theory, practical):
    event = services.create_event(
        organizer, competition, event_values(theory_weight=Decimal(theory), practical_weight=Decimal(practical))
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Event, event.id)
    assert stored.theory_weight == Decimal(theory)
    assert stored.theory_weight + stored.practical_weight == Decimal(1)


def test_event_codes_are_unique_within_a_competition_only(organizer, competition):
    make_event(organizer, competition)
    with pytest.raises(InvalidInput) as refused:
        services.create_event(organizer, competition, event_values(name="另一个"))
    assert refused.value.field == "code"
    other = make_competition(organizer, name="2026年另一竞赛")
    assert services.create_event(organizer, other, event_values()).code == "HG-W"


def test_an_event_may_keep_its_own_code_when_edited(organizer, competition):
    event = make_event(organizer, competition)
    services.update_event(organizer, event, event_values(name="焊工(职工组)决赛"))
    assert event.name == "焊工(职工组)决赛"


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ((), None),
        ((("A1", "measurement", "10", "1"), ("A1", "measurement", "10", "1")), "criteria.1.code"),
        ((("A1", "measurement", "0", "1"),), "criteria.0.max_mark"),
        ((("A1", "measurement", "-5", "1"),), "criteria.0.max_mark"),
        ((("A1", "measurement", "10", "0"),), "criteria.0.step"),
        ((("A1", "measurement", "10", "3"),), "criteria.0.max_mark"),
        ((("A1", "measurement", "10.555", "0.01"),), "criteria.0.max_mark"),
        ((("A1", "guesswork", "10", "1"),), "criteria.0.kind"),
    ],
)
def test_scheme_rules_refuse_bad_rows(organizer, competition, rows, field):
    event = services.create_event(organizer, competition, event_values())
    with pytest.raises(InvalidInput) as refused:
        services.replace_marking_scheme(organizer, event, scheme_rows(*rows) if rows else [])
    assert refused.value.field == field
    assert event.criteria == []


def test_replacing_a_scheme_keeps_codes_updates_and_removes(organizer, competition):
    event = make_event(
        organizer, competition, rows=scheme_rows(("A1", "measurement", "60", "0.5"), ("B1", "judgement", "40", "1"))
    )
    kept_id = event.criteria[0].id
    services.replace_marking_scheme(
        organizer, event, scheme_rows(("C1", "measurement", "30", "1"), ("A1", "measurement", "70", "0.5"))
    )
    db.session.commit()
    codes = [(c.code, c.position, c.max_mark) for c in event.criteria]
    assert codes == [("C1", 1, Decimal(30)), ("A1", 2, Decimal(70))]
    assert db.session.get(Criterion, kept_id).max_mark == Decimal(70)
    assert event.scheme_total == Decimal(100)
    assert db.session.scalar(select(Criterion).where(Criterion.code == "B1")) is None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.scheme")).all()[-1]
    assert [c["code"] for c in entry.before["criteria"]] == ["A1", "B1"]
    assert [c["code"] for c in entry.after["criteria"]] == ["C1", "A1"]


def test_copying_an_event_carries_scheme_regions_and_moves_the_window(organizer, competition):
    region = Region(code="321300", name="宿迁市", level=RegionLevel.CITY)
    db.session.add(region)
    source = services.create_event(organizer, competition, event_values(), regions=[region])
    services.replace_marking_scheme(organizer, source, scheme_rows())
    next_year = make_competition(
        organizer, name="2027年", year=2027, starts_on=date(2027, 12, 14), ends_on=date(2027, 12, 15)
    )
    copy = services.copy_event(organizer, source, next_year)
    assert copy.code == "HG-W"
    assert [c.code for c in copy.criteria] == ["A1", "B1"]
    assert copy.eligible_regions == [region]
    assert copy.registration_closes_at == datetime(2027, 11, 30, 17)
    assert source.registration_closes_at == datetime(2026, 12, 1, 17)


def test_copying_into_the_same_competition_finds_a_free_code(organizer, competition):
    source = make_event(organizer, competition)
    first, second = (services.copy_event(organizer, source, competition) for _ in range(2))
    assert (first.code, second.code) == ("HG-W-2", "HG-W-3")


def test_copying_a_competition_copies_every_event(organizer, competition):
    make_event(organizer, competition)
    make_event(organizer, competition, code="DG-S", group="student")
    copy = services.copy_competition(
        organizer,
        competition,
        competition_values(
            name="2027年宿迁市职业技能大赛", year=2027, starts_on=date(2027, 12, 14), ends_on=date(2027, 12, 15)
        ),
    )
    assert copy.copied_from_id == competition.id
    assert [e.code for e in copy.events] == ["DG-S", "HG-W"]
    assert all(len(e.criteria) == 2 for e in copy.events)
    assert copy.owner == organizer
