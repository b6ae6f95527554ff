"""A new user registers from the portal and the organizer approves them; the import screen reports bad rows."""

import re

from playwright.sync_api import expect

from compete import demo
from tests.browser.helpers import choose_language, save_screenshot, sign_in
from tests.registration_sheets import build_sheet, many_rows, valid_id_number

NEWCOMER = valid_id_number("32130219980605001")


def sign_out(page):
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    page.locator("[data-user-menu]").click()
    page.get_by_role("button", name="Sign out").click()


def open_registrations(page, code="HG-W"):
    page.goto("/admin/")
    page.get_by_role("link", name=demo.names()["current"], exact=True).click()
    page.locator(f"[data-event-code={code}]").get_by_role("link", name="Registrations").click()


def test_a_new_user_registers_and_the_organizer_approves(page, live_server):
    page.goto("/login")
    choose_language(page, "en")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Name", exact=True).fill("周晓东")
    page.get_by_label("Resident ID number").fill(NEWCOMER)
    page.get_by_label("Unit").select_option(label="宿迁技师学院")
    page.get_by_label("Current skill grade").select_option("g4")
    page.get_by_label("Username").fill("zhouxd")
    page.get_by_label("Password", exact=True).fill("zhou2026x")
    page.get_by_label("Repeat the password").fill("zhou2026x")
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    page.locator("[data-open-event=HG-W]").get_by_role("button", name="Register").click()
    expect(page.locator("[data-registration=HG-W]")).to_contain_text("awaiting review")
    save_screenshot(page, "portal-registered-desktop")
    sign_out(page)

    sign_in(page, "organizer")
    open_registrations(page)
    row = page.locator("[data-registration-row=周晓东]")
    expect(row).to_contain_text("Meets every requirement")
    expect(row).not_to_contain_text(NEWCOMER)  # masked on the review screen
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_role("alert").first).to_contain_text("1 registrations decided")
    expect(page.locator("[data-registration-row=周晓东]")).to_contain_text("Approved")
    save_screenshot(page, "registrations-review-desktop")
    sign_out(page)

    page.goto("/login")
    page.locator("input[name=username]").fill("zhouxd")
    page.locator("input[name=password]").fill("zhou2026x")
    page.locator("form input[type=submit][name=submit]").click()
    expect(page.locator("[data-registration=HG-W]")).to_contain_text("Approved")
    with page.expect_download() as download:
        page.get_by_role("link", name="Admission ticket (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_the_import_screen_reports_bad_rows_and_imports_the_rest(page, live_server, tmp_path):
    sheet = tmp_path / "报名表.xlsx"
    sheet.write_bytes(
        build_sheet(
            [["吴刚", valid_id_number("32130219870909001")], ["郑爽", "321302198709090019"[:-1] + "X"]],
            title_row="报名表",
        )
    )
    sign_in(page, "organizer")
    open_registrations(page)
    page.get_by_role("link", name="Import from Excel").click()
    page.get_by_label("Excel file (.xlsx)").set_input_files(str(sheet))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("[data-valid-count]")).to_have_text("1")
    expect(page.locator("[data-error-count]")).to_have_text("1")
    expect(page.locator("[data-import-error]")).to_contain_text("身份证号")
    save_screenshot(page, "import-report-desktop")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the error sheet").click()
    assert download.value.suggested_filename.endswith("import-errors.xlsx")
    page.get_by_role("button", name="Import the valid rows").click()
    expect(page.get_by_role("alert").first).to_contain_text("1 registrations imported")
    expect(page.locator("[data-registration-row=吴刚]")).to_be_visible()


def test_a_big_sheet_goes_through_a_progress_page_to_its_report(page, live_server, tmp_path):
    sheet = tmp_path / "报名表.xlsx"
    rows = many_rows(3000, start=50_000)
    rows[7][1] = rows[7][1][:-1] + ("0" if rows[7][1][-1] != "0" else "1")  # a wrong check digit
    sheet.write_bytes(build_sheet(rows))
    sign_in(page, "organizer")
    open_registrations(page)
    page.get_by_role("link", name="Import from Excel").click()
    page.get_by_label("Excel file (.xlsx)").set_input_files(str(sheet))
    page.get_by_role("button", name="Check the file").click()
    # The job page follows the check and moves on to the report by itself.
    expect(page.locator("[data-valid-count]")).to_have_text("2999", timeout=30_000)
    expect(page.locator("[data-error-count]")).to_have_text("1")
    page.get_by_role("button", name="Import the valid rows").click()
    expect(page.get_by_role("alert").first).to_contain_text("2999 registrations imported", timeout=60_000)
