"""Signing in and out, and who may open what."""

import re

from playwright.sync_api import expect

from compete import demo
from tests.browser.helpers import choose_language, save_screenshot, sign_in, submit_sign_in

CURRENT = demo.names()["current"]


def test_login(page, live_server):
    page.goto("/login")
    choose_language(page, "en")
    username, password = page.get_by_label("Username"), page.get_by_label("Password")
    sign_in_button = page.get_by_role("button", name="Sign in", exact=True)

    username.fill("organizer")
    password.fill("wrong-password")
    sign_in_button.click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(password).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(".invalid-feedback")).to_have_text("The username or password is wrong.")
    expect(username).to_have_value("organizer")
    expect(password).to_have_value("")  # a password is never sent back
    save_screenshot(page, "login-wrong-password-desktop")

    password.fill("organizer2026")
    sign_in_button.click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="My competitions", level=1)).to_be_visible()
    expect(page.get_by_role("link", name=CURRENT, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=demo.names()["past"], exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=demo.names()["jincheng"])).to_have_count(0)  # organizer2's
    save_screenshot(page, "admin-index-desktop")

    page.locator("[data-user-menu]").click()  # signing out sits in the user's menu
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("alert")).to_contain_text("You have signed out.")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/login\?next="))  # the session really ended


def test_access(page, live_server):
    competition_id = live_server.competition_id(CURRENT)
    scheme_id = live_server.event_id(CURRENT, "HG-W")

    # Anonymous: /admin/ sends to the sign-in page, and after signing in back to /admin/.
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fadmin%2F$"))
    expect(page.locator(".alert-warning")).to_be_visible()
    submit_sign_in(page, "organizer2")
    expect(page).to_have_url(f"{live_server.url}/admin/")
    choose_language(page, "en")

    # organizer2 sees only their own competition, and gets the 403 page for organizer's.
    expect(page.get_by_role("link", name=demo.names()["jincheng"], exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=CURRENT)).to_have_count(0)
    for path in (f"/admin/competitions/{competition_id}", f"/admin/events/{scheme_id}/scheme"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", name="You are not allowed to open this page")).to_be_visible()
        expect(page.get_by_text(CURRENT)).to_have_count(0)
        expect(page.get_by_role("link", name="Back to the home page")).to_be_visible()
    save_screenshot(page, "error-403-desktop")


def test_sign_in_form_needs_both_fields(page):
    page.goto("/login")
    choose_language(page, "en")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_label("Username")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(".invalid-feedback")).to_have_text(["Enter your username.", "Enter your password."])
    sign_in(page, "organizer")  # and the real form still works afterwards
    expect(page.get_by_role("heading", name="My competitions", level=1)).to_be_visible()
