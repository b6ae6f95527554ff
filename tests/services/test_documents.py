"""Admission ticket PDFs and the registration list workbook, read back the way people read them."""

import html
import io
import re
import subprocess
from datetime import datetime

import flask_babel
import pytest
import segno
from flask import session
from flask_babel import gettext
from openpyxl import load_workbook
from PIL import Image, ImageOps

from compete.errors import InvalidInput
from compete.pdf import write_pdf
from compete.people import services as people
from compete.people.models import Unit
from compete.registration import documents, services
from compete.registration.models import RegistrationSource
from compete.rules import idcard
from tests.factories import make_competition, make_event, make_user, valid_id_number

pytestmark = pytest.mark.usefixtures("ctx")
OPEN = datetime(2026, 11, 1, 12)
ORGANIZER = RegistrationSource.ORGANIZER
DPI = 300


@pytest.fixture
def organizer():
    return make_user()


@pytest.fixture
def event(organizer):
    return make_event(organizer, make_competition(organizer), capacity=None)


def enter(organizer, event, body="32130219900307001", name="欧阳喆堃", *, approve=True, **person_fields):
    person = people.match_or_add_person(organizer, name=name, id_number=valid_id_number(body), **person_fields)
    registration = services.register(organizer, event, person, source=ORGANIZER, now=OPEN)
    if approve:
        services.approve(organizer, registration)
    return registration


def check_in_url(registration) -> str:
    return f"https://compete.example.gov.cn/check-in/{registration.ticket_token}"


def render(tmp_path, registrations):
    path = tmp_path / "tickets.pdf"
    path.write_bytes(documents.render_ticket_pdf(registrations, check_in_url_for=check_in_url))
    return path


def poppler(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def page_count(path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", poppler("pdfinfo", str(path)), re.MULTILINE)[1])


def text_of(path) -> str:
    # Letter-spaced titles and names come out with gaps between characters.
    return re.sub(r"\s+", "", poppler("pdftotext", "-layout", str(path), "-"))


def caption_box(path, caption: str) -> tuple[float, float]:
    """The caption's horizontal centre and top edge on page 1, in PDF points."""
    words = [
        (html.unescape(text), float(x_min), float(y_min), float(x_max))
        for x_min, y_min, x_max, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            poppler("pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"),
        )
    ]
    wanted = caption.replace(" ", "")
    for start in range(len(words)):
        joined = ""
        for end in range(start, len(words)):
            joined += words[end][0]
            if joined == wanted:
                return (words[start][1] + words[end][3]) / 2, words[start][2]
            if not wanted.startswith(joined):
                break
    raise AssertionError(f"caption {caption!r} not found")


def printed_qr_matrix(path, tmp_path, modules: int) -> list[list[int]]:
    """Read the QR code printed above its caption back into modules, as a scanner at the gate would."""
    centre, top = caption_box(path, gettext("Show this code at check-in"))
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", str(DPI), "-gray", "-png", str(path), str(tmp_path / "page")],
        check=True,
    )
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    points, mm = DPI / 72, DPI / 25.4
    # The code is printed 40 mm square right above the caption; this window holds it and its quiet zone
    # but neither the table above nor the notes beside it, so the dark pixels in it are the symbol alone.
    window = (
        round(centre * points - 22 * mm),
        round(top * points - 44 * mm),
        round(centre * points + 22 * mm),
        round(top * points - 0.5 * mm),
    )
    region = ImageOps.invert(page.crop(window))
    left, upper, right, lower = region.point(lambda value: 255 if value > 128 else 0).getbbox()
    size_x, size_y = (right - left) / modules, (lower - upper) / modules
    return [
        [
            int(region.getpixel((int(left + (column + 0.5) * size_x), int(upper + (row + 0.5) * size_y))) > 128)
            for column in range(modules)
        ]
        for row in range(modules)
    ]


def test_a_ticket_names_the_competitor_and_never_prints_the_full_id_number(tmp_path, organizer, event):
    first = enter(organizer, event)
    second = enter(organizer, event, "32130219850612002", name="李娜")
    path = render(tmp_path, [first, second])

    assert page_count(path) == 2
    text = text_of(path)
    full_id = first.person.id_number
    for expected in ("欧阳喆堃", "李娜", idcard.mask(full_id), event.name, f"HG-W-{first.id:05d}", "宿迁技师学院"):
        assert expected in text
    assert full_id not in text
    assert full_id[6:14] not in text  # not even the birth date part

    fonts = poppler("pdffonts", str(path)).splitlines()[2:]
    assert fonts
    # Columns: name, type (may contain spaces), encoding, emb, sub, uni, object number, generation.
    assert all(line.split()[-5] == "yes" for line in fonts), fonts


