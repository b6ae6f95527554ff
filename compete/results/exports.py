"""An event's or a competition's results as an Excel workbook and as a print-ready PDF table to sign."""

import io
import re
from decimal import Decimal

from flask import render_template
from flask_babel import gettext, pgettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from compete import labels
from compete.errors import InvalidInput
from compete.pdf import write_pdf
from compete.results.compute import EventResults, ResultRow
from compete.rules import idcard
from compete.workbooks import HEADER_ROW, write_table

__all__ = [
    "AWARD_NAMES",
    "HEADER_ROW",
    "SIGNER_ROLES",
    "STATUS_NAMES",
    "results_context",
    "results_pdf",
    "results_xlsx",
]

# The same names as on the screens: keys are the award codes of compete.rules.awards.
AWARD_NAMES = labels.AWARDS
STATUS_NAMES = labels.RESULT_STATUSES
# Who signs the printed table, in the order the lines are printed.
SIGNER_ROLES = ("chief_judge", "supervisor", "organizer")

_SCORE = "0.00"
_MINUTES = "0.0"
_WHOLE = "0"


def _award_name(code: str | None) -> str:
    return labels.label(AWARD_NAMES, code)


def _status_name(code: str) -> str:
    return labels.label(STATUS_NAMES, code)


def _check_events(events) -> list[EventResults]:
    events = list(events)
    if not events:
        raise InvalidInput(_l("There are no results to export."))
    return events


# -- Excel ------------------------------------------------------------------------------------------------------


def _sheet_title(code: str, taken: set[str]) -> str:
    # Excel refuses these characters in sheet names, cuts them at 31 and compares them case-insensitively.
    base = re.sub(r"[\[\]:*?/\\]", "_", code).strip("'")[:31] or "Sheet"
    title, number = base, 1
    while title.casefold() in taken:
        number += 1
        suffix = f"~{number}"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.casefold())
    return title


def _xlsx_headers() -> list[str]:
    return [
        gettext("Rank"),
        gettext("Name"),
        gettext("ID number"),
        gettext("Unit"),
        gettext("Competitor number"),
        gettext("Station"),
        gettext("Theory"),
        gettext("Practical"),
        # Contexts: the catalogue already has "Total" (a sum) and "Status" (of a registration).
        pgettext("results", "Total"),
        gettext("Time (minutes)"),
        gettext("Award"),
        pgettext("results", "Status"),
    ]


def _xlsx_values(row: ResultRow, *, full_id_numbers: bool) -> list[tuple[object, str | None]]:
    # (value, number format): a format of None marks text. Scores go in as the Decimal itself, never a float.
    return [
        (row.rank, _WHOLE),
        (row.name, None),
        (row.id_number if full_id_numbers else idcard.mask(row.id_number), None),
        (row.unit, None),
        (row.competitor_number, _WHOLE),
        (row.station_number, _WHOLE),
        (row.theory, _SCORE),
        (row.practical, _SCORE),
        (row.total, _SCORE),
        (row.time_minutes, _MINUTES),
        (_award_name(row.award), None),
        (_status_name(row.status), None),
    ]


def _write_event_sheet(sheet, competition_name: str, results: EventResults, *, full_id_numbers: bool) -> None:
    headers = _xlsx_headers()
    title = gettext("%(competition)s %(event)s results", competition=competition_name, event=results.name)
    write_table(sheet, title, headers, [_xlsx_values(row, full_id_numbers=full_id_numbers) for row in results.rows])
    last_row = max(HEADER_ROW + len(results.rows), HEADER_ROW)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(headers))}{last_row}"


def results_xlsx(competition_facts: dict, events: list[EventResults], *, full_id_numbers: bool = False) -> bytes:
    """A workbook with one sheet per event, rows in the given order; ID numbers masked unless full_id_numbers."""
    events = _check_events(events)
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for results in events:
        sheet = workbook.create_sheet(_sheet_title(results.code, taken))
        _write_event_sheet(sheet, competition_facts["name"], results, full_id_numbers=full_id_numbers)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- PDF --------------------------------------------------------------------------------------------------------


