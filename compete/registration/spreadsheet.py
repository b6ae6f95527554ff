"""Reading uploaded registration sheets (.xlsx) into plain rows and row-level errors, without the database."""

from __future__ import annotations

import io
import unicodedata
import warnings
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from compete.registration.sheet_cells import CONVERTERS, EXCEL_ERRORS, cleaned_value
from compete.registration.sheet_header import (
    COLUMN_BY_KEY,
    COLUMNS,
    TEMPLATE_TITLE,
    Column,
    Header,
    SheetUnreadable,
    find_header,
)
from compete.registration.sheet_xml import SheetXml, TooManyRows, scan_sheet_xml

__all__ = [
    "COLUMNS",
    "TEMPLATE_TITLE",
    "Column",
    "RowError",
    "SheetReading",
    "SheetRow",
    "SheetUnreadable",
    "estimated_rows",
    "read_registration_sheet",
]


DEFAULT_MAX_ROWS = 20_000


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


# Row-level messages; the column they concern is shown next to them.
_REQUIRED_EMPTY = _l("Required, but empty.")
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
            header = find_header(rows, max_rows)
        except SheetUnreadable as problem:
            first_problem = first_problem or problem
            continue
        return sheet, header, rows
    assert first_problem is not None
    raise first_problem


# Sheet XML (cells, shared strings) takes 250 to 450 bytes per registration row: the low end overestimates
# the rows, so that a big sheet is never checked inside a web request.
_XML_BYTES_PER_ROW = 250


def estimated_rows(source: bytes | BinaryIO | str | Path) -> int | None:
    """Roughly how many rows the workbook holds, from its zip directory alone; None when it is no zip at all."""
    with _opened(source) as handle:
        try:
            with zipfile.ZipFile(handle) as archive:
                sizes = [
                    member.file_size
                    for member in archive.infolist()
                    if member.filename.startswith("xl/worksheets/") or member.filename == "xl/sharedStrings.xml"
                ]
        except (zipfile.BadZipFile, OSError, EOFError):
            return None
    return sum(sizes) // _XML_BYTES_PER_ROW


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
            sheet_xml = scan_sheet_xml(lambda: archive.open(sheet._worksheet_path), header.row, max_rows, columns)
    except TooManyRows:
        raise SheetUnreadable(_too_many_rows(max_rows)) from None
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as error:
        raise SheetUnreadable(_DAMAGED) from error

    return _read_rows(rows, header, sheet_xml, max_rows)


def _read_rows(rows: Iterator[tuple[int, tuple]], header: Header, sheet_xml: SheetXml, max_rows: int) -> SheetReading:
    mapped = header.columns
    indexes = [index for index, _key in mapped]
    converters = [
        (index, key, CONVERTERS[key], COLUMN_BY_KEY[key].required, header.titles[key]) for index, key in mapped
    ]
    uncached = sheet_xml.uncached_formulas
    read: list[SheetRow] = []
    # (row, 0-based column, error, whether a merged range may explain it away)
    found: list[tuple[int, int, RowError, bool]] = []
    first_row_of_id: dict[str, int] = {}
    id_index = next(index for index, key in mapped if key == "id_number")

    for number, cells in rows:
        width = len(cells)
        present = [cleaned_value(cells[index]) if index < width else None for index in indexes]
        # Rows with nothing in the known columns are skipped, including rows that only carry a 序号 or formatting.
        if present.count(None) == len(present):
            continue
        if len(read) >= max_rows:
            raise SheetUnreadable(_too_many_rows(max_rows))
        values = dict.fromkeys(COLUMN_BY_KEY, "")
        for (index, key, convert, required, title), value in zip(converters, present, strict=True):
            if value is None:
                if (number, index + 1) in uncached:
                    found.append((number, index, RowError(number, title, _FORMULA_WITHOUT_VALUE), True))
                elif required:
                    found.append((number, index, RowError(number, title, _REQUIRED_EMPTY), True))
                continue
            if value in EXCEL_ERRORS:
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
    header: Header,
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
