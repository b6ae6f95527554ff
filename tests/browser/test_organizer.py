"""An organizer sets up a competition, its events and their marking schemes entirely in the browser."""

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import save_screenshot, sign_in

NAME = "2026年宿迁市青年职业技能竞赛"
EVENT_CARD = "[data-event-code='{}']"
CHOSEN_REGIONS = ("江苏省宿迁市宿城区", "江苏省宿迁市宿豫区")
KINDS = {"measurement": "Measurement", "judgement": "Judgement (0-3)"}


def test_create_competition_with_two_events(page: Page, live_server):
    sign_in(page, "organizer")
    page.get_by_role("link", name="New competition").click()
    expect(page).to_have_url(re.compile(r"/admin/competitions/new$"))
    page.get_by_label("Competition name").fill(NAME)
    page.get_by_label("Level").select_option("municipal-2")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("First day").fill("2026-11-20")
    page.get_by_label("Last day").fill("2026-11-21")
    page.get_by_label("Organizing body").fill("宿迁市人力资源和社会保障局")
    page.get_by_label("Venue").fill("宿迁技师学院实训中心")
    page.get_by_label("Promotion and honours policy").select_option("suqian")
    page.get_by_label("Notice to applicants").fill("报名对象:35周岁以下的企业职工和院校学生。")
    save_screenshot(page, "competition-form-desktop")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(re.compile(r"/admin/competitions/\d+$"))
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Competition created")
    expect(page.get_by_text("No events yet.")).to_be_visible()
    competition_url = page.url

    # First event, with a bad-input round trip: the weights add up to 0.9.
    page.get_by_role("link", name="Add event").click()
    expect(page).to_have_url(re.compile(r"/events/new$"))
    fill_event(page, code="CK-W", name="车工(职工组)", occupation="车工", group="worker", theory="0.3", practical="0.6")
    weights_sum = page.locator("[data-weights-sum]")
    expect(weights_sum).to_have_text("Sum of weights: 0.9 ≠ 1")
    expect(weights_sum).to_have_class(re.compile(r"\bbad\b"))
    page.get_by_role("button", name="Save event").click()

    practical = page.get_by_label("Practical weight")
    expect(page).to_have_url(re.compile(r"/events/new$"))  # the form again, not saved
    expect(practical).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(practical.locator("xpath=following-sibling::*[contains(@class, 'invalid-feedback')]")).to_have_text(
        "The theory and practical weights must add up to 1; they add up to 0.9."
    )
    expect(page.locator(".invalid-feedback")).to_have_count(1)  # only that field is marked
    expect(page.get_by_label("Event code")).to_have_value("CK-W")
    expect(page.get_by_label("Event name")).to_have_value("车工(职工组)")
    expect(page.get_by_label("Occupation")).to_have_value("车工")
    expect(page.get_by_label("Group")).to_have_value("worker")
    expect(page.get_by_label("Theory weight")).to_have_value("0.3")
    expect(practical).to_have_value("0.6")
    expect(page.get_by_label("Combining the judges' marks")).to_have_value("trimmed_mean")
    expect(page.get_by_label("Judges per station")).to_have_value("5")
    expect(page.get_by_label("Award scheme")).to_have_value("medals")
    expect(page.get_by_label("Pass mark (total)")).to_have_value("60")
    expect(page.get_by_label("Registration opens")).to_have_value("2026-09-01T09:00")
    expect(page.get_by_label("Registration closes")).to_have_value("2026-11-06T17:00")
    expect(page.get_by_label("Capacity")).to_have_value("40")
    expect(page.get_by_label("Minimum age")).to_have_value("18")
    expect(page.get_by_label("Maximum age")).to_have_value("35")
    expect(page.get_by_label("Required current grade (at least)")).to_have_value("g5")
    regions = page.get_by_role("group", name="Eligible regions")
    for region in CHOSEN_REGIONS:
        expect(regions.get_by_label(region, exact=True)).to_be_checked()
    expect(regions.get_by_role("checkbox", checked=True)).to_have_count(len(CHOSEN_REGIONS))
    expect(weights_sum).to_have_text("Sum of weights: 0.9 ≠ 1")  # recomputed when the page comes back
    save_screenshot(page, "event-form-weights-error-desktop")

    practical.fill("0.7")
    expect(weights_sum).to_have_text("Sum of weights: 1 ✓")
    expect(weights_sum).not_to_have_class(re.compile(r"\bbad\b"))
    page.get_by_role("button", name="Save event").click()

    expect(page).to_have_url(re.compile(r"/admin/events/\d+/scheme$"))
    expect(page.get_by_role("alert")).to_contain_text("Event created")
    fill_scheme(
        page,
        [
            ("A1", "零件尺寸精度", "measurement", "40", "0.5"),
            ("A2", "表面粗糙度", "measurement", "40", "1"),
            ("B1", "工艺与安全文明生产", "judgement", "20", None),
        ],
        totals=["40", "80", "100"],
    )
    # A fourth row added by mistake counts in the total, and removing it takes it out again.
    page.locator("[data-add-row]").click()
    extra = page.locator("[data-criterion-row]").nth(3)
    extra.get_by_label("Max mark", exact=True).fill("5")
    expect(page.locator("[data-total]")).to_have_text("105")
    extra.locator("[data-remove-row]").click()
    expect(page.locator("[data-criterion-row]")).to_have_count(3)
    expect(page.locator("[data-total]")).to_have_text("100")
    save_screenshot(page, "scheme-editor-desktop")
    page.get_by_role("button", name="Save marking scheme").click()

    expect(page).to_have_url(competition_url)
    expect(page.get_by_role("alert")).to_contain_text(saved_message(3))

    # Second event: student group, practical-heavy, decimal maxima that add up to exactly 100.
    page.get_by_role("link", name="Add event").click()
    fill_event(
        page,
        code="DQ-S",
        name="电气设备安装工(学生组)",
        occupation="电气设备安装工",
        group="student",
        theory="0.2",
        practical="0.8",
    )
    expect(page.locator("[data-weights-sum]")).to_have_text("Sum of weights: 1 ✓")
    page.get_by_role("button", name="Save event").click()
    expect(page).to_have_url(re.compile(r"/admin/events/\d+/scheme$"))
    fill_scheme(
        page,
        [
            ("A1", "电气线路安装", "measurement", "37.5", "0.5"),
            ("A2", "设备调试", "measurement", "12.5", "0.5"),
            ("B1", "操作规范", "judgement", "30", None),
            ("B2", "职业素养", "judgement", "20", None),
        ],
        totals=["37.5", "50", "80", "100"],
    )
    page.get_by_role("button", name="Save marking scheme").click()
    expect(page).to_have_url(competition_url)
    expect(page.get_by_role("alert")).to_contain_text(saved_message(4))

    # The competition page shows both events with their criteria and totals.
    expect(page.locator("[data-event-code]")).to_have_count(2)
    expect_event_card(
        page,
        "CK-W",
        "车工(职工组)",
        [
            ("A1", "零件尺寸精度", "measurement", "40"),
            ("A2", "表面粗糙度", "measurement", "40"),
            ("B1", "工艺与安全文明生产", "judgement", "20"),
        ],
    )
    expect_event_card(
        page,
        "DQ-S",
        "电气设备安装工(学生组)",
        [
            ("A1", "电气线路安装", "measurement", "37.5"),
            ("A2", "设备调试", "measurement", "12.5"),
            ("B1", "操作规范", "judgement", "30"),
            ("B2", "职业素养", "judgement", "20"),
        ],
    )
    card = page.locator(EVENT_CARD.format("CK-W"))
    expect(card).to_contain_text("theory 0.3, practical 0.7")
    expect(card).to_contain_text("2026-09-01 09:00 – 2026-11-06 17:00")
    expect(page.locator(EVENT_CARD.format("DQ-S"))).to_contain_text("theory 0.2, practical 0.8")
    save_screenshot(page, "competition-page-desktop")

    # The new competition is listed among the organizer's, still a draft.
    page.get_by_role("link", name="My competitions").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=NAME, exact=True))
    expect(row.get_by_role("cell")).to_have_text(["2026", NAME, re.compile(r"\S"), "2026-11-20", "2", "Draft"])


