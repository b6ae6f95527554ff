"""Schemathesis against /api/v1/openapi.json: a judge's tablet session, real ids; no 500, every answer as documented."""

import re
import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from sqlalchemy import select

from compete.extensions import db
from compete.scoring.models import Mark
from compete.venue import judging
from compete.venue import services as venue
from compete.web.api.openapi import SPEC
from tests.venue_world import build_day, staff_the_day
from tests.web.test_scoring_api import tablet  # noqa: F401  (the fixture: a judge's tablet signed in by link)
from tests.web.test_scoring_api import versions as count_versions

# Bounded so that the file runs in well under a minute on SQLite; derandomized so that CI sees the same cases.
FUZZ_SETTINGS = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,  # a request that builds a sheet may take longer than 200 ms on a busy machine
    # The health checks judge how fast schemathesis generates bodies, not the API; a shared CI machine trips them.
    suppress_health_check=list(HealthCheck),
)
# What schemathesis expects of a well-formed request by default.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
# Marks at and around the limits of the scheme's criteria (A1: 0-60 in steps of 0.5; B1: a score 0-3), and
# numbers that are not plain decimals.
EDGE_VALUES = [
    "0",
    "1",
    "2",
    "3",
    "4",
    "42.5",
    "42.25",
    "60",
    "60.5",
    "-0.5",
    "1e1",
    "4E+1",
    " 7 ",
    "42。5",
    "４２",
    "NaN",
    "-Infinity",
    "1e999999999",
    "0E+999999999",
    "1e-999999999",
    "99999999999999999999.5",
    "0.000000000000000000001",
    "1_0",
    "+3",
]
BOUNDARY_IDS = [2**31 - 1, 2**31, 2**63, 2**64]
CSRF_FIELD = re.compile(r'data-csrf="([^"]+)"')


@pytest.fixture
def fuzz_world(app):
    """A staffed competition day; the first judge's tablet signed in by its badge link, as at the venue."""
    with app.test_request_context():
        built = staff_the_day(build_day())
        event, judge = built["event"], built["judges"][0]
        link = judging.issue_link(built["organizer"], event, judge)
        mine = judging.stations_of(judge, event)
        ids = {
            "stations": [*mine, *sorted(set(venue.station_numbers(event)) - set(mine))],
            "criteria": [criterion.id for criterion in event.criteria],
            "token": link.token,
            "judge": judge.id,
        }
        db.session.commit()
    judge_tablet = app.test_client()
    judge_tablet.get(f"/judge/link/{ids['token']}")
    ids["client"] = judge_tablet
    ids["csrf"] = CSRF_FIELD.search(judge_tablet.get(f"/judge/stations/{mine[0]}").text).group(1)
    return ids


# The document as served (a test below holds the two equal). Loaded at import, as the pytest plugin wants:
# its fixture-based loader does not run under pytest 9.
schema = schemathesis.openapi.from_dict(
    SPEC,
    config=SchemathesisConfig.from_dict(
        {
            # A well-formed mark can still break its criterion's rules (above the maximum, off the step, a score
            # other than 0-3) and a sheet can still have criteria to mark: data the document cannot state.
            "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}}
        }
    ),
)


def test_the_fuzzed_document_is_the_one_served(client):
    assert client.get("/api/v1/openapi.json").json == SPEC


def _real(value, known: list[int]):
    """Most generated ids become real ones, so that the fuzz reaches the services and not only the 404; some
    become the integers at the database's limits."""
    number = int(value) if isinstance(value, str) and value.isdigit() else value
    if isinstance(number, int) and not isinstance(number, bool) and number % 4 != 3:
        choices = [*known, *BOUNDARY_IDS]
        return choices[zlib.crc32(str(number).encode()) % len(choices)]
    return value


def _steer_body(body, current_version: int) -> None:
    """Half the marks become numbers near the criteria's limits, half the changes name the version stored."""
    if not isinstance(body, dict):
        return
    value, base_version = body.get("value"), body.get("base_version")
    if isinstance(value, str):
        choice = zlib.crc32(value.encode("utf-8", "surrogatepass"))
        if choice % 2 == 0:
            body["value"] = EDGE_VALUES[choice // 2 % len(EDGE_VALUES)]
    if isinstance(base_version, int) and not isinstance(base_version, bool) and base_version % 2 == 0:
        body["base_version"] = current_version


def _current_version(world, station, criterion) -> int:
    """The version a tablet would hold of this mark (0 for none), for changes that are not stale."""
    if not (isinstance(station, int) and isinstance(criterion, int) and max(station, criterion) < 2**31):
        return 0
    mark = select(Mark.version).where(
        Mark.judge_id == world["judge"], Mark.station_number == station, Mark.criterion_id == criterion
    )
    version = db.session.scalar(mark)
    db.session.remove()
    return version or 0


@schema.parametrize()
@FUZZ_SETTINGS
def test_the_api_never_fails_and_answers_as_documented(case, app, fuzz_world, monkeypatch):
    # The tablet's own protection is on, as in production: changes carry the marking page's token.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    parameters = case.path_parameters or {}
    if "station" in parameters:
        parameters["station"] = _real(parameters["station"], fuzz_world["stations"])
    if "criterion" in parameters:
        parameters["criterion"] = _real(parameters["criterion"], fuzz_world["criteria"])
        with app.app_context():
            current = _current_version(fuzz_world, parameters["station"], parameters["criterion"])
        _steer_body(case.body, current)
    case.call_and_validate(app=app, session=fuzz_world["client"], headers={"X-CSRFToken": fuzz_world["csrf"]})


@pytest.mark.parametrize(
    ("station", "criterion", "change", "status", "field"),
    [
        (2**64, "A1", {}, 403, "station"),  # once an OverflowError binding the number: a 500
        (None, 2**64, {}, 404, "criterion"),
        (None, "A1", {"key": "tablet\x00key"}, 422, "key"),  # PostgreSQL refuses a NUL in text: a 500
        (None, "A1", {"value": "1e999999999"}, 422, "value"),  # its exact arithmetic held the worker for minutes
        (None, "A1", {"value": "1e-999999999"}, 422, "value"),
        (None, "A1", {"value": 42.5}, 422, "value"),  # a JSON number: the document says text
    ],
)
def test_what_the_fuzz_found_is_refused_with_a_message(app, tablet, station, criterion, change, status, field):  # noqa: F811
    client, info = tablet
    criterion_id = info["criteria"].get(criterion, criterion)
    url = f"/api/v1/stations/{station or info['station']}/marks/{criterion_id}"
    answer = client.put(url, json={"value": "42.5", "base_version": 0, "key": "k1"} | change)
    assert answer.status_code == status and answer.json["field"] == field and answer.json["error"]
    assert count_versions(app) == 0


def test_a_refused_method_says_which_are_allowed(client):
    answer = client.delete("/api/v1/stations/1/submit")
    assert answer.status_code == 405 and answer.is_json
    assert set(answer.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
