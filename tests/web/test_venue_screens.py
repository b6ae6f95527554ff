"""The competition day through the screens: check-in, witnessed draws, panels, badges, judge tablets, officer."""

import re

import pytest
from sqlalchemy import select

from compete.audit.models import AuditEntry
from compete.columns import utcnow
from compete.competitions.models import Event
from compete.extensions import db
from compete.venue import judging, services
from compete.venue.models import EventDay, JudgeLink
from tests.factories import PASSWORD, sign_in
from tests.venue_world import COMPETITORS, build_day


def read(app, query):
    with app.app_context():
        try:
            return query()
        finally:
            db.session.remove()


@pytest.fixture
def day(app):
    with app.test_request_context():
        built = build_day()
        db.session.commit()
        return {
            "event": built["event"].id,
            "tickets": [f"HG-W-{registration.id:05d}" for registration in built["registrations"]],
            "judges": [judge.id for judge in built["judges"]],
        }


def client_of(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    client.post("/language", data={"locale": "en"})
    return client


def witness(**extra) -> dict:
    return {"witness_username": "supervisor", "witness_password": PASSWORD, **extra}


def prepare_day(app, day, organizer):
    """Everyone checked in, both draws, the panel seated, stations assigned, links issued."""
    event = day["event"]
    for ticket in day["tickets"]:
        found = organizer.get(f"/admin/events/{event}/check-in", query_string={"ticket": ticket})
        entry_id = re.search(r'name="entry_id" type="hidden" value="(\d+)"', found.text)[1]
        organizer.post(f"/admin/events/{event}/check-in", data={"entry_id": entry_id})
    organizer.post(f"/admin/events/{event}/check-in/close")
    for stage in ("competitor_numbers", "stations"):
        organizer.post(f"/admin/events/{event}/draws", data=witness(stage=stage))
    for judge_id in day["judges"]:
        organizer.post(f"/admin/events/{event}/panel", data={"judge_id": judge_id, "role": "judge"})
    organizer.post(f"/admin/events/{event}/stations")
    seat_ids = read(app, lambda: [seat.id for seat in judging.panel(db.session.get(Event, event))])
    for seat_id in seat_ids:
        organizer.post(f"/admin/events/{event}/panel/{seat_id}/link")


def test_check_in_by_typed_ticket_number_with_live_counts_and_refusals(app, day):
    organizer = client_of(app, "organizer")
    event = day["event"]
    found = organizer.get(f"/admin/events/{event}/check-in", query_string={"ticket": day["tickets"][0].lower()})
    assert COMPETITORS[0] in found.text and "3213**********" in found.text
    entry_id = re.search(r'name="entry_id" type="hidden" value="(\d+)"', found.text)[1]
    done = organizer.post(f"/admin/events/{event}/check-in", data={"entry_id": entry_id}, follow_redirects=True)
    assert f"{COMPETITORS[0]} is checked in." in done.text
    assert organizer.get(f"/admin/events/{event}/attendance").json == {"expected": 5, "present": 1, "absent": 0}
    again = organizer.post(f"/admin/events/{event}/check-in", data={"entry_id": entry_id}, follow_redirects=True)
    assert "Already checked in" in again.text
    unknown = organizer.get(f"/admin/events/{event}/check-in", query_string={"ticket": "DG-S-00001"})
    assert unknown.status_code == 200 and "No admission ticket" in unknown.text
    refused = read(app, lambda: db.session.scalars(select(AuditEntry.action)).all())
    assert refused.count("venue.check_in_refused") == 2  # the unknown ticket, and the one scanned twice


def test_draws_need_the_supervisors_password_and_stay_sealed_from_the_organizer(app, day):
    organizer = client_of(app, "organizer")
    event = day["event"]
    prepare_day(app, day, organizer)
    bad = organizer.post(
        f"/admin/events/{event}/draws",
        data=witness(stage="stations", witness_password="wrong"),
        follow_redirects=True,
    )
    assert "A supervisor must witness this" in bad.text or "already made" in bad.text
    page = organizer.get(f"/admin/events/{event}/day").text
    assert page.count("data-draw-done") == 2
    assert not any(name in page for name in COMPETITORS)  # sealed: names appear nowhere on the day page
    assert read(app, lambda: db.session.scalar(select(EventDay.decrypted_at))) is None


def test_the_panel_page_proposes_avoiding_stations_and_prints_badges(app, day):
    organizer = client_of(app, "organizer")
    prepare_day(app, day, organizer)
    page = organizer.get(f"/admin/events/{day['event']}/panel").text
    assert "data-proposal" in page and "data-assigned" in page
    badges = organizer.get(f"/admin/events/{day['event']}/badges.pdf")
    assert badges.status_code == 200 and badges.data.startswith(b"%PDF")


def test_a_judge_tablet_signs_in_by_link_sees_station_numbers_only_and_loses_access_when_revoked(app, day):
    organizer = client_of(app, "organizer")
    prepare_day(app, day, organizer)
    token, link_id = read(app, lambda: db.session.execute(select(JudgeLink.token, JudgeLink.id)).first())
    tablet = app.test_client()
    signed_in = tablet.get(f"/judge/link/{token}")
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/judge/")
    home = tablet.get("/judge/").text
    assert "data-my-stations" in home
    assert not any(name in home for name in COMPETITORS)

    organizer.post(f"/admin/events/{day['event']}/links/{link_id}/revoke")
    revoked = tablet.get("/judge/")
    assert revoked.status_code == 403 and "data-link-problem" in revoked.text
    assert tablet.get("/judge/").status_code == 302  # signed out: back to the sign-in page
    assert tablet.get(f"/judge/link/{token}").status_code == 403


def test_a_judge_session_reads_no_competitor_name_through_any_page(app, day):
    """Every GET route of the app, with ids of the day's objects filled in: no competitor name leaks."""
    organizer = client_of(app, "organizer")
    prepare_day(app, day, organizer)
    token = read(app, lambda: db.session.scalar(select(JudgeLink.token)))
    tablet = app.test_client()
    tablet.get(f"/judge/link/{token}")
    seen = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or "link" in rule.rule:
            continue
        url = re.sub(r"<(?:int:)?[a-z_]+>", "1", rule.rule).replace("<path:filename>", "x")
        url = re.sub(r"<[^>]+>", "1", url)
        response = tablet.get(url)
        seen += 1
        body = response.get_data(as_text=True) if response.mimetype.startswith(("text", "application/json")) else ""
        assert not any(name in body for name in COMPETITORS), f"{url} shows a competitor's name to a judge"
        assert response.status_code in (200, 302, 400, 403, 404, 405), url
    assert seen > 40


def test_the_officer_sees_the_sealed_list_and_decrypts_only_after_the_lock(app, day):
    organizer = client_of(app, "organizer")
    prepare_day(app, day, organizer)
    officer_id = read(
        app, lambda: db.session.scalar(select(services.User.id).where(services.User.username == "officer"))
    )
    organizer.post(f"/admin/events/{day['event']}/officer", data={"officer_id": officer_id})
    officer = client_of(app, "officer")
    sealed = officer.get(f"/officer/events/{day['event']}").text
    assert all(name in sealed for name in COMPETITORS)
    assert officer.get(f"/officer/events/{day['event']}/sealed.pdf").data.startswith(b"%PDF")
    early = officer.post(f"/officer/events/{day['event']}/decrypt", data=witness(), follow_redirects=True)
    assert "not locked" in early.text

    def lock():
        db.session.get(EventDay, day["event"]).marks_locked_at = utcnow()
        db.session.commit()

    read(app, lock)
    officer.post(f"/officer/events/{day['event']}/decrypt", data=witness())
    decrypted = organizer.get(f"/admin/events/{day['event']}/day").text
    assert all(name in decrypted for name in COMPETITORS)
    actions = read(app, lambda: db.session.scalars(select(AuditEntry.action)).all())
    assert "venue.decrypt_refused" in actions and "venue.decrypt" in actions


def test_an_officer_not_named_for_the_event_is_refused(app, day):
    officer = client_of(app, "officer")
    assert officer.get(f"/officer/events/{day['event']}").status_code == 403
    assert client_of(app, "supervisor").get(f"/officer/events/{day['event']}").status_code == 403


def test_theory_scores_are_typed_in_all_or_nothing(app, day):
    from compete.scoring.models import EntryScore

    organizer = client_of(app, "organizer")
    prepare_day(app, day, organizer)
    page = organizer.get(f"/admin/events/{day['event']}/theory").text
    fields = re.findall(r'name="(theory-\d+)"', page)
    assert len(fields) == len(COMPETITORS)
    bad = organizer.post(f"/admin/events/{day['event']}/theory", data={fields[0]: "88.5", fields[1]: "101"})
    assert "Nothing was saved" in bad.text and 'value="101"' in bad.text
    assert read(app, lambda: db.session.scalar(select(EntryScore.theory))) is None
    good = organizer.post(
        f"/admin/events/{day['event']}/theory", data={fields[0]: "88.5", fields[1]: "９０"}, follow_redirects=True
    )
    assert "Theory scores saved." in good.text
    saved = read(app, lambda: sorted(db.session.scalars(select(EntryScore.theory)).all()))
    assert [str(value) for value in saved] in (["88.50", "90.00"], ["88.5", "90"])


def theory_sheet(rows, *, csv_file: bool = False) -> tuple[bytes, str]:
    import io

    from openpyxl import Workbook

    if csv_file:
        text = "身份证号,姓名,理论成绩\n" + "".join(",".join(map(str, row)) + "\n" for row in rows)
        return text.encode("gb18030"), "理论成绩.csv"
    workbook = Workbook()
    workbook.active.append(["2026年焊工理论考试成绩"])
    workbook.active.append(["参赛号", "姓名", "理论成绩"])
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), "理论成绩.xlsx"


