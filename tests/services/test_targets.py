"""Annual targets: progress counted from the registry, validation, the audit trail and the workbook."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from compete.audit.models import AuditEntry
from compete.columns import local_now
from compete.competitions import services as competitions
from compete.errors import InvalidInput
from compete.extensions import db
from compete.honours import targets
from compete.honours.models import GradeChange, Target, TargetKind, TitleHolding
from compete.people import services as people
from compete.people.models import RegionLevel, UnitKind
from compete.workbooks import HEADER_ROW, TITLE_ROW
from tests.factories import event_values, make_competition, make_user, valid_id_number

YEAR = 2026
REGIONS = [
    ("320000", "江苏省", RegionLevel.PROVINCE, None),
    ("321300", "宿迁市", RegionLevel.CITY, "320000"),
    ("321302", "宿城区", RegionLevel.COUNTY, "321300"),
    ("321322", "沭阳县", RegionLevel.COUNTY, "321300"),
    ("321323", "泗阳县", RegionLevel.COUNTY, "321300"),
    ("140000", "山西省", RegionLevel.PROVINCE, None),
    ("140500", "晋城市", RegionLevel.CITY, "140000"),
    ("140502", "城区", RegionLevel.COUNTY, "140500"),
]
WITHDRAWN = datetime(2026, 12, 1, 9)


def title(person, name, awarded_on, withdrawn=False):
    db.session.add(
        TitleHolding(
            person_id=person.id,
            title=name,
            awarded_on=awarded_on,
            basis="test",
            withdrawn_at=WITHDRAWN if withdrawn else None,
        )
    )


def grade_change(person, grade_from, grade_to, changed_on, withdrawn=False):
    db.session.add(
        GradeChange(
            person_id=person.id,
            grade_from=grade_from,
            grade_to=grade_to,
            changed_on=changed_on,
            basis="test",
            withdrawn_at=WITHDRAWN if withdrawn else None,
        )
    )


def competition(owner, year, *region_lists):
    """A competition of the year with one event per list of eligible regions."""
    held = make_competition(
        owner, name=f"{year}年职业技能竞赛", year=year, starts_on=date(year, 12, 15), ends_on=date(year, 12, 16)
    )
    for number, regions in enumerate(region_lists):
        competitions.create_event(
            owner,
            held,
            event_values(
                code=f"E{number}",
                registration_opens_at=datetime(year, 10, 1, 9),
                registration_closes_at=datetime(year, 12, 1, 17),
            ),
            regions=regions,
        )
    return held


@pytest.fixture
def world(ctx):
    """Regions of Suqian and Jincheng, people with titles and promotions in and around 2026, competitions."""
    with force_locale("en"):
        organizer = make_user("organizer")
        regions = {}
        for code, name, level, parent in REGIONS:
            regions[code] = people.add_region(None, code=code, name=name, level=level, parent=regions.get(parent))
        units = {
            key: people.add_unit(None, name=name, kind=UnitKind.EMPLOYER, region=regions.get(code))
            for key, name, code in [
                ("shuyang", "沭阳机械厂", "321322"),
                ("suqian", "宿迁技师学院", "321300"),
                ("chengqu", "晋城城区电厂", "140502"),
                ("nowhere", "无地区单位", None),
            ]
        }

        def person(name, body, unit):
            return people.add_person(None, name=name, id_number=valid_id_number(body), unit=units[unit])

        p1 = person("张伟", "32132219900307001", "shuyang")
        p2 = person("李娜", "32130219910101002", "suqian")
        p3 = person("王强", "32130219920202003", "suqian")
        p4 = person("赵敏", "32130219930303004", "suqian")
        p5 = person("孙丽", "14050219940404005", "chengqu")
        p6 = person("周杰", "32130219950505006", "nowhere")

        title(p1, "宿迁市技术能手", date(2026, 5, 1))
        title(p1, "江苏省技术能手", date(2026, 9, 1))  # the same person: one more Technical Expert, not two
        title(p2, "宿迁市技术能手", date(2026, 3, 1), withdrawn=True)
        title(p3, "宿迁市技术能手", date(2025, 12, 31))  # last year
        title(p4, "企业首席技师", date(2026, 1, 1))
        title(p5, "城区技术能手", date(2026, 12, 31))
        title(p6, "宿迁市技术能手", date(2026, 6, 1))  # a unit without a region counts nowhere

        grade_change(p1, "g3", "g2", date(2026, 6, 1))  # promotion, and now high-skilled
        grade_change(p1, "g2", "g1", date(2026, 11, 1))  # promotion; p1 is high-skilled once
        grade_change(p2, "g4", "g3", date(2026, 7, 1))  # promotion below 技师
        grade_change(p3, "g3", "g2", date(2026, 7, 1), withdrawn=True)
        grade_change(p4, "g3", "g2", date(2025, 7, 1))  # last year
        grade_change(p5, "none", "g2", date(2026, 2, 1))  # from no grade straight to 技师
        grade_change(p5, "g2", "g3", date(2026, 3, 1))  # a correction downwards is no promotion

        competition(organizer, YEAR, [regions["321322"]])
        competition(organizer, YEAR, [regions["321322"]], [regions["321323"]])  # two counties, one competition
        competition(organizer, YEAR, [regions["321300"]])  # the city's own: not a county's
        competition(organizer, YEAR - 1, [regions["321322"]])
        competition(organizer, YEAR, [])  # open to all regions: counts for none
        db.session.flush()
        yield {"organizer": organizer, "regions": regions}


COUNTS = [
    # kind, region, actual
    (TargetKind.TECHNICAL_EXPERTS, "321300", 1),  # p1 once; p2 withdrawn, p3 last year, p6 nowhere
    (TargetKind.TECHNICAL_EXPERTS, "321322", 1),
    (TargetKind.TECHNICAL_EXPERTS, "321323", 0),
    (TargetKind.TECHNICAL_EXPERTS, "320000", 1),  # the province counts its cities' counties
    (TargetKind.TECHNICAL_EXPERTS, "140500", 1),
    (TargetKind.CHIEF_TECHNICIANS, "321300", 1),  # 1 January counts
    (TargetKind.CHIEF_TECHNICIANS, "321322", 0),
    (TargetKind.PROMOTIONS, "321300", 3),
    (TargetKind.PROMOTIONS, "321322", 2),
    (TargetKind.PROMOTIONS, "140502", 1),
    (TargetKind.PROMOTIONS, "320000", 3),
    (TargetKind.HIGH_SKILLED, "321300", 1),
    (TargetKind.HIGH_SKILLED, "140502", 1),
    (TargetKind.HIGH_SKILLED, "321323", 0),
    (TargetKind.COMPETITIONS, "321322", 2),
    (TargetKind.COMPETITIONS, "321323", 1),
    (TargetKind.COMPETITIONS, "321300", 3),
    (TargetKind.COMPETITIONS, "320000", 3),
    (TargetKind.COMPETITIONS, "140502", 0),
]


@pytest.mark.parametrize(("kind", "code", "actual"), COUNTS)
def test_progress_counts_the_region_and_the_regions_under_it(world, kind, code, actual):
    targets.set_target(world["organizer"], region=world["regions"][code], year=YEAR, kind=kind, value=2)
    (row,) = targets.progress(YEAR)
    assert (row.kind, row.region_code, row.value, row.actual) == (kind.value, code, 2, actual)
    assert row.met is (actual >= 2)
    assert row.percent == Decimal(actual * 50).quantize(Decimal("0.1"))


def test_other_years_count_their_own(world):
    for kind in ("competitions", "technical_experts", "promotions", "high_skilled"):
        targets.set_target(world["organizer"], region=world["regions"]["321300"], year=YEAR - 1, kind=kind, value=1)
    # 2025: one competition, p3's title of 31 December, p4's promotion to 技师.
    assert [(row.kind, row.actual) for row in targets.progress(YEAR - 1)] == [
        ("competitions", 1),
        ("technical_experts", 1),
        ("promotions", 1),
        ("high_skilled", 1),
    ]
    assert targets.progress(YEAR) == []  # targets belong to their year


def test_a_per_county_target_gives_one_row_per_county(world):
    suqian = world["regions"]["321300"]
    targets.set_target(
        world["organizer"], region=suqian, year=YEAR, kind="competitions", value=2, per_county=True, note="各县区"
    )
    rows = targets.progress(YEAR)
    assert [(r.region_name, r.actual, r.percent, r.met) for r in rows] == [
        ("宿城区", 0, Decimal("0.0"), False),
        ("沭阳县", 2, Decimal("100.0"), True),
        ("泗阳县", 1, Decimal("50.0"), False),
    ]
    assert {(r.set_for, r.per_county, r.note) for r in rows} == {("江苏省宿迁市", True, "各县区")}
    # A county's view shows the row its city's target gives it, and nothing of the other counties.
    assert [r.region_name for r in targets.progress(YEAR, world["regions"]["321322"])] == ["沭阳县"]
    assert len(targets.progress(YEAR, world["regions"]["320000"])) == 3
    assert targets.progress(YEAR, world["regions"]["140500"]) == []


def test_rows_come_by_region_then_kind(world):
    regions = world["regions"]
    for code, kind in [("321300", "promotions"), ("140502", "technical_experts"), ("321300", "technical_experts")]:
        targets.set_target(world["organizer"], region=regions[code], year=YEAR, kind=kind, value=5)
    assert [(r.region_code, r.kind) for r in targets.progress(YEAR)] == [
        ("140502", "technical_experts"),
        ("321300", "technical_experts"),
        ("321300", "promotions"),
    ]


@pytest.mark.parametrize(
    ("actual", "value", "expected"),
    [
        (1, 16, "6.3"),  # 6.25: half-up, not to even
        (3, 16, "18.8"),  # 18.75
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (0, 5, "0.0"),
        (5, 5, "100.0"),
        (30, 20, "150.0"),  # over the target is shown as such
        (1999, 2000, "100.0"),  # rounds to 100 while not met: met compares the counts, not the percent
    ],
)
def test_percent_is_exact_and_rounded_half_up(actual, value, expected):
    assert targets.percent(actual, value) == Decimal(expected)


def test_saving_again_changes_the_target_and_the_trail_shows_what_changed(world):
    suqian = world["regions"]["321300"]
    first = targets.set_target(world["organizer"], region=suqian, year=YEAR, kind="technical_experts", value=50)
    again = targets.set_target(
        world["organizer"], region=suqian, year=YEAR, kind=TargetKind.TECHNICAL_EXPERTS, value=60, note=" 宿迁 "
    )
    targets.set_target(world["organizer"], region=suqian, year=YEAR, kind="technical_experts", value=60, note="宿迁")
    assert again.id == first.id and (again.value, again.note) == (60, "宿迁")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "targets")).all()
    assert [entry.action for entry in entries] == ["target.create", "target.update"]  # no change, no entry
    assert entries[1].before == {"value": 50, "note": ""} and entries[1].after == {"value": 60, "note": "宿迁"}
    targets.delete_target(world["organizer"], again)
    assert db.session.scalars(select(Target)).all() == []
    last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (last.action, last.before["value"]) == ("target.delete", 60)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"year": 1999}, "year", "Enter a year between 2000 and 2100."),
        ({"year": 2101}, "year", "Enter a year between 2000 and 2100."),
        ({"value": 0}, "value", "A target is a whole number of 1 or more."),
        ({"value": -3}, "value", "A target is a whole number of 1 or more."),
        ({"kind": "medals"}, "kind", "Choose a kind of target from the list."),
        ({"region": None}, "region_id", "Choose a region."),
        ({"note": "注" * 201}, "note", "At most 200 characters."),
        (
            {"region": "321322", "per_county": True},
            "per_county",
            "“Each county” needs a province or a city: 沭阳县 is itself a county.",
        ),
    ],
)
def test_bad_values_are_refused_with_a_message(world, changes, field, message):
    values = {"region": "321300", "year": YEAR, "kind": "competitions", "value": 15, "per_county": False, "note": ""}
    values |= changes
    code = values.pop("region")
    region = world["regions"][code] if code else None
    with force_locale("en"), pytest.raises(InvalidInput) as refused:
        targets.set_target(world["organizer"], region=region, **values)
    assert (refused.value.field, str(refused.value.message)) == (field, message)
    assert db.session.scalars(select(Target)).all() == []


def test_the_demo_sets_the_seeds_targets_for_this_year(world):
    made = targets.demo_targets(world["regions"])
    assert {(t.region.code, t.kind.value, t.value, t.per_county, t.note, t.year) for t in made} == {
        ("321300", "technical_experts", 50, False, "宿迁市技术能手", local_now().year),
        ("321300", "chief_technicians", 20, False, "企业首席技师", local_now().year),
        ("321300", "competitions", 15, True, "各县区每年≥15场", local_now().year),
        ("140502", "technical_experts", 10, False, "城区技术能手", local_now().year),
    }
    targets.demo_targets(world["regions"])  # again: the same four, changed in place
    assert len(db.session.scalars(select(Target)).all()) == 4


def test_the_workbook_holds_the_figures(world):
    regions = world["regions"]
    targets.set_target(world["organizer"], region=regions["321300"], year=YEAR, kind="promotions", value=4)
    targets.set_target(
        world["organizer"], region=regions["321300"], year=YEAR, kind="competitions", value=2, per_county=True
    )
    with force_locale("en"):
        content = targets.targets_workbook(YEAR)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.cell(TITLE_ROW, 1).value == "Annual targets 2026: progress"
    assert [cell.value for cell in sheet[HEADER_ROW]][:7] == [
        "Region",
        "Division code",
        "Kind of target",
        "Target",
        "Actual",
        "Completion",
        "Target met",
    ]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=HEADER_ROW + 1)]
    assert [row[:5] for row in rows] == [
        ["江苏省宿迁市宿城区", "321302", "Competitions held", 2, 0],
        ["江苏省宿迁市沭阳县", "321322", "Competitions held", 2, 2],
        ["江苏省宿迁市泗阳县", "321323", "Competitions held", 2, 1],
        ["江苏省宿迁市", "321300", "Skill grade promotions", 4, 3],
    ]
    assert [row[5] for row in rows] == pytest.approx([0, 1, 0.5, 0.75])
    assert sheet.cell(HEADER_ROW + 1, 6).number_format == "0.0%"
    assert [row[6] for row in rows] == ["No", "Yes", "No", "No"]
    assert rows[0][7] == "each county of 江苏省宿迁市"


def test_an_empty_year_still_gives_a_workbook_with_its_headers(ctx):
    with force_locale("en"):
        sheet = load_workbook(io.BytesIO(targets.targets_workbook(2030))).active
    assert sheet.cell(HEADER_ROW, 1).value == "Region" and sheet.max_row == HEADER_ROW
