"""Titles and promotion in a browser: outcomes recorded from final results, promotions confirmed or declined."""

import copy
import json
import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from compete import demo
from compete.accounts.models import User
from compete.columns import local_now
from compete.competitions.models import Competition
from compete.extensions import db
from compete.honours import policies
from compete.people.models import Person
from compete.results import finalization
from compete.results import services as results
from compete.rules import grades
from compete.scenarios import loader
from tests.browser.helpers import DESKTOP, save_screenshot, sign_in

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "small.json"
TABLET_PORTRAIT = {"width": 820, "height": 1180}
ZHANG_WEI = "321302199003070019"  # rank 1 of the example; the demo registry's 张伟
DECLINE_REASON = "尚未满足晋升所需的本职业工作年限"


def competition_day() -> date:
    """A day after the demo's past competition but in another year: the preset allows one promotion a year.

    The past competition already promoted the example's people; the grade they hold now is what this
    competition promotes from, so the grade history reads in order.
    """
    today = local_now().date()
    past = demo.schedule(today)["past"]
    return today if today.year != past.year else date(past.year - 1, 10, 15)


def prepare(app) -> tuple[int, str, int, str, str | None]:
    """A final competition under the organizer's own copy of tianjin-municipal-1 that proposes promotions.

    Returns its id and name, 张伟's person id and grade before it, and the organizer's saved language.
    """
    day = competition_day()
    with app.test_request_context():
        organizer = db.session.scalar(select(User).where(User.username == "organizer"))
        own = policies.copy_preset(organizer, "tianjin-municipal-1")
        data = copy.deepcopy(own.data)  # in place, save_policy would find nothing changed
        data["switches"]["proposed"] = True
        policies.save_policy(organizer, own, data)
        scenario = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        name = f"{day.year}年宿迁市焊工晋升确认演练"
        scenario["competition"].update(name=name, year=day.year, date=day.isoformat(), policy=own.key)
        competition_id = loader.load(scenario, organizer)
        competition = db.session.get(Competition, competition_id)
        results.publish(organizer, competition, publicity_days=0, appeal_hours=0)
        finalization.finalize(organizer, competition)
        db.session.commit()
        zhang = db.session.scalar(select(Person).where(Person.id_number == ZHANG_WEI))
        found = competition_id, name, zhang.id, zhang.grade, organizer.locale
        db.session.remove()
        return found


def restore_locale(app, locale: str | None) -> None:
    """Signing in in Chinese saves the language on the shared organizer account: put it back for other tests."""
    with app.app_context():
        organizer = db.session.scalar(select(User).where(User.username == "organizer"))
        organizer.locale = locale
        db.session.commit()
        db.session.remove()


def grade_name(code: str) -> str:
    return grades.get(code).name_zh


def exactly(text: str) -> re.Pattern:
    """The whole text (技师 must not match 高级技师), allowing a grade certificate number after it."""
    return re.compile(rf"^\s*{re.escape(text)}(\s*·.*)?\s*$")


def sign_in_chinese(page: Page) -> None:
    sign_in(page, "organizer", locale="zh_CN")


def test_confirm_and_decline_proposed_promotions(open_page, live_server):
    competition_id, competition_name, person_id, held, locale = prepare(live_server.app)
    # The preset's worker rule: ranks 1–10 to 技师; a 技师 already gets the next grade, up to the cap 高级技师.
    promoted = grades.promote_to(held, "g2")
    assert promoted is not None, f"张伟 already holds {held}: the example's rank 1 gets no promotion"
    change = f"{grade_name(held)} → {grade_name(promoted)}"
    honours_url = f"/admin/competitions/{competition_id}/honours"
    try:
        page = open_page(DESKTOP)
        sign_in_chinese(page)
        page.goto(honours_url)
        expect(page.locator("[data-not-final]")).to_have_count(0)
        expect(page.locator("[data-proposed]")).to_have_count(0)
        leader = page.locator("[data-honours-preview] tbody tr").first
        expect(leader.locator("td").nth(1)).to_have_text("1")
        expect(leader.locator("td").nth(2)).to_contain_text("张伟")
        expect(leader.locator("td").nth(5)).to_have_text(grade_name(held))
        expect(leader.locator("[data-promotion]")).to_have_text(change)
        save_screenshot(page, "honours-preview-desktop")

        page.locator("[data-apply]").click()
        proposed = page.locator("[data-proposed] tbody tr")
        expect(proposed.first.locator("td").first).to_have_text("张伟")
        expect(proposed.first.locator("td").nth(3)).to_have_text(change)
        count = proposed.count()
        assert count >= 2, "the example has more than one worker in the top 10"

        proposed.first.locator("form[action$='/confirm'] button").click()
        expect(proposed).to_have_count(count - 1)
        expect(page.locator("[data-proposed]")).not_to_contain_text("张伟")
        declined = proposed.first
        declined_name = declined.locator("td").first.inner_text().strip()
        declined.locator("input[name=reason]").fill(DECLINE_REASON)
        declined.locator("form[action$='/decline'] button").click()
        expect(proposed).to_have_count(count - 2)
        withdrawn = page.locator("[data-withdrawn] tbody tr").filter(has_text=DECLINE_REASON)
        expect(withdrawn).to_have_count(1)
        expect(withdrawn.locator("td").first).to_have_text(declined_name)
        # The grade held stays the one before this competition, though 张伟's grade has changed.
        expect(leader.locator("td").nth(5)).to_have_text(grade_name(held))
        save_screenshot(page, "honours-desktop")

        page.locator("[data-honours-preview]").get_by_role("link", name="张伟", exact=True).click()
        expect(page).to_have_url(re.compile(rf"/admin/people/{person_id}$"))
        expect(page.locator("[data-current-grade]")).to_have_text(exactly(grade_name(promoted)))
        history = page.locator("[data-grade-history] tbody tr").filter(has_text=competition_name)
        expect(history).to_have_count(1)
        expect(history.locator("td").nth(0)).to_have_text(competition_day().isoformat())
        expect(history.locator("td").nth(1)).to_have_text(change)
        save_screenshot(page, "honours-person-desktop")

        tablet = open_page(TABLET_PORTRAIT)
        sign_in_chinese(tablet)
        tablet.goto(honours_url)
        expect(tablet.locator("[data-withdrawn]")).to_contain_text(DECLINE_REASON)
        save_screenshot(tablet, "honours-tablet")
        tablet.goto(f"/admin/people/{person_id}")
        expect(tablet.locator("[data-grade-history]")).to_contain_text(competition_name)
        save_screenshot(tablet, "honours-person-tablet")
    finally:
        restore_locale(live_server.app, locale)
