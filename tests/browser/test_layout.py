"""On a tablet (768×1024, the judges' and organizers' venue device) nothing scrolls sideways."""

import pytest
from playwright.sync_api import Page, expect

from compete import demo
from tests.browser.helpers import TABLET, horizontal_overflow, save_screenshot, sign_in

CURRENT = demo.names()["current"]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_tablet_viewport(open_page, live_server, locale):
    page: Page = open_page(TABLET)
    overflowing = {}

    def check(name: str) -> None:
        save_screenshot(page, f"{name}-{locale}-tablet")
        excess = horizontal_overflow(page)
        if excess > 1:
            overflowing[name] = f"{excess}px wider than the viewport"

    page.goto("/")
    check("home")
    sign_in(page, "organizer", locale=locale)  # through the collapsed navbar menu on this width
    check("admin-index")

    page.get_by_role("link", name=CURRENT, exact=True).click()
    card = page.locator("[data-event-code='HG-W']")
    expect(card.locator("[data-scheme-total]")).to_have_text("100")
    check("competition-page")

    page.locator(f"a[href='/admin/competitions/{live_server.competition_id(CURRENT)}/events/new']").click()
    expect(page.locator("[data-weights-sum]")).to_be_attached()
    check("event-form")
    page.go_back()

    card.locator("a[href$='/scheme']").click()
    expect(page.locator("[data-criterion-row]")).to_have_count(5)
    expect(page.locator("[data-total]")).to_have_text("100")
    check("scheme-editor")

    assert not overflowing, overflowing
