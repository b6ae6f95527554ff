"""The demo contest on its day, on a tablet: check-in by typed ticket number, draws, judges, a judge's tablet."""

from playwright.sync_api import expect
from sqlalchemy import select

from compete import demo
from compete.competitions.models import Competition, Event
from compete.extensions import db
from compete.registration.models import Registration
from tests.browser.helpers import TABLET, save_screenshot, sign_in

TODAY = demo.names()["today"]


def ticket_numbers(live_server) -> list[str]:
    with live_server.app.app_context():
        rows = db.session.execute(
            select(Event.code, Registration.id)
            .join(Registration.event)
            .join(Event.competition)
            .where(Competition.name == TODAY)
            .order_by(Registration.id)
        ).all()
        return [f"{code}-{registration_id:05d}" for code, registration_id in rows]


def test_an_organizer_runs_the_day_on_a_tablet_and_a_judge_tablet_shows_station_numbers_only(
    open_page, live_server, tmp_path
):
    page = open_page(TABLET)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "organizer")
    page.goto("/admin/")
    page.get_by_role("link", name=TODAY, exact=True).click()
    page.get_by_role("link", name="Competition day").first.click()
    page.get_by_role("link", name="Check-in").first.click()

    tickets = ticket_numbers(live_server)
    for number, ticket in enumerate(tickets[:-1], start=1):
        page.get_by_label("Ticket number").fill(ticket.lower())
        page.get_by_role("button", name="Find the ticket").click()
        expect(page.locator("[data-found]")).to_be_visible()
        if number == 1:
            save_screenshot(page, "check-in-confirm-tablet")
        page.get_by_role("button", name="Present: check in").click()
        expect(page.locator("[data-count=present]").first).to_have_text(str(number))
    page.get_by_label("Ticket number").fill(tickets[0])
    page.get_by_role("button", name="Find the ticket").click()
    expect(page.locator("[data-found]")).to_contain_text("Already checked in")
    save_screenshot(page, "check-in-tablet")

    page.get_by_role("link", name="Back").click()
    page.get_by_role("button", name="Close check-in: mark the rest absent").click()
    expect(page.locator("[data-count=absent]")).to_have_text("1")
    for stage in ("competitor_numbers", "stations"):
        card = page.locator(f"[data-draw={stage}]")
        card.get_by_label("Supervisor's username").fill("supervisor")
        card.get_by_label("Supervisor's password").fill("supervisor2026")
        card.get_by_role("button", name="Draw").click()
        expect(page.locator(f"[data-draw={stage}] [data-draw-done]")).to_be_visible()
    save_screenshot(page, "competition-day-tablet")
    for name in [row[0] for row in demo.PERSONS]:
        expect(page.get_by_text(name)).to_have_count(0)  # sealed: the organizer sees no mapping

    page.get_by_role("link", name="Judges and stations").click()
    for number, (name, _body, _unit) in enumerate(demo.JUDGES):
        page.get_by_label("Judge", exact=True).select_option(label=f"{name} · 焊工")
        page.get_by_label("Role").select_option("chief" if number == len(demo.JUDGES) - 1 else "judge")
        page.get_by_role("button", name="Add to the panel").click()
        expect(page.locator(f"[data-seat={name}]")).to_be_visible()
    # Six judges, five per station, one of each unit but one: every station has one judge standing aside.
    expect(page.locator("[data-blocked]")).to_have_count(len(tickets) - 1)
    page.locator("[data-seat=高峰] form").filter(has_text="×").get_by_role("button").click()
    page.get_by_label("Judge", exact=True).select_option(label="高峰 · 焊工")
    page.get_by_label("Role").select_option("judge")
    page.get_by_role("button", name="Add to the panel").click()
    expect(page.locator("[data-blocked]")).to_have_count(0)
    page.get_by_role("button", name="Assign as proposed").click()
    expect(page.locator("[data-assigned]")).to_be_visible()
    for name, _body, _unit in demo.JUDGES:
        page.locator(f"[data-seat={name}]").get_by_role("button", name="Issue link").click()
    save_screenshot(page, "judge-panel-tablet")
    with page.expect_download() as download:
        page.get_by_role("link", name="Print judge badges (PDF)").click()
    badges = tmp_path / "badges.pdf"
    download.value.save_as(badges)
    assert badges.read_bytes().startswith(b"%PDF")
    judge_link = page.locator("[data-seat=李明] [data-link-url]").get_attribute("href")

    tablet = open_page(TABLET)
    tablet.goto(judge_link)
    expect(tablet.locator("[data-my-stations] [data-station]").first).to_be_visible()
    body = tablet.locator("body").inner_text()
    assert not any(name in body for name, *_ in demo.PERSONS)
    save_screenshot(tablet, "judge-stations-tablet")
