"""Organizer forms: bad input answers next to the field, keeps what was typed, never a 500."""

import re

import pytest
from sqlalchemy import func, select

from compete.competitions.models import Competition, Criterion, Event
from compete.extensions import db
from compete.people.models import Person, Region

COMPETITION_FORM = {
    "name": "2027年宿迁市职业技能大赛",
    "level": "municipal-1",
    "year": "2027",
    "starts_on": "2027-10-15",
    "ends_on": "2027-10-16",
    "venue": "宿迁技师学院",
    "organizer_body": "宿迁市人力资源和社会保障局",
    "policy_preset": "suqian",
    "description": "",
}
EVENT_FORM = {
    "code": "CG-W",
    "name": "车工(职工组)",
    "occupation": "车工",
    "group": "worker",
    "theory_weight": "0.3",
    "practical_weight": "0.7",
    "aggregation": "mean",
    "tie_break_1": "total",
    "tie_break_2": "time",
    "tie_break_3": "",
    "tie_break_4": "",
    "award_scheme": "places",
    "pass_mark": "60",
    "judges_per_station": "3",
    "discrepancy_percent": "20",
    "capacity": "",
    "registration_opens_at": "2026-11-01T09:00",
    "registration_closes_at": "2026-12-01T17:00",
    "min_age": "",
    "max_age": "",
    "required_grade": "",
}


def field_errors(html: str) -> dict[str, str]:
    """Map each invalid field's name to the message shown under it."""
    errors = {}
    for match in re.finditer(
        r'name="([^"]+)"[^>]*class="[^"]*is-invalid|class="[^"]*is-invalid[^"]*"[^>]*name="([^"]+)"', html
    ):
        name = match.group(1) or match.group(2)
        feedback = re.search(r"invalid-feedback[^>]*>\s*([^<]+)", html[match.end() :])
        errors[name] = feedback.group(1).strip() if feedback else ""
    return errors


@pytest.fixture
def read(app):
    """Run a query in a context of its own: a request must never share the test's session."""

    def run(query):
        with app.app_context():
            try:
                return query()
            finally:
                db.session.remove()

    return run


def count(read, model) -> int:
    return read(lambda: db.session.scalar(select(func.count()).select_from(model)))


@pytest.fixture
def organizer(as_role, world):
    return as_role("organizer")


def test_an_organizer_sets_up_a_competition_with_two_events_and_schemes(read, organizer):
    response = organizer.post("/admin/competitions/new", data=COMPETITION_FORM)
    assert response.status_code == 302
    competition_url = response.headers["Location"]
    competition_id = int(competition_url.rsplit("/", 1)[1])
    for code, rows in (
        ("CG-W", [("A1", "measurement", "60", "0.5"), ("B1", "judgement", "40", "1")]),
        ("CG-S", [("A1", "measurement", "100", "1")]),
    ):
        response = organizer.post(f"/admin/competitions/{competition_id}/events/new", data=EVENT_FORM | {"code": code})
        assert response.status_code == 302, field_errors(response.text)
        scheme_url = response.headers["Location"]
        data = {}
        for index, (criterion, kind, maximum, step) in enumerate(rows):
            data |= {
                f"criteria-{index}-code": criterion,
                f"criteria-{index}-name": f"项目{criterion}",
                f"criteria-{index}-kind": kind,
                f"criteria-{index}-max_mark": maximum,
                f"criteria-{index}-step": step,
            }
        assert organizer.post(scheme_url, data=data).status_code == 302
    page = organizer.get(competition_url).text
    assert 'data-event-code="CG-W"' in page and 'data-event-code="CG-S"' in page
    assert page.count("data-scheme-total>100<") == 2
    codes, owner = read(
        lambda: (
            [e.code for e in db.session.get(Competition, competition_id).events],
            db.session.get(Competition, competition_id).owner.username,
        )
    )
    assert codes == ["CG-S", "CG-W"]
    assert owner == "organizer"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"theory_weight": "0.3", "practical_weight": "0.6"}, "practical_weight", "add up to 1; they add up to 0.9"),
        ({"theory_weight": "abc"}, "theory_weight", "Enter a number"),
        ({"theory_weight": "NaN"}, "theory_weight", "Enter a number"),
        ({"practical_weight": "1e999999"}, "practical_weight", "Enter a number"),
        (
            {"registration_opens_at": "2026-12-01T09:00", "registration_closes_at": "2026-11-01T09:00"},
            "registration_closes_at",
            "close after it opens",
        ),
        ({"code": "HG-W"}, "code", "already used"),
        ({"code": "焊工 1"}, "code", "letters, digits"),
        ({"name": "焊" * 10000}, "name", "At most 200 characters"),
        ({"judges_per_station": "99999999999999999999"}, "judges_per_station", "between 1 and 15"),
        ({"min_age": "40", "max_age": "30"}, "max_age", "cannot be below"),
        ({"pass_mark": "101"}, "pass_mark", "between 0 and 100"),
    ],
)
def test_bad_event_settings_are_answered_next_to_the_field(read, organizer, world, changes, field, message):
    before = count(read, Event)
    response = organizer.post(f"/admin/competitions/{world['mine']}/events/new", data=EVENT_FORM | changes)
    assert response.status_code == 200
    errors = field_errors(response.text)
    assert field in errors, errors
    assert message in errors[field]
    typed = next(iter(changes.values()))
    if len(typed) < 100:
        assert f'value="{typed}"' in response.text  # what was typed is still there
    assert count(read, Event) == before


