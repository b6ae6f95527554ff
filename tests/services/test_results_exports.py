"""Results exports read back the way people read them: the workbook cell by cell, the PDF as pages and text."""

import io
import json
import re
import subprocess
import zipfile
from decimal import Decimal

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from compete.errors import InvalidInput
from compete.results import exports
from compete.results.compute import EventResults, ResultRow
from compete.rules import idcard
from tests.factories import valid_id_number

pytestmark = pytest.mark.usefixtures("ctx")

FACTS = {"name": "2026年宿迁市职业技能大赛", "level": "municipal-1", "year": 2026}
FIRST_ID = valid_id_number("32130219900307001")
ABSENT_ID = valid_id_number("32130219850612002")


def result_row(entry_id, name, id_number, *, status="present", rank=None, tied=False, award=None, **figures):
    return ResultRow(
        entry_id=entry_id,
        name=name,
        id_number=id_number,
        unit=figures.pop("unit", "宿迁技师学院"),
        competitor_number=100 + entry_id,
        station_number=entry_id if status == "present" else None,
        status=status,
        theory=figures.get("theory"),
        practical=figures.get("practical"),
        total=figures.get("total"),
        time_minutes=figures.get("minutes"),
        rank=rank,
        tied=tied,
        separated_by=None,
        award=award,
        passed=figures.get("total") is not None,
    )


def present(entry_id, name, body, rank, total, award, *, tied=False):
    return result_row(
        entry_id,
        name,
        valid_id_number(body),
        rank=rank,
        tied=tied,
        award=award,
        theory=Decimal("88.50"),
        practical=Decimal("94.25"),
        total=Decimal(total),
        minutes=Decimal("85.5"),
    )


@pytest.fixture
def events():
    welding = EventResults(
        event_id=1,
        code="HG-W",
        name="焊工（职工组）",
        rows=(
            present(1, "欧阳喆堃", "32130219900307001", 1, "92.45", "gold"),
            present(2, "李娜", "32130219910101003", 2, "90.10", "silver", tied=True),
            present(3, "王建国", "32130219920202004", 2, "90.10", "silver", tied=True),
            result_row(4, "钱多多", ABSENT_ID, status="absent"),
            result_row(5, "诸葛亮", valid_id_number("32130219930303005"), status="disqualified", unit="江苏洋河酒厂"),
        ),
        ranked_entrants=3,
        problems=(),
        unresolved_ties=(),
    )
    cooking = EventResults(
        event_id=2,
        code="ZC-S",
        name="中式烹调师（学生组）",
        rows=(
            present(6, "张伟", "32130220050505006", 1, "81.00", "prize-1"),
            present(7, "赵丽颖", "32130220060606007", 2, "79.35", "prize-2"),
        ),
        ranked_entrants=2,
        problems=(),
        unresolved_ties=(),
    )
    return [welding, cooking]


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def row_values(sheet, row: int) -> list:
    return [cell.value for cell in sheet[row]]


def test_the_workbook_has_a_sheet_per_event_with_the_rows_in_order(events):
    with force_locale("en"):
        book = workbook(exports.results_xlsx(FACTS, events))

    assert book.sheetnames == ["HG-W", "ZC-S"]
    sheet = book["HG-W"]
    assert "2026年宿迁市职业技能大赛" in sheet["A1"].value and "焊工（职工组）" in sheet["A1"].value
    assert row_values(sheet, exports.HEADER_ROW) == [
        "Rank",
        "Name",
        "ID number",
        "Unit",
        "Competitor number",
        "Station",
        "Theory",
        "Practical",
        "Total",
        "Time (minutes)",
        "Award",
        "Status",
    ]
    first = row_values(sheet, 3)
    assert first[:6] == [1, "欧阳喆堃", idcard.mask(FIRST_ID), "宿迁技师学院", 101, 1]
    assert first[6:] == [88.5, 94.25, 92.45, 85.5, "Gold", "Present"]
    assert [row_values(sheet, row)[0] for row in range(3, 8)] == [1, 2, 2, None, None]
    assert [row_values(sheet, row)[1] for row in range(3, 8)] == ["欧阳喆堃", "李娜", "王建国", "钱多多", "诸葛亮"]
    absent, disqualified = row_values(sheet, 6), row_values(sheet, 7)
    assert absent[6:] == [None, None, None, None, None, "Absent"]
    assert disqualified[-1] == "Disqualified" and disqualified[3] == "江苏洋河酒厂"
    assert sheet.max_row == 7
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:L7"
    assert book["ZC-S"]["K3"].value == "First prize" and book["ZC-S"]["K4"].value == "Second prize"


def test_scores_are_numbers_formatted_to_two_places_written_from_the_decimal(events):
    data = exports.results_xlsx(FACTS, events)
    sheet = workbook(data)["HG-W"]
    total = sheet["I3"]
    assert total.data_type == "n" and total.value == 92.45 and Decimal(str(total.value)) == Decimal("92.45")
    assert total.number_format == "0.00"
    assert sheet["G3"].number_format == sheet["H3"].number_format == "0.00"
    assert sheet["J3"].number_format == "0.0"
    assert sheet["A3"].value == 1 and isinstance(sheet["A3"].value, int)
    # The stored figure is exactly the published one, not a binary float's neighbour such as 92.4500000000001.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<c r="I3"[^>]*><v>92\.45</v></c>', xml)
    # Names and units are text, never formulas.
    assert sheet["B3"].data_type == "s" and sheet["B3"].number_format == "@"