def test_theory_scores_import_from_the_exam_systems_file_all_or_nothing(app, day):
    import io

    from compete.scoring.models import EntryScore
    from compete.venue.models import Entry

    organizer = client_of(app, "organizer")
    prepare_day(app, day, organizer)
    people = read(
        app,
        lambda: [
            (e.competitor_number, e.registration.person.id_number)
            for e in db.session.scalars(select(Entry).where(Entry.event_id == day["event"]))
        ],
    )
    url = f"/admin/events/{day['event']}/theory/import"

    data, name = theory_sheet([(people[0][0], "甲", "88.5"), (99, "乙", "70"), (people[1][0], "丙", "101")])
    bad = organizer.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert "Nothing was imported" in bad.text and bad.text.count("<tr><td>") >= 2
    assert read(app, lambda: db.session.scalar(select(EntryScore.theory))) is None

    data, name = theory_sheet([(people[0][1], "甲", "88.5"), (people[1][1], "乙", "90")], csv_file=True)
    good = organizer.post(
        url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data", follow_redirects=True
    )
    assert "2 theory scores imported." in good.text
    assert read(app, lambda: len(db.session.scalars(select(EntryScore)).all())) == 2

    not_a_file = organizer.post(url, data={"file": (io.BytesIO(b"junk"), "x.xlsx")}, content_type="multipart/form-data")
    assert not_a_file.status_code == 200 and "is-invalid" in not_a_file.text
