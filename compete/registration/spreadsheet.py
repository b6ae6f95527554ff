"""Reading uploaded registration sheets (.xlsx) into plain rows and row-level errors, without the database."""

from __future__ import annotations

import io
import re
import sys
import unicodedata
import warnings
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, BinaryIO

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation

from compete.rules import grades

__all__ = [
    "COLUMNS",
    "TEMPLATE_TITLE",
    "Column",
    "RowError",
    "SheetReading",
    "SheetRow",
    "SheetUnreadable",
    "read_registration_sheet",
    "template_workbook",
]


@dataclass(frozen=True)
class Column:
    key: str
    title_zh: str
    aliases: tuple[str, ...]
    required: bool


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("名字", "选手姓名", "参赛选手"), True),
    Column("id_number", "身份证号", ("身份证号码", "居民身份证号", "公民身份号码", "证件号码"), True),
    Column("phone", "手机号", ("手机", "手机号码", "联系电话", "电话"), False),
    Column("unit", "工作单位", ("单位", "所在单位", "单位名称", "学校"), False),
    Column("grade", "现职业技能等级", ("职业技能等级", "技能等级", "等级", "现等级"), False),
    Column("grade_certificate_number", "等级证书编号", ("证书编号",), False),
    Column("grade_certified_on", "发证日期", ("证书日期", "取证日期", "获证日期"), False),
)
TEMPLATE_TITLE = "报名表"
DEFAULT_MAX_ROWS = 20_000

_BY_KEY = {column.key: column for column in COLUMNS}
_REQUIRED = tuple(column for column in COLUMNS if column.required)
# People put the column titles below a title row or two, never much further down.
_HEADER_SEARCH_ROWS = 10
# The template formats this many rows so that IDs typed into them stay text.
_TEMPLATE_ROWS = 2_000
_INSTRUCTIONS_TITLE = "填写说明"


@dataclass(frozen=True)
class SheetRow:
    row: int  # Excel's row number
    values: dict[str, str]  # every Column.key; "" when empty or unusable


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the column title as found in the file
    message: LazyString


@dataclass
class SheetReading:
    """Every non-empty data row, including those with errors; a row's errors carry its row number."""

    rows: list[SheetRow]
    errors: list[RowError]
    header_row: int


class SheetUnreadable(Exception):
    """The file as a whole cannot be imported; ``message`` says why, for the user."""

    def __init__(self, message: LazyString):
        super().__init__(message)
        self.message = message


# File-level messages.
_EMPTY_FILE = _l("The file is empty.")
_OLD_FORMAT = _l(
    "This is an old .xls file or a password-protected workbook: "
    "save it in Excel or WPS as an unprotected .xlsx workbook and upload it again."
)
_NOT_XLSX = _l("This is not an Excel file: save it in Excel or WPS as an .xlsx workbook and upload it again.")
_DAMAGED = _l(
    "The file could not be read as an Excel workbook: "
    "open it in Excel or WPS, save it again as .xlsx and upload it again."
)
_NO_WORKSHEET = _l("The workbook has no worksheet.")
_EMPTY_SHEET = _l("The sheet is empty.")

# Row-level messages; the column they concern is shown next to them.
_REQUIRED_EMPTY = _l("Required, but empty.")
_AS_LONG_NUMBER = _l(
    "Stored as a number: Excel may have changed the last digits. Format the column as text and type it again."
)
_SCIENTIFIC = _l(
    "Stored as a number in scientific notation, so the last digits are lost. "
    "Format the column as text and type it again."
)
_AS_NUMBER = _l("Stored as a number. Format the column as text and type it again.")
_NOT_A_DATE = _l("Not a date: write it like 2019-06-30.")
_MERGED = _l("Merged cells: unmerge them and fill in every row.")
_FORMULA_WITHOUT_VALUE = _l("A formula without a value: type the value instead.")


def _formula_error(code: str) -> LazyString:
    return _l("The formula gives the error %(code)s: type the value instead.", code=code)


def _same_id_as(row: int) -> LazyString:
    return _l("Same ID number as row %(row)s.", row=row)


