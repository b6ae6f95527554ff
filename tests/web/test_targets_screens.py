"""The targets dashboard: progress per region and kind, targets saved and deleted, the workbook."""

import io
from datetime import date

import pytest
from flask_babel import force_locale, gettext
from openpyxl import load_workbook
from sqlalchemy import select

from compete.extensions import db
from compete.honours import targets
from compete.honours.models import Target, TargetKind, TitleHolding
from compete.people import services as people
from compete.people.models import Region, RegionLevel
from compete.workbooks import HEADER_ROW
from tests.factories import valid_id_number

YEAR = 2026


@pytest.fixture
def regions(app, world):
    """Suqian with two counties, an expert of 2026 in one of them, and the city's target of 50 experts."""
    with app.test_request_context(), force_locale("en"):
        jiangsu = people.add_region(None, code="320000", name="江苏省", level=RegionLevel.PROVINCE)
        suqian = people.add_region(None, code="321300", name="宿迁市", level=RegionLevel.CITY, parent=jiangsu)
        shuyang = people.add_region(None, code="321322", name="沭阳县", level=RegionLevel.COUNTY, parent=suqian)
        people.add_region(None, code="321323", name="泗阳县", level=RegionLevel.COUNTY, parent=suqian)
        unit = people.add_unit(None, name="沭阳机械厂", kind="employer", region=shuyang)
        person = people.add_person(None, name="张伟", id_number=valid_id_number("32132219900307001"), unit=unit)
        db.session.add(
            TitleHolding(person_id=person.id, title="宿迁市技术能手", awarded_on=date(2026, 5, 1), basis="t")
        )
        target = targets.set_target(None, region=suqian, year=YEAR, kind="technical_experts", value=50, note="宿迁")
        db.session.commit()
        return {"suqian": suqian.id, "shuyang": shuyang.id, "target": target.id}


def saved_targets(app):
    with app.app_context():
        return {(t.region_id, t.kind.value, t.value, t.per_county) for t in db.session.scalars(select(Target))}


def test_the_page_shows_progress_with_a_chart_in_english(as_role, regions):
    page = as_role("organizer").get(f"/admin/targets?year={YEAR}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Annual targets 2026" in text and "Technical Experts" in text
    assert 'data-row="321300-technical_experts"' in text and "江苏省宿迁市" in text
    assert "<svg" in text and 'data-bar="321300-technical_experts"' in text
    assert "1/50 · 2.0%" in text  # one expert of fifty
    assert "Not yet met" in text


def test_the_page_speaks_chinese_by_default(app, as_role, regions):
    text = as_role("organizer", "zh_CN").get(f"/admin/targets?year={YEAR}").get_data(as_text=True)
    assert '<html lang="zh-CN">' in text
    with app.test_request_context(), force_locale("zh_CN"):
        # The catalogue's words, whatever they are today: the page shows the translation, never the English.
        expected = [gettext("Technical Experts"), gettext("Annual targets %(year)s", year=YEAR)]
        assert gettext("Region") == "地区"
    assert all(word in text for word in expected)
    assert "地区" in text and "宿迁市" in text


def test_the_year_picker_falls_back_to_this_year_on_nonsense(as_role, regions):
    client = as_role("organizer")
    for query in ("?year=abc", "?year=1999", "?year=99999", ""):
        assert client.get(f"/admin/targets{query}").status_code == 200, query
    text = client.get(f"/admin/targets?year={YEAR + 1}").get_data(as_text=True)
    assert "No targets for 2027 yet." in text and f'href="/admin/targets?year={YEAR}"' in text


def test_a_target_is_added_changed_and_deleted(app, as_role, regions):
    client = as_role("organizer")
    values = {"region_id": regions["suqian"], "kind": "competitions", "year": YEAR, "value": "15", "per_county": "y"}
    response = client.post("/admin/targets", data=values | {"note": "各县区每年≥15场"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/targets?year={YEAR}")
    assert (regions["suqian"], "competitions", 15, True) in saved_targets(app)
    page = client.get(f"/admin/targets?year={YEAR}").get_data(as_text=True)
    assert 'data-row="321322-competitions"' in page and 'data-row="321323-competitions"' in page
    assert "each county of 江苏省宿迁市" in page
    changed = client.post("/admin/targets", data=values | {"value": "１８"})  # full-width digits, as typed in Chinese
    assert changed.status_code == 302
    assert (regions["suqian"], "competitions", 18, True) in saved_targets(app)
    with app.app_context():
        target_id = db.session.scalar(select(Target.id).where(Target.kind == TargetKind.COMPETITIONS))
    assert 'value="18"' in client.get(f"/admin/targets?year={YEAR}&edit={target_id}").get_data(as_text=True)
    deleted = client.post(f"/admin/targets/{target_id}/delete")
    assert deleted.status_code == 302
    assert saved_targets(app) == {(regions["suqian"], "technical_experts", 50, False)}
    assert client.post(f"/admin/targets/{target_id}/delete").status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": "0"}, "A target is a whole number of 1 or more."),
        ({"value": "abc"}, "Enter a whole number, such as 15."),
        ({"value": ""}, "Enter the target value."),
        ({"year": "1999"}, "Enter a year between 2000 and 2100."),
        ({"kind": ""}, "Choose a kind of target from the list."),
        ({"region_id": "0"}, "Choose a region."),
        ({"region_id": "shuyang", "per_county": "y"}, "is itself a county."),
    ],
)
def test_bad_input_shows_the_message_and_saves_nothing(app, as_role, regions, changes, message):
    values = {"region_id": regions["suqian"], "kind": "promotions", "year": YEAR, "value": "5"} | changes
    if values["region_id"] == "shuyang":
        values["region_id"] = regions["shuyang"]
    response = as_role("organizer").post("/admin/targets", data=values)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert saved_targets(app) == {(regions["suqian"], "technical_experts", 50, False)}


def test_a_bad_input_message_is_translated(app, as_role, regions):
    data = {"region_id": regions["suqian"], "kind": "promotions", "year": YEAR, "value": "0"}
    response = as_role("organizer", "zh_CN").post("/admin/targets", data=data)
    with app.test_request_context(), force_locale("zh_CN"):
        expected = gettext("A target is a whole number of 1 or more.")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="zh-CN">' in text and expected in text


def test_the_workbook_downloads_with_the_figures(as_role, regions):
    response = as_role("organizer").get(f"/admin/targets.xlsx?year={YEAR}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "targets-2026.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    row = [cell.value for cell in sheet[HEADER_ROW + 1]]
    assert row[:5] == ["江苏省宿迁市", "321300", "Technical Experts", 50, 1]


def test_other_roles_cannot_open_or_change_targets(app, as_role, regions):
    judge = as_role("judge")
    assert judge.get("/admin/targets").status_code == 403
    assert judge.get("/admin/targets.xlsx").status_code == 403
    assert judge.post(f"/admin/targets/{regions['target']}/delete").status_code == 403
    with app.app_context():
        assert db.session.get(Target, regions["target"]) is not None
        assert db.session.get(Region, regions["suqian"]) is not None