@pytest.mark.parametrize(
    ("rows", "field", "message"),
    [
        ([("A1", "measurement", "-5", "1")], "criteria-0-max_mark", "greater than 0"),
        ([("A1", "measurement", "0", "1")], "criteria-0-max_mark", "greater than 0"),
        ([("A1", "measurement", "10", "1"), ("A1", "judgement", "10", "1")], "criteria-1-code", "appears twice"),
        ([("A1", "measurement", "ten", "1")], "criteria-0-max_mark", "Enter a number"),
        ([("A1", "measurement", "10", "3")], "criteria-0-max_mark", "multiple of the step"),
        ([("A" * 10000, "measurement", "10", "1")], "criteria-0-code", "At most 20 characters"),
    ],
)
def test_bad_criteria_are_answered_in_their_row(read, organizer, world, rows, field, message):
    data = {}
    for index, (code, kind, maximum, step) in enumerate(rows):
        data |= {
            f"criteria-{index}-code": code,
            f"criteria-{index}-name": "评分项",
            f"criteria-{index}-kind": kind,
            f"criteria-{index}-max_mark": maximum,
            f"criteria-{index}-step": step,
        }

    def scheme():
        query = select(Criterion).where(Criterion.event_id == world["event"]).order_by(Criterion.position)
        return read(lambda: [(c.code, c.max_mark) for c in db.session.scalars(query)])

    before = scheme()
    response = organizer.post(f"/admin/events/{world['event']}/scheme", data=data)
    assert response.status_code == 200
    errors = field_errors(response.text)
    assert message in errors.get(field, ""), errors
    assert scheme() == before  # nothing half-written


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": "2027-10-14"}, "ends_on", "cannot end before it starts"),
        ({"starts_on": "2027-02-30"}, "starts_on", "date"),
        ({"year": "20270"}, "year", "between 2000 and 2100"),
        ({"name": "x" * 10000}, "name", "At most 200 characters"),
        ({"description": "说明" * 5000}, "description", "At most 5000 characters"),
        ({"level": "galactic"}, "level", "valid choice"),
    ],
)
def test_bad_competition_settings_are_answered_next_to_the_field(read, organizer, changes, field, message):
    before = count(read, Competition)
    response = organizer.post("/admin/competitions/new", data=COMPETITION_FORM | changes)
    assert response.status_code == 200
    errors = field_errors(response.text)
    assert message in errors.get(field, ""), errors
    assert count(read, Competition) == before


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("321302199003070018", "last character does not match"),
        ("321302199002300019", "not a real date"),
        ("32130219900307", "18 characters"),
        ("3213021990030700１８", "last character"),  # full-width digits are read, the check still applies
    ],
)
def test_a_bad_id_number_is_answered_and_kept(read, organizer, number, message):
    response = organizer.post(
        "/admin/people/new", data={"name": "张伟", "id_number": number, "phone": "", "unit_id": "0", "grade": "g3"}
    )
    assert response.status_code == 200
    errors = field_errors(response.text)
    assert message in errors.get("id_number", ""), errors
    assert f'value="{number}"' in response.text
    assert count(read, Person) == 0


def test_a_valid_person_is_added_and_shown_masked(organizer):
    response = organizer.post(
        "/admin/people/new",
        data={"name": "张伟", "id_number": "321302199003070019", "phone": "", "unit_id": "0", "grade": "g3"},
    )
    assert response.status_code == 302
    page = organizer.get("/admin/people").text
    assert "3213**********0019" in page
    assert "321302199003070019" not in page


def test_copying_a_competition_carries_events_into_next_year(read, organizer, world):
    response = organizer.post(f"/admin/competitions/{world['mine']}/copy", data=COMPETITION_FORM)
    assert response.status_code == 302
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    copied_from, events = read(
        lambda: (
            db.session.get(Competition, copy_id).copied_from_id,
            [(e.code, len(e.criteria)) for e in db.session.get(Competition, copy_id).events],
        )
    )
    assert copied_from == world["mine"]
    assert events == [("HG-W", 2)]


def test_announcing_puts_a_competition_on_the_public_home_page(client, organizer, world):
    assert "宿迁" not in client.get("/").text
    organizer.post(f"/admin/competitions/{world['mine']}/announce")
    assert "2026年宿迁市职业技能大赛" in client.get("/").text
    assert client.get(f"/competitions/{world['mine']}").status_code == 200
    assert client.get(f"/competitions/{world['theirs']}").status_code == 404


def test_regions_are_added_under_a_higher_level_and_chosen_for_an_event(read, organizer, world):
    assert (
        organizer.post(
            "/admin/regions", data={"code": "320000", "name": "江苏省", "level": "province", "parent_id": "0"}
        ).status_code
        == 302
    )
    province = read(lambda: db.session.scalar(select(Region.id).where(Region.code == "320000")))
    response = organizer.post(
        "/admin/regions", data={"code": "321300", "name": "宿迁市", "level": "province", "parent_id": str(province)}
    )
    assert "higher level" in field_errors(response.text).get("parent_id", "")
    assert (
        organizer.post(
            "/admin/regions", data={"code": "321300", "name": "宿迁市", "level": "city", "parent_id": str(province)}
        ).status_code
        == 302
    )
    city = read(lambda: db.session.scalar(select(Region.id).where(Region.code == "321300")))
    response = organizer.post(
        f"/admin/events/{world['event']}/edit", data=EVENT_FORM | {"code": "HG-W", "region_ids": [str(city)]}
    )
    assert response.status_code == 302
    assert read(lambda: [r.full_name for r in db.session.get(Event, world["event"]).eligible_regions]) == [
        "江苏省宿迁市"
    ]
    assert f'id="region-{city}" checked' in organizer.get(f"/admin/events/{world['event']}/edit").text
