"""Admission tickets as PDF and an event's registration list as an Excel workbook."""

import io
import re
from datetime import date

from babel.dates import format_interval
from flask import render_template
from flask_babel import get_locale, gettext, to_user_timezone
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from compete import labels
from compete.errors import InvalidInput
from compete.pdf import qr_svg, write_pdf
from compete.registration.models import RegistrationStatus
from compete.rules import grades, idcard

__all__ = [
    "HEADER_ROW",
    "export_registrations_xlsx",
    "render_ticket_pdf",
    "ticket_context",
]

# The title sits in row 1 so that a reader (or an import) finds the column names in a fixed row.
TITLE_ROW = 1
HEADER_ROW = 2
_TEXT = "@"


def _dates(starts_on: date, ends_on: date) -> str:
    # CLDR's interval format collapses the shared year and month: 2026年12月15日至16日, Dec 15 – 16, 2026.
    return format_interval(starts_on, ends_on, "yMMMd", locale=get_locale())


def ticket_context(registration, *, check_in_url: str) -> dict:
    """Everything one admission ticket shows, as plain values in the current locale."""
    event = registration.event
    competition = event.competition
    person = registration.person
    unit = registration.unit
    return {
        "competition_name": competition.name,
        "organizer_body": competition.organizer_body,
        "event_code": event.code,
        "event_name": event.name,
        "occupation": event.occupation,
        "group": labels.label(labels.GROUPS, event.group),
        "competitor_name": person.name,
        "masked_id_number": idcard.mask(person.id_number),
        "unit_name": unit.name if unit is not None else "",
        "dates": _dates(competition.starts_on, competition.ends_on),
        "venue": competition.venue,
        "ticket_number": f"{event.code}-{registration.id:05d}",
        # The QR code carries only the opaque token's URL: anyone can scan a ticket, so never the ID number.
        "check_in_url": check_in_url,
        "qr_svg": qr_svg(check_in_url),
    }


def render_ticket_pdf(registrations, *, check_in_url_for) -> bytes:
    """One A4 PDF with a page per admission ticket, in the current language; approved registrations only."""
    registrations = list(registrations)
    if not registrations:
        raise InvalidInput(_l("There are no admission tickets to print."))
    for registration in registrations:
        if registration.status != RegistrationStatus.APPROVED:
            raise InvalidInput(
                _l(
                    "%(name)s's registration is not approved: only approved registrations have an admission ticket.",
                    name=registration.person.name,
                )
            )
    tickets = [
        ticket_context(registration, check_in_url=check_in_url_for(registration)) for registration in registrations
    ]
    language = "zh-CN" if labels.is_chinese() else "en"
    return write_pdf(render_template("documents/admission_ticket.html", tickets=tickets, language=language))


def _text(cell, value) -> None:
    """Store a value as text, never as a formula: names and units come from applicants (formula injection)."""
    cell.number_format = _TEXT
    if value is None or value == "":
        return
    cell.value = str(value)
    cell.data_type = "s"


def _grade_name(code: str | None) -> str:
    try:
        return labels.localized(grades.get(code or grades.NO_GRADE))
    except ValueError:  # a code this version does not know: show it rather than fail the export
        return code


def _display_width(value) -> int:
    # CJK characters take two columns in Excel's default font.
    text = "" if value is None else str(value)
    return sum(2 if ord(character) > 0x2E7F else 1 for character in text)


def export_registrations_xlsx(event, registrations, *, full_id_numbers: bool) -> bytes:
    """An event's registrations as one sheet; ID numbers masked unless full_id_numbers."""
    headers = [
        gettext("No."),
        gettext("Name"),
        gettext("ID number"),
        gettext("Gender"),
        gettext("Birth date"),
        gettext("Unit"),
        gettext("Current skill grade"),
        gettext("Status"),
        gettext("Source"),
        gettext("Submitted at"),
        gettext("Decision reason"),
    ]
    workbook = Workbook()
    sheet = workbook.active
    # Excel refuses these characters in sheet names and cuts them at 31.
    sheet.title = re.sub(r"[\[\]:*?/\\]", "_", event.code)[:31] or "Sheet1"

    title = gettext("%(competition)s %(event)s registration list", competition=event.competition.name, event=event.name)
    _text(sheet.cell(TITLE_ROW, 1), title)
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True, size=14)
    sheet.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=len(headers))
    sheet.row_dimensions[TITLE_ROW].height = 28

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    widths = [_display_width(header) for header in headers]
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(HEADER_ROW, column)
        _text(cell, header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8E8E8")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border

    for number, registration in enumerate(registrations, start=1):
        row = HEADER_ROW + number
        person = registration.person
        submitted_at = registration.submitted_at
        if submitted_at is not None:
            # Stored in UTC; the bureau reads its own wall-clock time, and Excel has no time zones.
            submitted_at = to_user_timezone(submitted_at).replace(tzinfo=None, microsecond=0)
        # (value, number format): a format of None marks text, written so that Excel never reinterprets it.
        values = [
            (number, "0"),
            (person.name, None),
            (person.id_number if full_id_numbers else idcard.mask(person.id_number), None),
            (labels.label(labels.GENDERS, person.gender), None),
            (person.birth_date, "yyyy-mm-dd"),
            (registration.unit.name if registration.unit is not None else "", None),
            (_grade_name(person.grade), None),
            (labels.label(labels.REGISTRATION_STATUSES, registration.status), None),
            (labels.label(labels.REGISTRATION_SOURCES, registration.source), None),
            (submitted_at, "yyyy-mm-dd hh:mm"),
            (registration.rejection_reason or registration.override_reason or "", None),
        ]
        for column, (value, number_format) in enumerate(values, start=1):
            cell = sheet.cell(row, column)
            if number_format is None:
                _text(cell, value)
                widths[column - 1] = max(widths[column - 1], _display_width(value))
            else:
                cell.value = value
                cell.number_format = number_format
                widths[column - 1] = max(widths[column - 1], len(number_format))
            cell.border = border

    for column, width in enumerate(widths, start=1):
        # Room for the cell padding; long reasons wrap rather than push the sheet wide.
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, 50)
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=len(headers), max_col=len(headers)):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