def test_the_printed_qr_code_carries_the_check_in_url_and_nothing_personal(tmp_path, organizer, event):
    registration = enter(organizer, event)
    url = check_in_url(registration)
    expected = segno.make_qr(url, error="m")
    modules = expected.symbol_size(border=0)[0]

    printed = printed_qr_matrix(render(tmp_path, [registration]), tmp_path, modules)

    assert printed == [list(row) for row in expected.matrix]
    other = segno.make_qr(check_in_url(enter(organizer, event, "32130219850612002", name="李娜")), error="m")
    assert printed != [list(row) for row in other.matrix]

    context = documents.ticket_context(registration, check_in_url=url)
    id_number = registration.person.id_number
    assert id_number not in url and id_number not in context["qr_svg"]
    assert id_number not in "".join(map(str, context.values()))
    # Plain values only: a template must not reach back into the database.
    assert all(isinstance(value, str) for value in context.values())


def test_only_approved_registrations_have_a_ticket(organizer, event):
    approved = enter(organizer, event)
    submitted = enter(organizer, event, "32130219850612002", name="李娜", approve=False)
    for registrations in ([submitted], [approved, submitted], []):
        with pytest.raises(InvalidInput):
            documents.render_ticket_pdf(registrations, check_in_url_for=check_in_url)
    services.reject(organizer, submitted, "证书信息不全")
    with pytest.raises(InvalidInput) as refused:
        documents.render_ticket_pdf([submitted], check_in_url_for=check_in_url)
    assert "李娜" in refused.value.message


def test_the_renderer_reads_nothing_but_data_uris():
    pixel = (
        "data:image/png;base64,"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    assert write_pdf(f'<img src="{pixel}">').startswith(b"%PDF")
    for address in ("file:///etc/hostname", "http://127.0.0.1:9/x.png", "https://example.com/x.css"):
        with pytest.raises(RuntimeError):
            write_pdf(f'<link rel="stylesheet" href="{address}"><img src="{address}">')


def test_the_ticket_speaks_the_current_language(tmp_path, organizer, event):
    registration = enter(organizer, event)
    chinese = text_of(render(tmp_path, [registration]))
    assert "准考证" in chinese and "检录时出示此二维码" in chinese

    session["locale"] = "en"
    flask_babel.refresh()
    english = text_of(render(tmp_path, [registration])).lower()
    assert "admissionticket" in english and "showthiscodeatcheck-in" in english
    assert "准考证" not in english
    assert "dec15–16,2026" in english


def read_back(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_the_registration_list_has_a_row_per_registration_with_masked_ids(organizer, event):
    unit = Unit(name='=HYPERLINK("http://evil.example","宿迁技师学院")')
    first = enter(organizer, event, unit=unit)
    second = enter(organizer, event, "32130219850612002", name="李娜", approve=False)
    services.reject(organizer, second, "证书信息不全")

    sheet = read_back(documents.export_registrations_xlsx(event, [first, second], full_id_numbers=False))

    header = [cell.value for cell in sheet[documents.HEADER_ROW]]
    assert header[:3] == [gettext("No."), gettext("Name"), gettext("ID number")]
    assert len(header) == 11
    assert event.competition.name in sheet.cell(1, 1).value and event.name in sheet.cell(1, 1).value
    assert sheet.freeze_panes == f"A{documents.HEADER_ROW + 1}"
    assert sheet.cell(documents.HEADER_ROW, 1).font.bold
    rows = list(sheet.iter_rows(min_row=documents.HEADER_ROW + 1, values_only=True))
    assert len(rows) == 2
    assert [row[:2] for row in rows] == [(1, "欧阳喆堃"), (2, "李娜")]

    id_cell = sheet.cell(documents.HEADER_ROW + 1, 3)
    assert id_cell.data_type == "s" and id_cell.number_format == "@"
    assert id_cell.value == idcard.mask(first.person.id_number)
    assert first.person.id_number not in "".join(str(value) for row in rows for value in row)

    assert rows[0][4] == datetime(1990, 3, 7)  # a real date cell, so Excel sorts and filters it
    assert rows[1][7] == gettext("Rejected") and rows[1][10] == "证书信息不全"
    assert isinstance(rows[0][9], datetime)
    unit_cell = sheet.cell(documents.HEADER_ROW + 1, 6)
    assert unit_cell.data_type == "s" and unit_cell.value.startswith("=HYPERLINK")  # text, never a formula


def test_full_id_numbers_are_exported_only_when_asked_and_stay_text(organizer, event):
    registration = enter(organizer, event, "32130219900307001")
    sheet = read_back(documents.export_registrations_xlsx(event, [registration], full_id_numbers=True))
    id_cell = sheet.cell(documents.HEADER_ROW + 1, 3)
    assert id_cell.value == registration.person.id_number
    # As a number Excel would keep 15 digits and show 3.2130219900307E+17.
    assert id_cell.data_type == "s" and id_cell.number_format == "@"