def _score(value: Decimal | None) -> str:
    # Decimal's own formatting: exact, and the same two places as the workbook's 0.00.
    return "" if value is None else f"{value:.2f}"


def _pdf_row(row: ResultRow) -> dict:
    return {
        "rank": "" if row.rank is None else str(row.rank),
        "name": row.name,
        "unit": row.unit,
        "masked_id_number": idcard.mask(row.id_number),
        "theory": _score(row.theory),
        "practical": _score(row.practical),
        "total": _score(row.total),
        "award": _award_name(row.award),
        "status": row.status,
        # Absent and disqualified competitors have no figures: the line says why instead.
        "remark": _status_name(row.status) if row.status != "present" else "",
    }


def _event_context(results: EventResults) -> dict:
    # Ranked competitors first in rank order, then everyone without a rank (absent, disqualified, incomplete).
    ranked = [row for row in results.rows if row.rank is not None]
    unranked = [row for row in results.rows if row.rank is None]
    return {
        "code": results.code,
        "name": results.name,
        "ranked_entrants": results.ranked_entrants,
        "entrants": len(results.rows),
        "rows": [_pdf_row(row) for row in ranked + unranked],
    }


def _signers(competition_facts: dict, signers: dict | None) -> list[dict]:
    names = dict(signers or {})
    unknown = set(names) - set(SIGNER_ROLES)
    if unknown:
        raise ValueError(f"unknown signer roles {sorted(unknown)}, expected some of {SIGNER_ROLES}")
    if not names.get("organizer") and competition_facts.get("organizer_body"):
        names["organizer"] = competition_facts["organizer_body"]
    titles = {
        "chief_judge": gettext("Chief judge"),
        # Contexts: the catalogue's "Supervisor" and "Organizer" name user roles, not the signing parties.
        "supervisor": pgettext("results signature", "Supervisor"),
        "organizer": pgettext("results signature", "Organizer"),
    }
    return [{"role": role, "title": titles[role], "name": names.get(role) or ""} for role in SIGNER_ROLES]


def _css_string(text: str) -> str:
    """A CSS string literal; '<' is escaped too, so that no text can close the <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return f'"{escaped}"'


def _page_numbers_css() -> Markup:
    """The content of the page-number margin box: the translated sentence around the two page counters."""
    marker = "\x00"
    sentence = gettext("Page %(page)s of %(pages)s", page=f"{marker}page{marker}", pages=f"{marker}pages{marker}")
    parts = []
    for index, piece in enumerate(sentence.split(marker)):
        if index % 2:
            parts.append(f"counter({piece})" if piece in ("page", "pages") else _css_string(piece))
        elif piece:
            parts.append(_css_string(piece))
    return Markup(" ".join(parts))


def results_context(competition_facts: dict, events: list[EventResults], *, signers: dict | None = None) -> dict:
    """Everything the printed results table shows, as plain values in the current locale."""
    events = _check_events(events)
    level = competition_facts.get("level")
    return {
        "competition": {
            "name": competition_facts["name"],
            "level": labels.level_name(level) if level else "",
        },
        "events": [_event_context(results) for results in events],
        "signers": _signers(competition_facts, signers),
        "page_numbers": _page_numbers_css(),
        # A label's colon: full-width in Chinese ("日期："), a colon and a space in English.
        "colon": gettext(": "),
        "language": "zh-CN" if labels.is_chinese() else "en",
    }


def results_pdf(competition_facts: dict, events: list[EventResults], *, signers: dict | None = None) -> bytes:
    """An A4 landscape results table per event, each from a new page, with lines for the signatures.

    signers maps "chief_judge", "supervisor" and "organizer" to a name printed by the signature line; the
    organizer defaults to competition_facts["organizer_body"] when there is one.
    """
    context = results_context(competition_facts, events, signers=signers)
    return write_pdf(render_template("documents/results_table.html", **context))