def saved_message(count: int) -> re.Pattern:
    # The flash currently reads "100.00 marks" where the page says 100; either is accepted here.
    return re.compile(rf"Marking scheme saved: {count} criteria, 100(\.0+)? marks in all\.")


def fill_event(page: Page, *, code, name, occupation, group, theory, practical) -> None:
    page.get_by_label("Event code").fill(code)
    page.get_by_label("Event name").fill(name)
    page.get_by_label("Occupation").fill(occupation)
    page.get_by_label("Group").select_option(group)
    page.get_by_label("Theory weight").fill(theory)
    page.get_by_label("Practical weight").fill(practical)
    page.get_by_label("Combining the judges' marks").select_option("trimmed_mean")
    page.get_by_label("Judges per station").fill("5")
    expect(page.get_by_label("1st tie-break")).to_have_value("total")  # the usual order is preselected
    page.get_by_label("Award scheme").select_option("medals")
    page.get_by_label("Pass mark (total)").fill("60")
    page.get_by_label("Registration opens").fill("2026-09-01T09:00")
    page.get_by_label("Registration closes").fill("2026-11-06T17:00")
    page.get_by_label("Capacity").fill("40")
    page.get_by_label("Minimum age").fill("18")
    page.get_by_label("Maximum age").fill("35")
    page.get_by_label("Required current grade (at least)").select_option("g5")
    regions = page.get_by_role("group", name="Eligible regions")
    for region in CHOSEN_REGIONS:
        regions.get_by_label(region, exact=True).check()