def test_id_numbers_are_masked_unless_asked_for_in_full(events):
    masked = workbook(exports.results_xlsx(FACTS, events))["HG-W"]
    full = workbook(exports.results_xlsx(FACTS, events, full_id_numbers=True))["HG-W"]
    assert masked["C3"].value == idcard.mask(FIRST_ID) != FIRST_ID
    assert "*" in masked["C3"].value and masked["C6"].value == idcard.mask(ABSENT_ID)
    assert full["C3"].value == FIRST_ID and full["C6"].value == ABSENT_ID
    assert full["C3"].data_type == "s"  # 18 digits as text: a number would lose the last three


def test_the_workbook_follows_the_current_locale(events):
    with force_locale("zh"):
        sheet = workbook(exports.results_xlsx(FACTS, events))["HG-W"]
    headers = row_values(sheet, exports.HEADER_ROW)
    assert headers[1:5] == ["姓名", "身份证号", "单位", "参赛号"]
    assert row_values(sheet, 6)[-1] == "缺考"


def test_sheet_titles_are_legal_and_unique(events):
    welding = events[0]
    odd = [
        EventResults(9, code, "x", welding.rows, 3, (), ())
        for code in ("A/B", "a_b", "A_B", "X" * 40, "X" * 40, "[HG]:W?")
    ]
    titles = workbook(exports.results_xlsx(FACTS, odd)).sheetnames
    assert titles[:3] == ["A_B", "a_b~2", "A_B~3"]
    assert titles[3] == "X" * 31 and titles[4] == "X" * 29 + "~2"
    assert titles[5] == "_HG__W_"
    assert all(len(title) <= 31 for title in titles)


def test_there_is_nothing_to_export_without_events():
    with pytest.raises(InvalidInput):
        exports.results_xlsx(FACTS, [])
    with pytest.raises(InvalidInput):
        exports.results_pdf(FACTS, [])


def poppler(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def text_of(path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    # Letter-spaced titles and remarks come out with gaps between characters.
    return re.sub(r"\s+", "", poppler("pdftotext", "-layout", *pages, str(path), "-"))


@pytest.fixture
def english_pdf(tmp_path, events):
    with force_locale("en"):
        data = exports.results_pdf(
            FACTS, events, signers={"chief_judge": "王建国", "organizer": "宿迁市人力资源和社会保障局"}
        )
    path = tmp_path / "results.pdf"
    path.write_bytes(data)
    return path


def test_the_pdf_prints_each_event_on_its_own_pages(tmp_path, english_pdf):
    assert english_pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(english_pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 2
    first, second = text_of(english_pdf, 1), text_of(english_pdf, 2)
    assert "HG-W" in first and "欧阳喆堃" in first and "张伟" not in first
    assert "ZC-S" in second and "张伟" in second and "欧阳喆堃" not in second
    assert f"Page1of{len(pages)}" in first


def test_the_pdf_shows_names_masked_ids_awards_and_signature_lines(english_pdf):
    text = text_of(english_pdf)
    names = ("欧阳喆堃", "李娜", "王建国", "钱多多", "诸葛亮")
    for expected in (FACTS["name"], *names, "中式烹调师（学生组）"):
        assert expected in text
    assert idcard.mask(FIRST_ID) in text and idcard.mask(ABSENT_ID) in text
    assert FIRST_ID not in text and FIRST_ID[6:14] not in text
    for label in ("Rank", "Theory", "Practical", "Total", "Award", "Gold", "Silver", "Firstprize", "92.45", "90.10"):
        assert label in text
    for label in ("Chiefjudge", "Supervisor", "Organizer", "Signature", "Date", "宿迁市人力资源和社会保障局"):
        assert label in text
    assert text.count("Signature") == 2 * 3  # three lines on each event's page
    # Absent and disqualified competitors come after the ranked ones, marked as such.
    first = text_of(english_pdf, 1)
    assert first.index("王建国") < first.index("钱多多") < first.index("Absent")
    assert first.index("钱多多") < first.index("诸葛亮") < first.index("Disqualified")


def test_the_pdf_speaks_chinese_in_chinese(tmp_path, events):
    with force_locale("zh"):
        path = tmp_path / "zh.pdf"
        path.write_bytes(exports.results_pdf(FACTS, events))
    text = text_of(path)
    for expected in ("裁判长", "姓名", "身份证号", "单位", "缺考", "欧阳喆堃", idcard.mask(FIRST_ID)):
        assert expected in text
    fonts = poppler("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # every font embedded


def test_the_pdf_context_is_plain_data(events):
    with force_locale("en"):
        context = exports.results_context(FACTS, events, signers={"supervisor": "李监督"})
    plain = {key: value for key, value in context.items() if key != "page_numbers"}
    json.dumps(plain)  # no ORM objects, no lazy strings
    rows = context["events"][0]["rows"]
    assert [row["rank"] for row in rows] == ["1", "2", "2", "", ""]
    assert [row["remark"] for row in rows] == ["", "", "", "Absent", "Disqualified"]
    assert rows[0]["total"] == "92.45" and rows[0]["award"] == "Gold"
    assert [signer["name"] for signer in context["signers"]] == ["", "李监督", ""]
    assert str(context["page_numbers"]) == '"Page " counter(page) " of " counter(pages)'
    with pytest.raises(ValueError):
        exports.results_context(FACTS, events, signers={"referee": "x"})


def test_award_names_cover_every_award_of_every_scheme():
    from compete.rules import awards

    assert set(exports.AWARD_NAMES) == {name for names in awards.AWARD_NAMES.values() for name in names}
    with force_locale("en"):
        assert [str(exports.AWARD_NAMES[code]) for code in ("excellence", "third", "prize-3")] == [
            "Excellence",
            "Third place",
            "Third prize",
        ]