def _too_many_rows(limit: int) -> LazyString:
    return _l(
        "The sheet has more than %(limit)s filled rows below the column titles: split it into several files.",
        limit=limit,
    )


def _no_header() -> LazyString:
    return _l(
        "No column titles in the first %(count)s rows: one row must hold at least %(name)s and %(id_number)s.",
        count=_HEADER_SEARCH_ROWS,
        name=_BY_KEY["name"].title_zh,
        id_number=_BY_KEY["id_number"].title_zh,
    )


def _missing_columns(missing: list[Column], row: int) -> LazyString:
    titles = "、".join(column.title_zh for column in missing)
    if len(missing) == 1:
        return _l("The required column %(column)s is missing (column titles in row %(row)s).", column=titles, row=row)
    return _l("The required columns %(columns)s are missing (column titles in row %(row)s).", columns=titles, row=row)


# --- header matching ---------------------------------------------------------

# NFKC turns full-width brackets and asterisks into ASCII, so one spelling of each marker suffices.
_MARKERS = ("(必填)", "(选填)", "(必填项)", "(选填项)", "*")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")


def _strip_markers(key: str) -> str:
    changed = True
    while changed and key:
        changed = False
        for marker in _MARKERS:
            if key.endswith(marker):
                key, changed = key[: -len(marker)], True
            if key.startswith(marker):
                key, changed = key[len(marker) :], True
    return key


def _header_key(text: str) -> str:
    # split() without arguments also drops newlines and the ideographic space U+3000.
    return _strip_markers("".join(unicodedata.normalize("NFKC", text).split()))


_HEADER_LOOKUP: dict[str, str] = {
    _header_key(title): column.key for column in COLUMNS for title in (column.title_zh, *column.aliases)
}


def _match_header(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    key = _header_key(value)
    if key in _HEADER_LOOKUP:
        return _HEADER_LOOKUP[key]
    # Templates often add a hint in brackets, e.g. 身份证号(18位) or 发证日期(年-月-日).
    while _TRAILING_NOTE.search(key):
        key = _strip_markers(_TRAILING_NOTE.sub("", key))
        if key in _HEADER_LOOKUP:
            return _HEADER_LOOKUP[key]
    return None


@dataclass(frozen=True)
class _Header:
    row: int
    columns: tuple[tuple[int, str], ...]  # (0-based index, Column.key) in sheet order
    titles: dict[str, str]  # Column.key -> the title as found


def _header_candidate(number: int, cells: tuple) -> _Header:
    columns: list[tuple[int, str]] = []
    titles: dict[str, str] = {}
    for index, value in enumerate(cells):
        key = _match_header(value)
        # When two columns mean the same thing, the first one wins and the other is ignored.
        if key is not None and key not in titles:
            columns.append((index, key))
            titles[key] = " ".join(str(value).split())
    return _Header(number, tuple(columns), titles)


def _find_header(rows: Iterator[tuple[int, tuple]], max_rows: int) -> _Header:
    best: _Header | None = None
    seen_content = False
    for number, cells in rows:
        candidate = _header_candidate(number, cells)
        if all(column.key in candidate.titles for column in _REQUIRED):
            return candidate
        if best is None or len(candidate.columns) > len(best.columns):
            best = candidate
        seen_content = seen_content or any(not _blank(value) for value in cells)
        if number >= _HEADER_SEARCH_ROWS:
            break
    if best is not None and best.columns:
        missing = [column for column in _REQUIRED if column.key not in best.titles]
        raise SheetUnreadable(_missing_columns(missing, best.row))
    if not seen_content:
        # Tell "nothing at all" apart from "content, but too far down"; bounded like the data rows.
        for count, (_number, cells) in enumerate(rows):
            if count > max_rows:
                break
            if any(not _blank(value) for value in cells):
                raise SheetUnreadable(_no_header())
        raise SheetUnreadable(_EMPTY_SHEET)
    raise SheetUnreadable(_no_header())


# --- cell values -------------------------------------------------------------

# Invisible characters that come along when text is pasted from web pages and chat apps.
_INVISIBLE_CHARACTERS = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = str.maketrans("", "", _INVISIBLE_CHARACTERS)
_HAS_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARACTERS}]")
_EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)
# Excel keeps 15 significant digits, so a larger number may already have lost its last digits.
_LOSSY_NUMBER = 1e15
# From 12 digits on, Excel's General format shows a number in scientific notation (3.21302E+17).
_SCIENTIFIC_DISPLAY = 1e11
_SCIENTIFIC_TEXT = re.compile(r"\d+(?:\.\d+)?E[+-]?\d+")
# Two-character names are often padded with a space to line up with three-character ones: 张  伟.
_SPACE_BETWEEN_HAN = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MIN_YEAR, _MAX_YEAR = 1900, 2100

