"""Admission tickets as PDF and an event's registration list as an Excel workbook."""

import io
import re
from datetime import date

from babel.dates import format_interval
from flask import render_template
from flask_babel import get_locale, gettext, to_user_timezone
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment

from compete import labels
from compete.errors import InvalidInput
from compete.pdf import qr_svg, write_pdf
from compete.registration.models import RegistrationStatus
from compete.rules import grades, idcard
from compete.workbooks import HEADER_ROW, write_table

__all__ = [
    "HEADER_ROW",
    "export_registrations_xlsx",
    "render_ticket_pdf",
    "ticket_context",
]


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


def _grade_name(code: str | None) -> str:
    try:
        return labels.localized(grades.get(code or grades.NO_GRADE))
    except ValueError:  # a code this version does not know: show it rather than fail the export
        return code


def _registration_values(number: int, registration, full_id_numbers: bool) -> list[tuple]:
    """One row of (value, number format); a format of None marks text, which Excel never reinterprets."""
    person = registration.person
    submitted_at = registration.submitted_at
    if submitted_at is not None:
        # Stored in UTC; the bureau reads its own wall-clock time, and Excel has no time zones.
        submitted_at = to_user_timezone(submitted_at).replace(tzinfo=None, microsecond=0)
    return [
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
    rows = [_registration_values(number, r, full_id_numbers) for number, r in enumerate(registrations, start=1)]
    write_table(sheet, title, headers, rows)
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=len(headers), max_col=len(headers)):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
