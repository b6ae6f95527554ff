"""The chief judge's screen: every judge's marks, discrepancies, asking to re-mark, and the lock."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from compete.extensions import db
from compete.scoring import services as scoring
from compete.scoring import signoff
from compete.scoring.models import MarkSheet
from compete.venue import judging
from compete.venue.models import EventDay
from tests.factories import PASSWORD
from tests.venue_world import COMPETITORS, build_day, staff_the_day


def read(app, query):
    with app.app_context():
        try:
            return query()
        finally:
            db.session.remove()


@pytest.fixture
def chief(app):
    """Three judges marking, the fourth the chief; every sheet marked and submitted, one pair of marks far apart."""
    with app.test_request_context():
        built = staff_the_day(build_day(), chief_last=True)
        event, organizer = built["event"], built["organizer"]
        head = built["judges"][-1]
        a1, b1 = event.criteria
        for station, judges in judging.station_judges(event).items():
            for index, judge in enumerate(judges):
                for criterion, value in ((a1, "40"), (b1, "3" if index == 0 else "1")):  # B1 3 vs 1: discrepant
                    key = f"{station}-{judge.id}-{criterion.id}"
                    scoring.submit_mark(
                        judge, event, station, criterion.id, Decimal(value), base_version=0, idempotency_key=key
                    )
                signoff.submit_sheet(judge, event, station)
        link = judging.issue_link(organizer, event, head)
        db.session.commit()
        token, event_id = link.token, event.id
    client = app.test_client()
    client.get(f"/judge/link/{token}")
    client.post("/language", data={"locale": "en"})
    return client, event_id


def test_the_chief_judge_sees_every_mark_and_the_discrepancies_but_no_names(app, chief):
    client, _event_id = chief
    page = client.get("/judge/chief").text
    assert "data-matrix" in page and page.count("data-discrepant") == 6 * 2  # B1 of six stations, two judges each
    assert not any(name in page for name in COMPETITORS)


def test_asking_to_re_mark_reopens_one_sheet_and_the_lock_waits_for_it(app, chief):
    client, event_id = chief
    sheet = read(app, lambda: db.session.scalars(select(MarkSheet)).first())
    reopened = client.post(
        "/judge/chief/reopen",
        data={"judge_id": sheet.judge_id, "station": sheet.station_number, "reason": "B1 3 against 1"},
        follow_redirects=True,
    )
    assert "is asked to re-mark" in reopened.text
    refused = client.post("/judge/chief/lock", follow_redirects=True)
    assert "has not submitted" in refused.text
    assert read(app, lambda: db.session.get(EventDay, event_id).marks_locked_at) is None

    def submit_again():
        sheet_again = db.session.get(MarkSheet, sheet.id)
        signoff.submit_sheet(sheet_again.judge, db.session.get(EventDay, event_id).event, sheet_again.station_number)
        db.session.commit()

    with app.test_request_context():
        submit_again()
    locked = client.post("/judge/chief/lock", follow_redirects=True)
    assert "data-locked" in locked.text
    assert read(app, lambda: db.session.get(EventDay, event_id).marks_locked_at) is not None


def test_a_judge_who_is_not_chief_gets_403_on_the_chief_screen(app, chief):
    _client, event_id = chief
    with app.test_request_context():
        event = db.session.get(EventDay, event_id).event
        judge = judging.panel(event)[0].judge
        token = judging.issue_link(event.competition.owner, event, judge).token
        db.session.commit()
    tablet = app.test_client()
    tablet.get(f"/judge/link/{token}")
    assert tablet.get("/judge/chief").status_code == 403


def test_the_chief_judge_enters_the_time_used_per_station(app, chief):
    from compete.scoring.models import EntryScore

    client, _event_id = chief
    page = client.get("/judge/chief").text
    station = re.findall(r'name="station" value="(\d+)"', page)[0]
    refused = client.post("/judge/chief/time", data={"station": station, "minutes": "-5"}, follow_redirects=True)
    assert "minutes" in refused.text
    client.post("/judge/chief/time", data={"station": station, "minutes": "95.5"})
    assert read(app, lambda: db.session.scalar(select(EntryScore.time_used_minutes))) == Decimal("95.5")
    assert 'value="95.5"' in client.get("/judge/chief").text


def test_after_the_lock_a_correction_needs_a_reason_and_the_supervisors_password(app, chief):
    from compete.scoring.models import Mark, MarkVersion

    client, event_id = chief

    def lock():
        with app.test_request_context():
            db.session.get(EventDay, event_id).marks_locked_at = db.func.now()
            db.session.commit()

    lock()
    mark_id = read(app, lambda: db.session.scalars(select(Mark.id)).first())
    form = {"mark": mark_id, "value": "38", "reason": "appeal upheld", "witness_username": "supervisor"}
    wrong = client.post("/judge/chief/correct", data=form | {"witness_password": "nope"}, follow_redirects=True)
    assert "A supervisor must witness this" in wrong.text
    done = client.post("/judge/chief/correct", data=form | {"witness_password": PASSWORD}, follow_redirects=True)
    assert "The mark is corrected" in done.text
    version = read(app, lambda: db.session.scalar(select(MarkVersion).where(MarkVersion.version == 2)))
    assert version.value == Decimal("38") and version.reason == "appeal upheld" and version.witness_id is not None
