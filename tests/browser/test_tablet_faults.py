"""A judge marks every station on a tablet while one mark request in ten fails: every mark is stored exactly once."""

import json
import re
from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from compete.extensions import db
from compete.scoring.models import Mark, MarkVersion
from tests.browser.helpers import TABLET
from tests.browser.test_scoring_tablet import prepare_marking, sheet_is_live

# Seven measurement criteria (0-20 in steps of 0.5) and three judgement criteria (scores 0-3).
SCHEME = [(f"A{n}", "measurement", "20", "0.5") for n in range(1, 8)] + [
    (f"B{n}", "judgement", "30", "1") for n in range(1, 4)
]
# Every tenth mark request fails, from the first on, in turn: its answer lost after the mark was stored, a 503
# after the mark was stored (the database went away as the answer was written), or refused before the server.
FAILURE_EVERY, FAILURE_AT = 10, 1
FAILURES = ("answer lost", "503 after storing", "not sent")
MARK_REQUESTS = "**/api/v1/stations/*/marks/*"
ALL_SAVED = re.compile(r"All marks saved|全部")


class FlakyNetwork:
    """Routes the tablet's mark requests, failing a deterministic tenth of them; remembers what was sent."""

    def __init__(self):
        self.sent: list[dict] = []  # each request: its key, its value, and the failure injected (None: none)

    def handle(self, route, request):
        number = len(self.sent) + 1
        failing = number % FAILURE_EVERY == FAILURE_AT
        failure = FAILURES[number // FAILURE_EVERY % len(FAILURES)] if failing else None
        body = json.loads(request.post_data)
        self.sent.append({"key": body["key"], "value": body["value"], "failure": failure})
        if failure == "not sent":
            route.abort("connectionreset")
            return
        stored = route.fetch()
        if failure == "answer lost":
            route.abort("connectionreset")
        elif failure == "503 after storing":
            error = {"error": "The database cannot be reached at the moment", "field": None}
            route.fulfill(status=503, json=error, headers={"Retry-After": "30"})
        else:
            route.fulfill(response=stored)


def typed_value(station: int, index: int, kind: str) -> str:
    if kind == "judgement":
        return str((station + index) % 4)
    return str(Decimal(index + station % 5) + Decimal("0.5"))


def stored_versions(app, event_id: int) -> tuple[dict, list[str], dict]:
    """The current marks by (station, criterion code), every version's key, and the number of versions per mark."""
    with app.app_context():
        marks = db.session.scalars(select(Mark).where(Mark.event_id == event_id)).all()
        current = {(m.station_number, m.criterion.code): format(m.value.normalize(), "f") for m in marks}
        versions = db.session.scalars(select(MarkVersion).join(Mark).where(Mark.event_id == event_id)).all()
        per_mark = {}
        for version in versions:
            per_mark[version.mark_id] = per_mark.get(version.mark_id, 0) + 1
        keys = [version.idempotency_key for version in versions]
        db.session.remove()
        return current, keys, per_mark


def enter(page, index: int, value: str, kind: str) -> None:
    row = page.locator("[data-criterion]").nth(index)
    if kind == "judgement":
        row.locator(f"[data-score='{value}']").click()
    else:
        row.locator("[data-input]").fill(value)
        row.locator("[data-input]").press("Enter")


def enter_station(page, station: int) -> dict:
    """Every criterion of the station, the first corrected at once; returns the values meant to stay."""
    page.goto(f"/judge/stations/{station}")
    sheet_is_live(page)
    meant = {}
    for index, (code, kind, *_limits) in enumerate(SCHEME):
        meant[(station, code)] = typed_value(station, index, kind)
        enter(page, index, meant[(station, code)], kind)
        if index == 0:
            # Second thoughts while the first value is on its way, or stored with its answer lost (the first
            # request of all): the correction must follow it, not replace it with a stale version.
            meant[(station, code)] = str(Decimal(meant[(station, code)]) + 1)
            enter(page, index, meant[(station, code)], kind)
    # The retries: the banner and every row say saved only when the server has answered every change.
    expect(page.locator("[data-sync-text]")).to_have_text(ALL_SAVED, timeout=30_000)
    for state in page.locator("[data-state]").all():
        expect(state).to_have_class("mark-state mark-state-saved")
    return meant


def test_every_mark_is_stored_once_when_a_tenth_of_the_requests_fail(open_page, live_server):
    link, _station, event_id = prepare_marking(live_server.app, "平板故障演练", rows=SCHEME)
    page = open_page(TABLET)
    page.goto(link)
    stations = [int(tile.get_attribute("data-station")) for tile in page.locator("[data-station]").all()]
    network = FlakyNetwork()
    page.route(MARK_REQUESTS, network.handle)

    meant = {}
    for station in stations:
        meant |= enter_station(page, station)

    # After all the retries, each station's page shows every mark saved with the value meant.
    for station in stations:
        page.goto(f"/judge/stations/{station}")
        sheet_is_live(page)
        expect(page.locator("[data-sync-text]")).to_have_text(ALL_SAVED, timeout=15_000)
        expect(page.locator(".mark-state-saved")).to_have_count(len(SCHEME))

    current, stored_keys, per_mark = stored_versions(live_server.app, event_id)
    assert current == meant  # nothing lost
    sent_keys = {request["key"] for request in network.sent}
    assert sorted(stored_keys) == sorted(sent_keys)  # every change stored exactly once, nothing twice
    assert max(per_mark.values()) <= 2  # a mark's versions: its first value and at most the correction

    failed = [index for index, request in enumerate(network.sent) if request["failure"]]
    assert {network.sent[index]["failure"] for index in failed} == set(FAILURES)
    for index in failed:  # the retry of a failed request carried the same key (and the same value)
        key, value = network.sent[index]["key"], network.sent[index]["value"]
        assert (key, value) in [(later["key"], later["value"]) for later in network.sent[index + 1 :]]
    print(
        f"\n{len(network.sent)} mark requests, {len(failed)} failed on purpose, "
        f"{len(network.sent) - len(sent_keys)} sent again; {len(sent_keys)} changes stored, {len(current)} marks"
    )
