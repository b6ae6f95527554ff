"""A judge's tablet through a Wi-Fi drop: marks typed offline survive a reload and reach the server once."""

import re
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import func, select

from compete import demo
from compete.accounts.models import User
from compete.columns import local_now
from compete.competitions import services as competitions
from compete.extensions import db
from compete.people.models import Person
from compete.registration.models import Registration, RegistrationSource, RegistrationStatus
from compete.scoring import services as scoring
from compete.scoring import signoff
from compete.scoring.models import Mark, MarkVersion
from compete.venue import judging
from compete.venue import services as venue
from compete.venue.models import DrawStage, PanelRole
from tests.browser.helpers import TABLET, save_screenshot
from tests.factories import event_values, scheme_rows


def prepare_marking(app, name: str = "平板评分演练", *, chief: bool = False, rows=()) -> tuple[str, int, int]:
    """A contest of its own in the demo database, drawn and staffed; returns a judge's link, station, event.

    With `chief`, the last judge of the registry chairs the panel, every sheet is marked and submitted, and
    the link returned is the chief judge's. `rows` replaces the default marking scheme (see `scheme_rows`).
    """
    with app.test_request_context():
        organizer = db.session.scalar(select(User).where(User.username == "organizer"))
        supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
        today = local_now().date()
        competition = competitions.create_competition(
            organizer,
            {
                "name": name,
                "level": "district",
                "year": today.year,
                "starts_on": today,
                "ends_on": today + timedelta(days=1),
                "venue": "",
                "organizer_body": "宿迁市人力资源和社会保障局",
                "policy_preset": "suqian",
                "description": "",
            },
        )
        event = competitions.create_event(
            organizer,
            competition,
            event_values(
                code="TB",
                judges_per_station=2,
                aggregation="mean",
                registration_opens_at=None,
                registration_closes_at=None,
            ),
        )
        competitions.replace_marking_scheme(organizer, event, scheme_rows(*rows))
        # The demo's own competitors only: other browser tests import thousands more into the same registry.
        competitor_names = [name for name, *_ in demo.PERSONS]
        for person in db.session.scalars(select(Person).where(Person.name.in_(competitor_names))):
            db.session.add(
                Registration(
                    event=event,
                    person=person,
                    unit=person.unit,
                    status=RegistrationStatus.APPROVED,
                    source=RegistrationSource.ORGANIZER,
                )
            )
        db.session.flush()
        for entry in venue.entries(event):
            venue.check_in(organizer, event, entry)
        venue.close_check_in(organizer, event)
        venue.run_draw(organizer, event, DrawStage.COMPETITOR_NUMBERS, supervisor)
        venue.run_draw(organizer, event, DrawStage.STATIONS, supervisor)
        judges = judging.all_judges()
        for judge in judges:
            role = PanelRole.CHIEF if chief and judge is judges[-1] else PanelRole.JUDGE
            judging.seat_judge(organizer, event, judge, role)
        judging.assign_station_judges(organizer, event, judging.propose_station_judges(event).judges_by_station)
        if chief:
            mark_everything(event)
        judge = judges[-1] if chief else judges[0]
        link = judging.issue_link(organizer, event, judge)
        station = (judging.stations_of(judge, event) or [0])[0]
        db.session.commit()
        return f"/judge/link/{link.token}", station, event.id


def mark_everything(event) -> None:
    for station, judges in judging.station_judges(event).items():
        for judge in judges:
            for criterion in event.criteria:
                value = Decimal("2") if str(criterion.kind) == "judgement" else Decimal("30")
                key = f"{event.id}-{station}-{judge.id}-{criterion.id}"
                scoring.submit_mark(judge, event, station, criterion.id, value, base_version=0, idempotency_key=key)
            signoff.submit_sheet(judge, event, station)


