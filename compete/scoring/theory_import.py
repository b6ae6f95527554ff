"""Theory scores from the exam system's export (.xlsx or .csv), matched by ID number or competitor number."""

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from compete.competitions.models import Event
from compete.errors import CompeteError, InvalidInput
from compete.rules import idcard
from compete.scoring import scores
from compete.scoring import services as scoring
from compete.venue import services as venue

ID_HEADERS = ("身份证号", "身份证号码", "证件号码", "公民身份号码", "idnumber")
NUMBER_HEADERS = ("参赛号", "参赛编号", "选手编号", "competitornumber")
SCORE_HEADERS = ("理论成绩", "理论", "成绩", "理论知识成绩", "theory", "score")
MAX_ROWS = 5000


@dataclass
class TheoryImport:
    scores: list[tuple[int, object, Decimal]] = field(default_factory=list)  # (row, entry, score)
    errors: list[dict] = field(default_factory=list)

    def refuse(self, row: int, column: str, message) -> None:
        self.errors.append({"row": row, "column": column, "message": str(message)})


def _key(text) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).replace(" ", "").lower()


def _rows(data: bytes, file_name: str) -> list[tuple]:
    """The sheet's rows as tuples of cell values; CSV in UTF-8 (with or without BOM) or GBK, as Excel saves it."""
    if file_name.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return [tuple(row) for row in csv.reader(io.StringIO(data.decode(encoding)))]
            except UnicodeDecodeError:
                continue
        raise InvalidInput(_l("The CSV file is neither UTF-8 nor GBK text."), "file")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for files that are not workbooks
        raise InvalidInput(_l("This is not an Excel (.xlsx) or CSV file."), "file") from error
    try:
        return [tuple(row) for row in workbook.active.iter_rows(values_only=True, max_row=MAX_ROWS + 10)]
    finally:
        workbook.close()


def _header(rows: list[tuple]) -> tuple[int, int | None, int | None, int]:
    """(header row index, ID column, number column, score column) from the first rows that name them."""
    for index, row in enumerate(rows[:10]):
        keys = [_key(cell) for cell in row]
        score = next((i for i, k in enumerate(keys) if k in SCORE_HEADERS), None)
        by_id = next((i for i, k in enumerate(keys) if k in ID_HEADERS), None)
        by_number = next((i for i, k in enumerate(keys) if k in NUMBER_HEADERS), None)
        if score is not None and (by_id is not None or by_number is not None):
            return index, by_id, by_number, score
    raise InvalidInput(_l("No header row with 身份证号 or 参赛号, and 理论成绩, in the first ten rows."), "file")


def check_theory_file(event: Event, data: bytes, file_name: str) -> TheoryImport:
    """Every row matched to a competitor present and checked as a score; nothing is written."""
    rows = _rows(data, file_name)
    start, by_id, by_number, score_column = _header(rows)
    entries = venue.present_entries(event)
    by_id_number = {entry.registration.person.id_number: entry for entry in entries}
    by_competitor_number = {entry.competitor_number: entry for entry in entries if entry.competitor_number}
    result, seen = TheoryImport(), set()
    body = rows[start + 1 :]
    if len(body) > MAX_ROWS:
        raise InvalidInput(_l("At most %(count)d rows can be imported at once.", count=MAX_ROWS), "file")
    for offset, row in enumerate(body, start=start + 2):
        cells = [row[i] if i is not None and i < len(row) else None for i in (by_id, by_number, score_column)]
        if all(cell in (None, "") for cell in cells):
            continue
        entry = _match(result, offset, cells[0], cells[1], by_id_number, by_competitor_number)
        if entry is None:
            continue
        if entry.id in seen:
            result.refuse(offset, "身份证号", _l("This competitor appears twice in the file."))
            continue
        seen.add(entry.id)
        try:
            value = scoring.parse_value(cells[2] if cells[2] is not None else "")
        except CompeteError as error:
            result.refuse(offset, "理论成绩", error.message)
            continue
        if not Decimal(0) <= value <= scores.THEORY_MAX or value != value.quantize(Decimal("0.01")):
            result.refuse(offset, "理论成绩", _l("A theory score is a number from 0 to 100 with at most two decimals."))
            continue
        result.scores.append((offset, entry, value))
    return result


def _match(result, row, id_cell, number_cell, by_id_number, by_competitor_number):
    if id_cell not in (None, ""):
        try:
            number = idcard.parse(str(id_cell)).number
        except idcard.InvalidIdNumber:
            result.refuse(row, "身份证号", _l("Not a valid resident ID number."))
            return None
        entry = by_id_number.get(number)
        if entry is None:
            result.refuse(row, "身份证号", _l("No competitor present in this event has this ID number."))
        return entry
    text = str(number_cell).strip()
    entry = by_competitor_number.get(int(text)) if text.isdigit() else None
    if entry is None:
        result.refuse(row, "参赛号", _l("No competitor present in this event has this competitor number."))
    return entry


def import_theory(actor, event: Event, checked: TheoryImport, file_name: str) -> int:
    for _row, entry, value in checked.scores:
        scores.set_theory(actor, event, entry, value, source=f"import {file_name}"[:120])
    return len(checked.scores)
