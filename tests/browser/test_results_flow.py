"""Results end to end in a browser: publish, the public page, an appeal, its decision, a correction, republish."""

import json
import re
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from compete.accounts import services as accounts
from compete.accounts.models import Role, User
from compete.competitions.models import Event
from compete.extensions import db
from compete.people.models import Person
from compete.rules import idcard
from compete.scenarios import loader
from compete.scoring import services as scoring
from compete.scoring.models import Mark
from compete.venue.models import Entry
from tests.browser.helpers import TABLET, save_screenshot, sign_in

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "small.json"
COMPETITOR_PASSWORD = "appeal2026x"


def scenario_with_own_people() -> dict:
    """The small example under its own name and ID numbers: other browser tests share the registry."""
    scenario = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    scenario["competition"]["name"] = "成绩公示与申诉演练"
    renamed = {}
    for serial, competitor in enumerate(scenario["events"][0]["competitors"], start=1):
        body = f"11010519850601{serial:03d}"
        renamed[competitor["id_number"]] = competitor["id_number"] = body + idcard.check_character(body)
    for mark in scenario["events"][0]["marks"]:
        mark["id_number"] = renamed[mark["id_number"]]
    return scenario


def prepare(app) -> tuple[int, str]:
    """A loaded, reviewed competition and a competitor account for its leader; returns its id and their name."""
    with app.test_request_context():
        organizer = db.session.scalar(select(User).where(User.username == "organizer"))
        competition_id = loader.load(scenario_with_own_people(), organizer)
        leader = db.session.scalar(select(Person).where(Person.id_number.like("11010519850601001%")))
        accounts.create_user(
            None,
            username="appellant",
            password=COMPETITOR_PASSWORD,
            display_name=leader.name,
            role=Role.COMPETITOR,
            person=leader,
        )
        db.session.commit()
        name = leader.name
        db.session.remove()
        return competition_id, name


def correct_station_marks(app, competition_id: int, name: str, value: str) -> None:
    """The chief judge's correction after the upheld appeal (their own screen is tested elsewhere)."""
    with app.test_request_context():
        # Other browser tests enter people of the same names into their own events: this competition's only.
        entry = db.session.scalar(
            select(Entry)
            .join(Entry.registration)
            .join(Person)
            .join(Event, Event.id == Entry.event_id)
            .where(Person.name == name, Event.competition_id == competition_id)
        )
        event = entry.registration.event
        organizer = db.session.scalar(select(User).where(User.username == "organizer"))
        supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
        a1 = next(c for c in event.criteria if c.code == "A1")
        query = select(Mark).where(Mark.station_number == entry.station_number, Mark.criterion_id == a1.id)
        for mark in db.session.scalars(query.where(Mark.event_id == event.id)):
            scoring.correct_mark(organizer, supervisor, event, mark, Decimal(value), "appeal upheld")
        db.session.commit()
        db.session.remove()


def test_publish_appeal_correct_and_republish(open_page, live_server):
    competition_id, leader = prepare(live_server.app)
    organizer = open_page(TABLET)
    sign_in(organizer, "organizer")
    organizer.goto(f"/admin/competitions/{competition_id}/results")
    organizer.locator("input[name=publicity_days]").fill("5")
    organizer.locator("form[action$='/results/publish'] input[type=submit]").click()
    expect(organizer.locator("[data-publication]")).to_contain_text("Version 1")
    save_screenshot(organizer, "results-admin-tablet")

    public = open_page(TABLET)
    public.goto(f"/results/{competition_id}")
    table = public.locator("[data-public-event='HG-W']")
    expect(table).to_contain_text(leader)
    expect(table).to_contain_text("1101**********")  # masked ID numbers only
    expect(table).to_contain_text("92.45")
    save_screenshot(public, "results-public-tablet")

    competitor = open_page(TABLET)
    competitor.goto("/login")
    competitor.locator("input[name=username]").fill("appellant")
    competitor.locator("input[name=password]").fill(COMPETITOR_PASSWORD)
    competitor.locator("form input[type=submit][name=submit]").click()
    competitor.locator("a[href$='/appeal']").first.click()
    competitor.locator("textarea[name=grounds]").fill("焊缝外观评分有误，请复核。")
    competitor.locator("input[type=submit][name=submit]").click()
    expect(competitor).to_have_url(re.compile(r"/portal/"))

    arbitration = open_page(TABLET)
    sign_in(arbitration, "supervisor")
    arbitration.goto("/arbitration/")
    appeal = arbitration.locator("[data-appeal]").filter(has_text="焊缝外观评分有误")
    appeal.locator("select[name=outcome]").select_option("upheld")
    appeal.locator("textarea[name=decision]").fill("Re-measured: A1 is 20.")
    appeal.locator("input[type=submit]").click()
    expect(arbitration.locator("[data-appeal]").filter(has_text="焊缝外观评分有误")).to_have_count(0)

    correct_station_marks(live_server.app, competition_id, leader, "20")
    organizer.goto(f"/admin/competitions/{competition_id}/results")
    expect(organizer.locator("[data-publish-blockers]")).to_contain_text("review")
    organizer.locator("[data-result-events] a").first.click()
    organizer.locator("input[name=witness_username]").fill("supervisor")
    organizer.locator("input[name=witness_password]").fill("supervisor2026")
    organizer.locator("form[action$='/results/review'] input[type=submit]").click()
    organizer.goto(f"/admin/competitions/{competition_id}/results")
    organizer.locator("textarea[name=note]").fill("Appeal upheld: A1 of the leader re-measured.")
    organizer.locator("form[action$='/results/publish'] input[type=submit]").click()
    expect(organizer.locator("[data-publication]")).to_contain_text("Version 2")

    public.reload()
    expect(public.locator("[data-public-event='HG-W']")).to_contain_text("95.95")  # A1 20 of 20: practical 100.00
    expect(public.locator("[data-publicity]")).to_contain_text("2")
    save_screenshot(public, "results-republished-tablet")