def fill_scheme(page: Page, criteria, totals) -> None:
    """Fill the editor's rows, adding a row with the button for each criterion after the first."""
    rows, total = page.locator("[data-criterion-row]"), page.locator("[data-total]")
    expect(rows).to_have_count(1)  # a new event starts with one empty row
    expect(total).to_have_text("0")
    for index, ((code, name, kind, max_mark, step), running_total) in enumerate(zip(criteria, totals, strict=True)):
        if index:
            page.locator("[data-add-row]").click()
            expect(rows).to_have_count(index + 1)
        row = rows.nth(index)
        code_input = row.get_by_label("Code", exact=True)
        if index:
            expect(code_input).to_be_focused()  # the added row is ready for typing
        code_input.fill(code)
        row.get_by_label("Criterion", exact=True).fill(name)
        row.get_by_label("Kind", exact=True).select_option(kind)
        step_input = row.get_by_label("Step", exact=True)
        if kind == "judgement":
            expect(step_input).to_have_value("1")  # judges score 0-3: the step is fixed
            expect(step_input).not_to_be_editable()
        else:
            expect(step_input).to_be_editable()
            step_input.fill(step)
        row.get_by_label("Max mark", exact=True).fill(max_mark)
        expect(total).to_have_text(running_total)


def expect_event_card(page: Page, code: str, name: str, criteria) -> None:
    card = page.locator(EVENT_CARD.format(code))
    expect(card.locator(".card-header")).to_contain_text(f"{code}{name}")
    rows = card.locator("tbody tr")
    expect(rows).to_have_count(len(criteria))
    for index, (criterion_code, criterion_name, kind, max_mark) in enumerate(criteria):
        expect(rows.nth(index).locator("td")).to_have_text([criterion_code, criterion_name, KINDS[kind], max_mark])
    expect(card.locator("[data-scheme-total]")).to_have_text("100")
