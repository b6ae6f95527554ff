"""Certificates in a browser: issue them for the demo's final past competition, print them all, verify one."""

import re
import subprocess

from playwright.sync_api import Page, expect
from sqlalchemy import select

from compete import demo
from compete.accounts.models import User
from compete.extensions import db
from tests.browser.helpers import DESKTOP, horizontal_overflow, save_screenshot, sign_in

TABLET_PORTRAIT = {"width": 820, "height": 1180}
JOB_PAGE = re.compile(r"/admin/jobs/\d+$")
CERTIFICATES_PAGE = re.compile(r"/admin/competitions/\d+/certificates$")
# Marks, in the tab's own storage (it outlives the page's reloads), that a job page showed its progress bar.
WATCH_JOB_BAR = """
document.addEventListener("DOMContentLoaded", () => {
  if (/\\/admin\\/jobs\\/\\d+$/.test(location.pathname) && document.querySelector(".progress [data-job-bar]")) {
    sessionStorage.setItem("sawJobBar", location.pathname);
  }
});
"""


def organizer_locale(app) -> str | None:
    with app.app_context():
        locale = db.session.scalar(select(User.locale).where(User.username == "organizer"))
        db.session.remove()
        return locale


def restore_locale(app, locale: str | None) -> None:
    """Signing in in Chinese saves the language on the shared organizer account: put it back for other tests."""
    with app.app_context():
        organizer = db.session.scalar(select(User).where(User.username == "organizer"))
        organizer.locale = locale
        db.session.commit()
        db.session.remove()


def sign_in_chinese(page: Page) -> None:
    sign_in(page, "organizer", locale="zh_CN")


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)[1])


def open_certificates(page: Page, competition_name: str) -> str:
    """From the organizer's competition list to the competition's page, then its certificates; returns that URL."""
    page.goto("/admin/")
    page.locator("main").get_by_role("link", name=competition_name, exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/competitions/\d+$"))
    expect(page.locator("h1")).to_have_text(competition_name)
    link = page.locator("[data-certificates-link]")
    expect(link).to_have_text(re.compile(r"^\s*(证书|Certificates)\s*$"))
    link.click()
    expect(page).to_have_url(CERTIFICATES_PAGE)
    return page.url


def test_issue_print_and_verify_certificates(open_page, live_server, tmp_path):
    competition_name = demo.names()["past"]
    locale = organizer_locale(live_server.app)
    try:
        page = open_page(DESKTOP)
        page.add_init_script(WATCH_JOB_BAR)
        sign_in_chinese(page)
        certificates_url = open_certificates(page, competition_name)
        certificates_path = certificates_url.removeprefix(live_server.url)
        expect(page.locator("[data-not-final]")).to_have_count(0)

        # Issuing is idempotent: a second run finds the same certificates and numbers.
        issue = page.locator("[data-issue]")
        expect(issue).to_be_enabled()
        with page.expect_navigation(url=certificates_url):
            issue.click()
        expect(page.locator("main > .alert-success")).to_be_visible()
        rows = page.locator("[data-issued] tbody tr")
        expect(rows.first.locator("td")).to_have_count(6)  # not the one-cell "none issued yet" row
        issued = rows.count()
        assert issued >= 5, f"only {issued} certificates issued"
        valid_rows = rows.filter(has=page.locator("td .badge.text-bg-success"))
        valid = valid_rows.count()
        assert valid >= 5, f"only {valid} valid certificates"

        # Printing all runs as a job: its progress page, then back here with the file.
        earlier_files = page.locator("[data-prints] [data-print-file]")
        newest_before = earlier_files.first.get_attribute("href") if earlier_files.count() else None
        documents: list[tuple[str, int]] = []

        def record(response) -> None:
            if response.request.resource_type == "document":
                documents.append((response.url, response.status))

        page.on("response", record)
        page.evaluate("() => sessionStorage.removeItem('sawJobBar')")
        page.locator("[data-print-all]").click()
        # The page is already at the certificates' address: wait for it to come back there after a job page.
        for _ in range(300):
            job_pages = [(url, status) for url, status in documents if JOB_PAGE.search(url)]
            if job_pages and documents[-1] == (live_server.url + certificates_path, 200):
                break
            page.wait_for_timeout(200)
        else:
            raise AssertionError(f"printing did not go through a job page and back: {documents}")
        expect(page).to_have_url(certificates_url)
        saw_bar = page.evaluate("() => sessionStorage.getItem('sawJobBar')")
        shown = [url for url, status in job_pages if status == 200]
        # The job page shows its bar while the job runs; one already finished redirects at once (302).
        assert saw_bar or all(status == 302 for _url, status in job_pages), (job_pages, saw_bar)
        if shown:
            assert saw_bar, f"the job page {shown[0]} was shown without its progress bar"
        expect(page.locator("main > .alert-success")).to_be_visible()
        print_file = page.locator("[data-prints] [data-print-file]").first
        expect(print_file).to_be_visible()
        assert print_file.get_attribute("href") != newest_before, "no new print file is listed"
        expect(page.locator("[data-prints] li").first).to_contain_text(str(valid))

        with page.expect_download() as download:
            print_file.click()
        printed = tmp_path / "certificates.pdf"
        download.value.save_as(printed)
        assert printed.read_bytes().startswith(b"%PDF")
        assert pdf_pages(printed) == valid

        assert horizontal_overflow(page) <= 0
        save_screenshot(page, "certificates-desktop")

        # One certificate, and its public verification page.
        first = valid_rows.first
        holder = first.locator("td").nth(2).inner_text().strip()
        number = first.locator("td").first.inner_text().strip()
        assert holder
        first.locator("td").first.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/admin/certificates/\d+$"))
        expect(page.locator("h1")).to_have_text(number)
        verify_link = page.locator(".page-header a[href*='/verify/']")
        expect(verify_link).to_have_count(1)
        expect(verify_link).to_have_text(re.compile(r"查验页面|Verification page"))
        page.goto(verify_link.get_attribute("href"))
        expect(page).to_have_url(re.compile(r"/verify/[^/]+$"))
        expect(page.locator("[data-certificate]")).to_have_attribute("data-status", "valid")
        expect(page.locator("[data-certificate-status] .badge")).to_have_class(re.compile(r"\btext-bg-success\b"))
        expect(page.locator("[data-certificate-status]")).to_contain_text(re.compile(r"有效|[Vv]alid"))
        expect(page.locator("[data-holder]")).to_have_text(holder)
        expect(page.locator("[data-certificate-number]")).to_have_text(number)

        tablet = open_page(TABLET_PORTRAIT)
        sign_in_chinese(tablet)
        tablet.goto(certificates_url)
        expect(tablet.locator("[data-issued] tbody tr")).to_have_count(issued)
        expect(tablet.locator("[data-prints] [data-print-file]").first).to_be_visible()
        assert horizontal_overflow(tablet) <= 0
        save_screenshot(tablet, "certificates-tablet")
    finally:
        restore_locale(live_server.app, locale)
