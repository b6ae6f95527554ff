"""What several browser tests do: sign in, choose the language, keep screenshots, measure overflow."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from compete import ROOT

ARTIFACTS = ROOT / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 768, "height": 1024}
LANGUAGE_BUTTONS = {"zh_CN": "简体中文", "en": "English"}
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")

PASSWORDS = {
    "admin": "admin2026",
    "organizer": "organizer2026",
    "organizer2": "organizer2026",
    "judge": "judge2026",
    "competitor": "competitor2026",
    "supervisor": "supervisor2026",
}


def save_screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in test-artifacts/ (git-ignored) for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # A tall page on a busy machine (the whole suite at once) can take longer than the default 10 s.
    page.screenshot(path=str(path), full_page=True, timeout=60_000)
    return path


def choose_language(page: Page, locale: str) -> None:
    """Press the navbar's language button, opening the collapsed menu first on narrow screens."""
    # Before the stylesheets have loaded, the toggler shows at any width: decide once they have.
    button = page.get_by_role("button", name=LANGUAGE_BUTTONS[locale], exact=True)
    for attempt in range(2):
        page.wait_for_load_state("load")
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            # The collapsed menu slides open; a press during the slide can miss on a busy machine.
            expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
        with page.expect_navigation():
            button.click()
        if page.locator("html").get_attribute("lang") == HTML_LANG[locale] or attempt:
            break
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[locale])


def sign_in(page: Page, username: str, *, locale: str | None = "en") -> None:
    """Sign in through the form; then make sure the pages are in `locale` (None: leave the language be).

    The form is found by field names, not labels, so that signing in works in either language;
    test_login checks the form itself.
    """
    page.goto("/login")
    submit_sign_in(page, username)
    if locale is not None and page.locator("html").get_attribute("lang") != HTML_LANG[locale]:
        choose_language(page, locale)  # saved on the account, so it holds whatever earlier tests chose


def submit_sign_in(page: Page, username: str) -> None:
    """Fill in and send the sign-in form already on the page (the demo password of `username`)."""
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORDS[username])
    page.locator("form input[type=submit][name=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 or less: no sideways scrolling)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
