"""The tablet's API: marks stored once per key, refusals as JSON with 4xx, only for a judge signed in by link."""

import pytest
from sqlalchemy import func, select

from compete.competitions.models import Event
from compete.extensions import db
from compete.scoring.models import MarkVersion
from compete.venue import judging
from compete.venue import services as venue
from tests.factories import sign_in
from tests.venue_world import COMPETITORS, build_day, staff_the_day


def read(app, query):
    with app.app_context():
        try:
            return query()
        finally:
            db.session.remove()


@pytest.fixture
def tablet(app):
    """A tablet signed in by the first judge's link, with the station and criteria it marks."""
    with app.test_request_context():
        built = staff_the_day(build_day())
        event, organizer = built["event"], built["organizer"]
        judge = built["judges"][0]
        link = judging.issue_link(organizer, event, judge)
        mine = judging.stations_of(judge, event)
        others = sorted(set(venue.station_numbers(event)) - set(mine))
        info = {
            "token": link.token,
            "station": mine[0],
            "other_station": others[0],
            "event": event.id,
            "criteria": {c.code: c.id for c in event.criteria},
        }
        db.session.commit()
    client = app.test_client()
    client.get(f"/judge/link/{info['token']}")
    client.post("/language", data={"locale": "en"})
    return client, info


def put(client, info, code, value, *, base=0, key="k1", station=None):
    url = f"/api/v1/stations/{station or info['station']}/marks/{info['criteria'][code]}"
    return client.put(url, json={"value": value, "base_version": base, "key": key})


def versions(app) -> int:
    return read(app, lambda: db.session.scalar(select(func.count()).select_from(MarkVersion)))


def test_a_mark_sent_twice_with_its_key_is_stored_once(app, tablet):
    client, info = tablet
    first = put(client, info, "A1", "42.5")
    again = put(client, info, "A1", "42.5")
    assert first.status_code == 200 and first.json == {"value": "42.5", "version": 1, "replayed": False}
    assert again.status_code == 200 and again.json["replayed"] is True and again.json["version"] == 1
    assert versions(app) == 1
    sheet = client.get(f"/api/v1/stations/{info['station']}").json
    assert sheet["marked"] == 1 and sheet["marks"][str(info["criteria"]["A1"])]["version"] == 1


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"code": "A1", "value": "61"}, 422, "above this criterion's maximum"),
        ({"code": "A1", "value": "-0.5"}, 422, "below 0"),
        ({"code": "A1", "value": "abc"}, 422, "Enter a number"),
        ({"code": "B1", "value": "5"}, 422, "0, 1, 2 or 3"),
        ({"code": "A1", "value": "10", "other": True}, 403, "not assigned to you"),
        ({"code": "A1", "value": "10", "base": 3}, 409, "changed meanwhile"),
    ],
)
def test_bad_marks_are_refused_with_a_json_message_and_nothing_is_stored(app, tablet, change, status, message):
    client, info = tablet
    response = put(
        client,
        info,
        change["code"],
        change["value"],
        base=change.get("base", 0),
        station=info["other_station"] if change.get("other") else None,
    )
    assert response.status_code == status and message in response.json["error"]
    assert versions(app) == 0


def test_a_replayed_key_with_another_value_is_a_conflict(app, tablet):
    client, info = tablet
    put(client, info, "A1", "42.5")
    response = put(client, info, "A1", "40")
    assert response.status_code == 409 and "different value" in response.json["error"]


def test_a_criterion_of_another_event_and_a_missing_version_are_refused(app, tablet):
    client, info = tablet
    wrong = client.put(f"/api/v1/stations/{info['station']}/marks/99999", json={"value": "1", "base_version": 0})
    assert wrong.status_code == 404 and wrong.json["field"] == "criterion"
    no_version = client.put(
        f"/api/v1/stations/{info['station']}/marks/{info['criteria']['A1']}", json={"value": "1", "key": "x"}
    )
    assert no_version.status_code == 422 and no_version.json["field"] == "base_version"


def test_only_a_judge_tablet_signed_in_by_link_may_use_the_api(app, tablet):
    assert app.test_client().get("/api/v1/stations").status_code == 401
    organizer = app.test_client()
    sign_in(organizer, "organizer")
    refused = organizer.get("/api/v1/stations")
    assert refused.status_code == 403 and refused.is_json


def test_the_station_page_shows_the_criteria_and_no_names(app, tablet):
    client, info = tablet
    page = client.get(f"/judge/stations/{info['station']}")
    assert page.status_code == 200 and "data-mark-sheet" in page.text
    assert not any(name in page.text for name in COMPETITORS)
    assert client.get(f"/judge/stations/{info['other_station']}").status_code == 404


def test_a_submitted_station_refuses_further_marks(app, tablet):
    client, info = tablet
    assert client.post(f"/api/v1/stations/{info['station']}/submit").status_code == 422  # nothing marked yet
    put(client, info, "A1", "40", key="a")
    put(client, info, "B1", "2", key="b")
    submitted = client.post(f"/api/v1/stations/{info['station']}/submit")
    assert submitted.status_code == 200 and submitted.json["submitted"] is True
    late = put(client, info, "A1", "41", base=1, key="c")
    assert late.status_code == 409 and "only the chief judge" in late.json["error"]
    assert read(app, lambda: db.session.get(Event, info["event"])) is not None


def test_the_openapi_document_describes_every_route_of_the_api(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    described = {f"/api/v1{path}".replace("{", "<").replace("}", ">") for path in spec["paths"]}
    routes = {
        rule.rule.replace("<int:", "<")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
    }
    assert {route.replace("<criterion_id>", "<criterion>") for route in routes} == described
