"""What read-only openpyxl cannot tell about a sheet: merged cells, formulas without a value, how many rows."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from openpyxl.utils import column_index_from_string, range_boundaries

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
class SheetXml:
    merges: list[tuple[int, int, int, int]]  # min_col, min_row, max_col, max_row
    uncached_formulas: set[tuple[int, int]]  # (row, column), 1-based


@dataclass
class _RowCounter:
    header_row: int
    limit: int
    columns: frozenset[bytes] | None  # the column letters that count; None for any column
    filled: int = 0
    last_row: int = 0


class TooManyRows(Exception):
    """More filled rows below the header than the caller allows."""


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
            raise TooManyRows


def _scan_segment(segment: bytes, found: SheetXml, counter: _RowCounter, *, count_only: bool) -> None:
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


def _scan(open_part: Callable[[], IO[bytes]], counter: _RowCounter, *, count_only: bool = False) -> SheetXml:
    """One streaming pass, in chunks cut after whole rows so that no row straddles two chunks."""
    found = SheetXml([], set())
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


def scan_sheet_xml(
    open_part: Callable[[], IO[bytes]], header_row: int, max_rows: int, columns: frozenset[bytes]
) -> SheetXml:
    """Find merged ranges and formulas without a value in the sheet's XML; TooManyRows past max_rows.

    Counting rows here is far cheaper than parsing them, so an oversized sheet is refused in a fraction
    of the time openpyxl needs for its rows. The declared <dimension> would be cheaper still, but it
    counts formatted empty rows (a list of 30 formatted down to row 30,000 would be refused) and some
    writers get it wrong. The first pass counts rows with anything in them; only if that exceeds the limit
    does a second pass count just the known columns, which rows numbered in advance (序号) do not fill.
    """
    try:
        return _scan(open_part, _RowCounter(header_row, max_rows, None))
    except TooManyRows:
        pass
    _scan(open_part, _RowCounter(header_row, max_rows, columns), count_only=True)  # raises TooManyRows
    return _scan(open_part, _RowCounter(header_row, sys.maxsize, None))