def stored(app, event_id: int) -> tuple[dict[str, str], int]:
    with app.app_context():
        marks = {
            m.criterion.code: format(m.value.normalize(), "f")
            for m in db.session.scalars(select(Mark).where(Mark.event_id == event_id))
        }
        versions = db.session.scalar(
            select(func.count()).select_from(MarkVersion).join(Mark).where(Mark.event_id == event_id)
        )
        db.session.remove()
        return marks, versions


def sheet_is_live(page) -> None:
    # Typing before marks.js has bound its listeners would be lost to the test, not to a judge.
    expect(page.locator("[data-mark-sheet]")).to_have_attribute("data-ready", "true")


def test_marks_entered_offline_survive_a_reload_and_are_stored_exactly_once(open_page, live_server):
    link, station, event_id = prepare_marking(live_server.app)
    page = open_page(TABLET)
    page.goto(link)
    page.locator(f"[data-station='{station}']").click()
    sheet_is_live(page)
    rows = page.locator("[data-criterion]")
    measurement, judgement = rows.nth(0), rows.nth(1)

    measurement.locator("[data-input]").fill("42.5")
    measurement.locator("[data-input]").press("Enter")
    expect(measurement.locator("[data-state]")).to_have_class("mark-state mark-state-saved")

    page.context.set_offline(True)
    judgement.get_by_role("button", name="2").click()
    measurement.locator("[data-input]").fill("43")
    measurement.locator("[data-input]").press("Enter")
    expect(page.locator("[data-sync-banner]")).to_have_class(re.compile(r"alert-warning"))
    expect(page.locator("[data-sync-text]")).to_contain_text("2")
    save_screenshot(page, "marking-offline-tablet")
    # The tablet restarts before the connection returns: the marks wait in its storage, and go out on the next load.
    station_url, context = page.url, page.context
    page.close()
    context.set_offline(False)
    page = context.new_page()
    page.goto(station_url)
    sheet_is_live(page)
    rows = page.locator("[data-criterion]")
    measurement, judgement = rows.nth(0), rows.nth(1)
    expect(judgement.locator("[data-score='2']")).to_have_class(re.compile(r"\bactive\b"))
    expect(measurement.locator("[data-input]")).to_have_value("43")
    expect(measurement.locator("[data-state]")).to_have_class("mark-state mark-state-saved", timeout=15_000)
    expect(judgement.locator("[data-state]")).to_have_class("mark-state mark-state-saved", timeout=15_000)
    expect(page.locator("[data-sync-text]")).to_have_text(re.compile(r"All marks saved|全部"))
    save_screenshot(page, "marking-saved-tablet")

    marks, versions = stored(live_server.app, event_id)
    assert marks == {"A1": "43", "B1": "2"}
    assert versions == 3  # 42.5, then 43 for A1, and 2 for B1: nothing lost, nothing twice

    page.context.set_offline(True)
    measurement.locator("[data-input]").fill("99")  # above the maximum of 60
    measurement.locator("[data-input]").press("Enter")
    page.context.set_offline(False)
    expect(measurement.locator("[data-problem]")).not_to_have_text("", timeout=15_000)
    assert stored(live_server.app, event_id)[0]["A1"] == "43"
    body = page.locator("body").inner_text()
    assert not any(name in body for name, *_ in demo.PERSONS)


def test_the_chief_judge_reviews_the_marks_on_a_tablet_and_locks_them(open_page, live_server):
    link, _station, event_id = prepare_marking(live_server.app, "裁判长锁定演练", chief=True)
    page = open_page(TABLET)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(link)
    page.locator("[data-chief-screen]").click()
    expect(page.locator("[data-matrix]")).to_be_visible()
    body = page.locator("body").inner_text()
    assert not any(name in body for name, *_ in demo.PERSONS)
    save_screenshot(page, "chief-matrix-tablet")
    page.locator("[data-lock]").click()
    expect(page.locator("[data-locked]").first).to_be_visible()
    with live_server.app.app_context():
        from compete.venue.models import EventDay

        assert db.session.get(EventDay, event_id).marks_locked_at is not None
        db.session.remove()
