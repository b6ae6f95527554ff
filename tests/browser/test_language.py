"""The interface is in Simplified Chinese unless the user picks English, and the pick sticks."""

import re

from playwright.sync_api import Page, expect

from compete import demo
from tests.browser.helpers import CHINESE, choose_language, save_screenshot, submit_sign_in


def expect_chinese(page: Page) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-CN")
    navbar = page.get_by_role("navigation")
    expect(navbar.locator(".navbar-brand")).to_have_text(CHINESE)
    expect(navbar.locator(".navbar-nav .nav-link").first).to_have_text(CHINESE)
    expect(page.get_by_role("button", name="简体中文", exact=True)).to_have_class(re.compile(r"\bbtn-light\b"))
    expect(page.get_by_role("button", name="English", exact=True)).to_have_class(re.compile(r"\bbtn-outline-light\b"))


def expect_english(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    navbar = page.get_by_role("navigation")
    expect(navbar.locator(".navbar-brand")).to_have_text("Skills Competitions")
    expect(navbar.get_by_role("link", name="Competitions", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="English", exact=True)).to_have_class(re.compile(r"\bbtn-light\b"))


def test_switch_language(page: Page, live_server):
    page.goto("/")
    expect_chinese(page)
    expect(page.locator("nav a[href='/login']")).to_have_text(CHINESE)  # "Sign in"
    expect(page.get_by_role("link", name=demo.names()["current"])).to_be_visible()
    save_screenshot(page, "home-zh-desktop")

    choose_language(page, "en")
    expect(page).to_have_url(re.compile(r"^[^?]+/\??$"))  # the same page, not another one
    expect_english(page)
    expect(page.get_by_role("heading", name="Vocational skills competitions")).to_be_visible()
    expect(page.get_by_role("link", name=demo.names()["current"])).to_be_visible()  # data stays as entered
    save_screenshot(page, "home-en-desktop")

    page.get_by_role("link", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    submit_sign_in(page, "organizer")
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect_english(page)
    expect(page.get_by_role("heading", name="My competitions", level=1)).to_be_visible()

    page.get_by_role("link", name=demo.names()["current"], exact=True).click()
    expect(page.get_by_role("link", name="Add event")).to_be_visible()
    competition_url = page.url
    choose_language(page, "zh_CN")
    expect(page).to_have_url(competition_url)  # back on the page it was switched from
    expect_chinese(page)
    page.goto("/admin/competitions/new")  # and it holds on the next page
    expect_chinese(page)
    expect(page.locator("form input[type=submit]")).to_have_value(CHINESE)
    save_screenshot(page, "competition-form-zh-desktop")