_Converted = tuple[str, LazyString | None]


def _clean(text: str) -> str:
    # The search first: translate() costs eight times as much and is rarely needed.
    return text.translate(_INVISIBLE).strip() if _HAS_INVISIBLE.search(text) else text.strip()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not _clean(value))


def _present(value: object) -> object:
    """The cell's value with text cleaned, or None when there is nothing in it."""
    if isinstance(value, str):
        return _clean(value) or None
    return value


def _number_as_text(value: int | float) -> _Converted:
    if abs(value) >= _LOSSY_NUMBER:
        # A long code (a certificate number) that went through a number cell; even when the file holds
        # every digit, the digits may not be the ones that were typed.
        return "", _SCIENTIFIC if isinstance(value, float) else _AS_LONG_NUMBER
    if isinstance(value, float):
        if not value.is_integer():
            return repr(value), None
        # 13912345678.0 is how a phone number stored as a number may come back.
        return str(int(value)), None
    return str(value), None


def _text(value: object) -> _Converted:
    if isinstance(value, str):
        return _clean(value), None
    if isinstance(value, bool):
        return str(value).upper(), None
    if isinstance(value, int | float):
        return _number_as_text(value)
    if isinstance(value, datetime):
        return (value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")), None
    if isinstance(value, date):
        return value.isoformat(), None
    return _clean(str(value)), None


def _name(value: object) -> _Converted:
    text, problem = _text(value)
    return _SPACE_BETWEEN_HAN.sub("", text), problem


def _digits_text(value: object) -> _Converted:
    text, problem = _text(value)
    # People type digits with a Chinese IME, which gives full-width forms.
    return unicodedata.normalize("NFKC", text).strip(), problem


def _id_number(value: object) -> _Converted:
    if isinstance(value, int) and not isinstance(value, bool):
        if len(str(abs(value))) == 18:
            return "", _AS_LONG_NUMBER
        return "", _SCIENTIFIC if abs(value) >= _SCIENTIFIC_DISPLAY else _AS_NUMBER
    if isinstance(value, float):
        return "", _SCIENTIFIC if abs(value) >= _SCIENTIFIC_DISPLAY else _AS_NUMBER
    text, problem = _digits_text(value)
    # A leading apostrophe is Excel's "keep as text" mark; pasted from other systems it ends up in the value.
    text = text.lstrip("'`‘’").strip().upper()
    if _SCIENTIFIC_TEXT.fullmatch(text):
        # Text copied from a cell that displayed 3.21302E+17.
        return "", _SCIENTIFIC
    return text, problem


def _valid_date(year: str, month: str, day: str) -> str | None:
    try:
        parsed = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return parsed.isoformat() if _MIN_YEAR <= parsed.year <= _MAX_YEAR else None


def _date(value: object) -> _Converted:
    if isinstance(value, datetime):
        return value.date().isoformat(), None
    if isinstance(value, date):
        return value.isoformat(), None
    if isinstance(value, int) and not isinstance(value, bool):
        # 20190630 typed into a number cell.
        match = _DATE_COMPACT.fullmatch(str(value))
        iso = _valid_date(*match.groups()) if match else None
        return (iso, None) if iso else ("", _NOT_A_DATE)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", _clean(value))
        match = _DATE_TEXT.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
        iso = _valid_date(*match.groups()) if match else None
        return (iso, None) if iso else ("", _NOT_A_DATE)
    # Excel serial numbers (a date cell that lost its format), times and the like.
    return "", _NOT_A_DATE


_CONVERTERS: dict[str, Callable[[object], _Converted]] = {
    "name": _name,
    "id_number": _id_number,
    "phone": _digits_text,
    "unit": _text,
    "grade": _text,
    "grade_certificate_number": _digits_text,
    "grade_certified_on": _date,
}


# --- what read-only openpyxl cannot tell: merged cells, formulas without a value, the number of rows -------------

# A namespace prefix such as "x:" that some writers put on every element.
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_ROW_END = re.compile(rb"</" + _NS + rb"row\s*>")
_ROW_START = re.compile(rb"<" + _NS + rb"row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"\br\s*=\s*[\"'](\d+)[\"']")
_MERGE = re.compile(rb"<" + _NS + rb"mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']+)[\"']")
_FORMULA_TAG = re.compile(rb"<" + _NS + rb"f[\s>/]")
# (?<!/) skips self-closing empty cells, which would otherwise swallow the next cell.
_CELL = re.compile(rb"<" + _NS + rb"c\b([^>]*)(?<!/)>(.*?)</" + _NS + rb"c\s*>", re.DOTALL)
_CELL_START = re.compile(rb"<" + _NS + rb"c\b[^>]*?\br\s*=\s*[\"']([A-Za-z]{1,3})\d+[\"']")
_CELL_REF = re.compile(rb"\br\s*=\s*[\"']([A-Za-z]{1,3})(\d+)[\"']")
_CELL_TYPE = re.compile(rb"\bt\s*=\s*[\"'](\w+)[\"']")
_CACHED_VALUE = re.compile(rb"<" + _NS + rb"v(?:\s[^>]*)?(?<!/)>\s*[^<\s]")
# Something in a cell: a typed or cached value, or an inline string.
_ANY_VALUE = re.compile(rb"<" + _NS + rb"(?:v(?:\s[^>]*)?(?<!/)>\s*[^<\s]|is\b)")
# Small enough to keep the peak memory of a refusal near 1 MiB, big enough to cost nothing in speed.
_CHUNK = 1 << 16


@dataclass
class _SheetXml:
    merges: list[tuple[int, int, int, int]]  # min_col, min_row, max_col, max_row
    uncached_formulas: set[tuple[int, int]]  # (row, column), 1-based


@dataclass
class _RowCounter:
    header_row: int
    limit: int
    columns: frozenset[bytes] | None  # the column letters that count; None for any column
    filled: int = 0
    last_row: int = 0


class _TooManyRows(Exception):
    pass


def _end_of_last_row(buffer: bytes) -> int:
    """The index just after the last row's end tag in ``buffer``, 0 when there is none."""
    # bytes.rfind is much faster than a regex; the regex is for writers that prefix every element (x:row).
    plain = buffer.rfind(b"</row>")
    if plain >= 0:
        return plain + len(b"</row>")
    end = 0
    for match in _ROW_END.finditer(buffer):
        end = match.end()
    return end


def _row_is_filled(piece: bytes, position: int, columns: frozenset[bytes] | None) -> bool:
    if columns is None:
        return _ANY_VALUE.search(piece, position) is not None
    cells = list(_CELL_START.finditer(piece, position))
    for index, cell in enumerate(cells):
        if cell.group(1).upper() in columns:
            end = cells[index + 1].start() if index + 1 < len(cells) else len(piece)
            if _ANY_VALUE.search(piece, cell.end(), end):
                return True
    return False


def _count_row(piece: bytes, counter: _RowCounter) -> None:
    """Count the row that ends this piece if it is below the header and has something in it."""
    # Empty rows written as <row r="7"/> may come first, so the last start tag is the row that ends here.
    plain = piece.rfind(b"<row")
    start = _ROW_START.match(piece, plain) if plain >= 0 else None
    number = _ROW_NUMBER.search(start.group(1)) if start is not None else None
    if number is not None:
        counter.last_row = int(number.group(1))
    else:
        # Prefixed elements, or rows without a number: walk every start tag and number them in turn as openpyxl does.
        start = None
        for start in _ROW_START.finditer(piece):
            number = _ROW_NUMBER.search(start.group(1))
            counter.last_row = int(number.group(1)) if number else counter.last_row + 1
    if start is None or start.group(1).endswith(b"/") or counter.last_row <= counter.header_row:
        return
    if _row_is_filled(piece, start.end(), counter.columns):
        counter.filled += 1
        if counter.filled > counter.limit:
            raise _TooManyRows


def _scan_segment(segment: bytes, found: _SheetXml, counter: _RowCounter, *, count_only: bool) -> None:
    for piece in segment.split(b"</row>") if b"</row>" in segment else _ROW_END.split(segment):
        _count_row(piece, counter)
    if count_only:
        return
    # The substring tests skip the slower regexes in the usual sheet without merges or formulas.
    for match in _MERGE.finditer(segment) if b"mergeCell" in segment else ():
        try:
            found.merges.append(range_boundaries(match.group(1).decode("ascii")))
        except (ValueError, TypeError, UnicodeDecodeError):
            continue
    if not (b"<f" in segment or b":f" in segment) or not _FORMULA_TAG.search(segment):
        return
    for cell in _CELL.finditer(segment):
        attributes, content = cell.groups()
        if not _FORMULA_TAG.search(content) or _CACHED_VALUE.search(content):
            continue
        kind = _CELL_TYPE.search(attributes)
        # Excel saves a formula whose result is "" as t="str" with an empty value: that value is real.
        if kind is not None and kind.group(1) == b"str":
            continue
        reference = _CELL_REF.search(attributes)
        if reference is not None:
            column, row = reference.groups()
            found.uncached_formulas.add((int(row), column_index_from_string(column.decode("ascii").upper())))


def _scan(open_part: Callable[[], IO[bytes]], counter: _RowCounter, *, count_only: bool = False) -> _SheetXml:
    """One streaming pass, in chunks cut after whole rows so that no row straddles two chunks."""
    found = _SheetXml([], set())
    carry = b""
    with open_part() as stream:
        while chunk := stream.read(_CHUNK):
            buffer = carry + chunk
            cut = _end_of_last_row(buffer)
            if cut:
                _scan_segment(buffer[:cut], found, counter, count_only=count_only)
            carry = buffer[cut:]
    # <mergeCells> follows <sheetData>, so it is always in this last part.
    _scan_segment(carry, found, counter, count_only=count_only)
    return found


def _scan_sheet_xml(
    open_part: Callable[[], IO[bytes]], header_row: int, max_rows: int, columns: frozenset[bytes]
) -> _SheetXml:
    """Find merged ranges and formulas without a value in the sheet's XML; refuse a sheet with too many rows.

    Counting rows here is far cheaper than parsing them, so an oversized sheet is refused in a fraction
    of the time openpyxl needs for its rows. The declared <dimension> would be cheaper still, but it
    counts formatted empty rows (a list of 30 formatted down to row 30,000 would be refused) and some
    writers get it wrong. The first pass counts rows with anything in them; only if that exceeds the limit
    does a second pass count just the known columns, which rows numbered in advance (序号) do not fill.
    """
    try:
        return _scan(open_part, _RowCounter(header_row, max_rows, None))
    except _TooManyRows:
        pass
    try:
        _scan(open_part, _RowCounter(header_row, max_rows, columns), count_only=True)
    except _TooManyRows:
        raise SheetUnreadable(_too_many_rows(max_rows)) from None
    return _scan(open_part, _RowCounter(header_row, sys.maxsize, None))


# --- reading -----------------------------------------------------------------

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@contextmanager
def _opened(source: bytes | BinaryIO | str | Path) -> Iterator[BinaryIO]:
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(source)
    elif isinstance(source, str | Path):
        with open(source, "rb") as handle:
            yield handle
    elif not source.seekable():
        # A zip file is read from its end, so the whole stream is needed anyway.
        yield io.BytesIO(source.read())
    else:
        # Callers often measured the upload's size first, which leaves the stream at its end.
        source.seek(0)
        yield source


def _check_container(handle: BinaryIO) -> None:
    magic = handle.read(len(_OLE2_MAGIC))
    handle.seek(0)
    if not magic:
        raise SheetUnreadable(_EMPTY_FILE)
    if magic == _OLE2_MAGIC:
        # Both the old binary format and encrypted .xlsx files are OLE2 containers.
        raise SheetUnreadable(_OLD_FORMAT)
    is_zip = zipfile.is_zipfile(handle)
    handle.seek(0)
    if not is_zip:
        raise SheetUnreadable(_NOT_XLSX)


def _safe_rows(rows: Iterator[tuple]) -> Iterator[tuple[int, tuple]]:
    """Number the rows from 1 (openpyxl fills in missing rows) and turn parse failures into SheetUnreadable."""
    number = 0
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except Exception as error:  # a damaged sheet fails in many ways inside the XML parser
            raise SheetUnreadable(_DAMAGED) from error
        number += 1
        yield number, cells


def _candidate_sheets(workbook) -> list:
    """The sheet named like the template first, then the active one, then the rest in order."""
    sheets = list(workbook.worksheets)
    if not sheets:
        return []
    named = [ws for ws in sheets if unicodedata.normalize("NFKC", ws.title).strip() == TEMPLATE_TITLE]
    active = workbook.active
    first = [active] if active in sheets else []
    ordered: list = []
    for sheet in (*named, *first, *sheets):
        if sheet not in ordered:
            ordered.append(sheet)
    return ordered


def _open_sheet(workbook, max_rows: int):
    """Return the first candidate sheet with a header row, and its remaining rows."""
    sheets = _candidate_sheets(workbook)
    if not sheets:
        raise SheetUnreadable(_NO_WORKSHEET)
    first_problem: SheetUnreadable | None = None
    for sheet in sheets:
        # A wrong <dimension> (some libraries write A1) would otherwise cut the iteration short.
        sheet.reset_dimensions()
        rows = _safe_rows(sheet.iter_rows(values_only=True))
        try:
            header = _find_header(rows, max_rows)
        except SheetUnreadable as problem:
            first_problem = first_problem or problem
            continue
        return sheet, header, rows
    assert first_problem is not None
    raise first_problem


def read_registration_sheet(source: bytes | BinaryIO | str | Path, *, max_rows: int = DEFAULT_MAX_ROWS) -> SheetReading:
    """Read the registrations in an uploaded .xlsx; raise SheetUnreadable when the file as a whole is unusable."""
    if max_rows < 1:
        raise ValueError("max_rows must be at least 1")
    with _opened(source) as handle:
        _check_container(handle)
        # openpyxl warns about features it drops (extensions, missing styles, odd dates) in files from
        # the wild; they say nothing to the user and would fail the test suite, which turns warnings into errors.
        # catch_warnings() is process-wide, which suits gunicorn's sync workers (one request per process).
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
            try:
                workbook = load_workbook(handle, read_only=True, data_only=True)
            except Exception as error:  # openpyxl raises KeyError, ValueError, BadZipFile ... for damaged files
                raise SheetUnreadable(_DAMAGED) from error
            try:
                return _read_workbook(workbook, handle, max_rows)
            finally:
                workbook.close()


def _read_workbook(workbook, handle: BinaryIO, max_rows: int) -> SheetReading:
    sheet, header, rows = _open_sheet(workbook, max_rows)

    # Read-only openpyxl neither sees merged ranges nor tells a formula without a cached value from an
    # empty cell, so one extra pass over the sheet's raw XML finds both, and counts the rows so that an
    # oversized sheet is refused before its rows are parsed. _worksheet_path is private to openpyxl
    # (pinned in requirements.txt); the merged-cell and formula tests fail if it ever changes.
    # openpyxl keeps the archive open on the same handle; ZipFile seeks before every read, so they can share it.
    columns = frozenset(get_column_letter(index + 1).encode("ascii") for index, _key in header.columns)
    try:
        with zipfile.ZipFile(handle) as archive:
            sheet_xml = _scan_sheet_xml(lambda: archive.open(sheet._worksheet_path), header.row, max_rows, columns)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as error:
        raise SheetUnreadable(_DAMAGED) from error

    return _read_rows(rows, header, sheet_xml, max_rows)


def _read_rows(rows: Iterator[tuple[int, tuple]], header: _Header, sheet_xml: _SheetXml, max_rows: int) -> SheetReading:
    mapped = header.columns
    indexes = [index for index, _key in mapped]
    converters = [(index, key, _CONVERTERS[key], _BY_KEY[key].required, header.titles[key]) for index, key in mapped]
    uncached = sheet_xml.uncached_formulas
    read: list[SheetRow] = []
    # (row, 0-based column, error, whether a merged range may explain it away)
    found: list[tuple[int, int, RowError, bool]] = []
    first_row_of_id: dict[str, int] = {}
    id_index = next(index for index, key in mapped if key == "id_number")

    for number, cells in rows:
        width = len(cells)
        present = [_present(cells[index]) if index < width else None for index in indexes]
        # Rows with nothing in the known columns are skipped, including rows that only carry a 序号 or formatting.
        if present.count(None) == len(present):
            continue
        if len(read) >= max_rows:
            raise SheetUnreadable(_too_many_rows(max_rows))
        values = dict.fromkeys(_BY_KEY, "")
        for (index, key, convert, required, title), value in zip(converters, present, strict=True):
            if value is None:
                if (number, index + 1) in uncached:
                    found.append((number, index, RowError(number, title, _FORMULA_WITHOUT_VALUE), True))
                elif required:
                    found.append((number, index, RowError(number, title, _REQUIRED_EMPTY), True))
                continue
            if value in _EXCEL_ERRORS:
                found.append((number, index, RowError(number, title, _formula_error(value)), False))
                continue
            text, problem = convert(value)
            values[key] = text
            if problem is not None:
                found.append((number, index, RowError(number, title, problem), False))
        id_number = values["id_number"]
        if id_number:
            first = first_row_of_id.setdefault(id_number, number)
            if first != number:
                found.append(
                    (number, id_index, RowError(number, header.titles["id_number"], _same_id_as(first)), False)
                )
        read.append(SheetRow(number, values))

    if sheet_xml.merges and read:
        found = _apply_merges(found, sheet_xml.merges, header, [row.row for row in read])
    found.sort(key=lambda item: (item[0], item[1]))
    return SheetReading(rows=read, errors=[error for _row, _index, error, _merge in found], header_row=header.row)


def _apply_merges(
    found: list[tuple[int, int, RowError, bool]],
    merges: list[tuple[int, int, int, int]],
    header: _Header,
    data_rows: list[int],
) -> list[tuple[int, int, RowError, bool]]:
    """Report merged ranges that would silently leave cells of read rows empty.

    A merged range keeps its value in the top-left cell only, so the other rows it spans read as empty
    (or the other columns, for a range across columns). Filling them in from the top cell would guess
    the user's intent; the rows are reported instead. A range over rows that are otherwise empty is
    only formatting and is left alone.
    """
    title_at = {index + 1: key for index, key in header.columns}
    flagged: set[tuple[int, int]] = set()
    merged_errors: list[tuple[int, int, RowError, bool]] = []
    for min_col, min_row, max_col, max_row in merges:
        columns = [column for column in range(min_col, max_col + 1) if column in title_at]
        if not columns:
            continue
        # data_rows is sorted, so the rows read inside the range are one slice of it.
        covered = data_rows[bisect_left(data_rows, max(min_row, header.row + 1)) : bisect_right(data_rows, max_row)]
        if len(covered) >= 2 or (covered and len(columns) >= 2):
            title = header.titles[title_at[columns[0]]]
            for row in covered:
                merged_errors.append((row, columns[0] - 1, RowError(row, title, _MERGED), False))
                flagged.update((row, column) for column in columns)
    if not flagged:
        return found
    # An empty cell inside a reported range needs no second message of its own.
    kept = [item for item in found if not (item[3] and (item[0], item[1] + 1) in flagged)]
    seen: set[tuple[int, int]] = set()
    for item in merged_errors:
        if (item[0], item[1]) not in seen:
            seen.add((item[0], item[1]))
            kept.append(item)
    return kept


# --- the template ------------------------------------------------------------

_WIDTHS = {
    "name": 12,
    "id_number": 22,
    "phone": 15,
    "unit": 32,
    "grade": 16,
    "grade_certificate_number": 26,
    "grade_certified_on": 13,
}
_TEXT_FORMAT = "@"
_DATE_FORMAT = "yyyy-mm-dd"
# Long digit strings must stay text; dates get a date format so Excel shows what the reader expects.
_CELL_FORMATS = {
    "id_number": _TEXT_FORMAT,
    "phone": _TEXT_FORMAT,
    "grade_certificate_number": _TEXT_FORMAT,
    "grade_certified_on": _DATE_FORMAT,
}


def _grade_names() -> list[str]:
    return [grades.get(grades.NO_GRADE).name_zh, *(grade.name_zh for grade in grades.LADDER)]


def _instructions() -> list[tuple[str, str, str]]:
    """(column, required or not, what to write) for the 填写说明 sheet."""
    grade_list = "、".join(_grade_names())
    national = "，".join(f"{grade.name_zh}即{grade.national_level}" for grade in grades.LADDER if grade.national_level)
    notes = {
        "name": "与居民身份证上的姓名一致。",
        "id_number": "18位居民身份证号码，末位X大小写均可。本列已设为文本格式，请勿改成数字格式，"
        "否则Excel会把号码显示成科学计数法（如3.21302E+17）并丢失最后几位。",
        "phone": "本人手机号码。",
        "unit": "单位全称；在校学生填写学校全称。",
        "grade": f"填写下列等级名称之一：{grade_list}。没有等级填“无”或不填。与国家职业资格等级的对应：{national}。",
        "grade_certificate_number": "职业技能等级证书（或职业资格证书）上的证书编号。",
        "grade_certified_on": "证书的发证日期，如 2019-06-30，也可写成 2019/6/30 或 2019年6月30日。",
    }
    return [
        (
            column.title_zh,
            "必填" if column.required else "选填",
            notes[column.key] + "列标题也可写作：" + "、".join(column.aliases) + "。",
        )
        for column in COLUMNS
    ]


_GENERAL_NOTES = (
    "1. 在“报名表”中每位选手填写一行，第一行的列标题请勿修改或删除。",
    "2. 表格上方可以保留标题行；可以增加其他列（如序号、备注），导入时会忽略。",
    "3. 请勿合并单元格，请勿使用公式，每个单元格直接填写内容。",
    "4. 同一身份证号只填写一次。",
)


def template_workbook() -> bytes:
    """Return a blank registration sheet (.xlsx) with column formats set and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TEMPLATE_TITLE
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for position, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=position, value=column.title_zh)
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = _WIDTHS[column.key]
        number_format = _CELL_FORMATS.get(column.key)
        if number_format:
            # Formatting cells (not just the column) is what makes Excel keep typed digits as text.
            for row in range(2, _TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=position).number_format = number_format
    sheet.freeze_panes = "A2"

    grade_position = next(i for i, column in enumerate(COLUMNS, start=1) if column.key == "grade")
    grade_letter = get_column_letter(grade_position)
    names = _grade_names()
    # A drop-down that still accepts other spellings (e.g. 四级); the import decides what it understands.
    choices = DataValidation(type="list", formula1='"' + ",".join(names) + '"', allow_blank=True)
    choices.showErrorMessage = False
    choices.add(f"{grade_letter}2:{grade_letter}{_TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(choices)

    guide = workbook.create_sheet(_INSTRUCTIONS_TITLE)
    guide.append(["列名", "是否必填", "填写要求"])
    for cell in guide[1]:
        cell.font = bold
        cell.fill = header_fill
    for line in _instructions():
        guide.append(list(line))
        for cell in guide[guide.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.append([])
    # The notes are left unwrapped so that they run across the empty cells to their right.
    for note in _GENERAL_NOTES:
        guide.append([note])
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["B"].width = 10
    guide.column_dimensions["C"].width = 90

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
