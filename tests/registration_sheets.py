"""Building registration .xlsx files for tests: title rows, merged cells, numbers and formulas as Excel stores them."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from compete.registration.spreadsheet import COLUMNS, TEMPLATE_TITLE
from compete.rules.idcard import check_character

HEADERS: tuple[str, ...] = tuple(column.title_zh for column in COLUMNS)
GRADE_NAMES = ("无", "初级工", "中级工", "高级工", "技师")
UNITS = ("宿迁市第一职业学校", "江苏洋河酒厂股份有限公司", "宿迁市人民医院")


def valid_id_number(body17: str) -> str:
    """A well-formed ID number: the 17 digits given and their check character."""
    return body17 + check_character(body17)


def id_number(index: int, *, region: str = "321302", born: date = date(1985, 1, 1)) -> str:
    """The index-th of a series of distinct valid ID numbers (900 per birth date)."""
    birth = born + timedelta(days=index // 900)
    return valid_id_number(f"{region}{birth:%Y%m%d}{100 + index % 900:03d}")


def many_rows(count: int, *, start: int = 0) -> list[list[str]]:
    """``count`` distinct, valid rows in the order of HEADERS, as a person would type them."""
    return [
        [
            f"选手{index:05d}",
            id_number(index),
            f"139{index:08d}",
            UNITS[index % len(UNITS)],
            GRADE_NAMES[index % len(GRADE_NAMES)],
            f"S{index:012d}",
            "2019-06-30",
        ]
        for index in range(start, start + count)
    ]


def number_cell(digits: str) -> tuple[str, str]:
    """A raw cell holding a number written exactly as given (openpyxl itself rounds to 16 digits)."""
    return "n", f"<v>{digits}</v>"


def formula_cell(formula: str, cached: str | None = None) -> tuple[str | None, str]:
    """A formula cell as Excel saves it (with its cached text result) or, without ``cached``, as a library does."""
    if cached is None:
        return None, f"<f>{escape(formula)}</f><v></v>"
    return "str", f"<f>{escape(formula)}</f><v>{escape(cached)}</v>"


def error_cell(code: str) -> tuple[str, str]:
    """A formula whose cached result is an Excel error such as #N/A."""
    return "e", f"<f>VLOOKUP(A1,Z:Z,2,0)</f><v>{escape(code)}</v>"


def build_sheet(
    rows: Iterable[Sequence[object]] = (),
    *,
    headers: Sequence[object] | None = HEADERS,
    title_row: str | None = None,
    merged: Iterable[str] = (),
    raw_cells: Mapping[str, tuple[str | None, str]] | None = None,
    sheet_title: str = TEMPLATE_TITLE,
    sheets_before: Iterable[tuple[str, Sequence[Sequence[object]]]] = (),
    dimension: bool | str = True,
) -> bytes:
    """Return an .xlsx whose sheet ``sheet_title`` holds an optional title row, the headers and ``rows``.

    Values go in as openpyxl writes them: str starting with "=" is a formula without a cached value,
    int and float become numbers, date and datetime become date cells. ``merged`` takes ranges such as
    "D3:D5"; a title row is merged across the header's width. ``raw_cells`` replaces cells by coordinate
    with (type attribute, inner XML), for what openpyxl cannot write (see number_cell, formula_cell).
    ``dimension`` True declares the used range as Excel does, False leaves it out as streaming writers
    do, and a string such as "A1:G5000" declares that range whatever the content.
    """
    raw_cells = dict(raw_cells or {})
    sheets_before = list(sheets_before)
    header_width = len(headers) if headers else 1
    layout: list[list[object]] = []
    merges = list(merged)
    if title_row is not None:
        layout.append([title_row])
        if header_width > 1:
            merges.append(f"A1:{get_column_letter(header_width)}1")
    if headers is not None:
        layout.append(list(headers))
    layout.extend(list(row) for row in rows)
    for coordinate in raw_cells:
        # openpyxl skips empty cells, so a cell to be replaced needs something in it first.
        column, row = _split_coordinate(coordinate)
        while len(layout) < row:
            layout.append([])
        line = layout[row - 1]
        while len(line) < column:
            line.append(None)
        if line[column - 1] is None:
            line[column - 1] = "placeholder"

    workbook = Workbook(write_only=True)
    for title, other_rows in sheets_before:
        other = workbook.create_sheet(title)
        for row in other_rows:
            other.append(list(row))
    sheet = workbook.create_sheet(sheet_title)
    for row in layout:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)

    # write-only openpyxl names the sheets' parts in creation order.
    part = f"xl/worksheets/sheet{len(sheets_before) + 1}.xml"
    width = max((len(row) for row in layout), default=1) or 1
    used_range = f"A1:{get_column_letter(width)}{max(len(layout), 1)}"
    declared = dimension if isinstance(dimension, str) else used_range
    return _patch_part(
        output.getvalue(),
        part,
        lambda xml: _patch_sheet(xml, raw_cells, merges, declared if dimension else None),
    )


def _split_coordinate(coordinate: str) -> tuple[int, int]:
    match = re.fullmatch(r"([A-Z]+)(\d+)", coordinate)
    if match is None:
        raise ValueError(f"not a cell coordinate: {coordinate!r}")
    letters, digits = match.groups()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - ord("A") + 1
    return column, int(digits)


def _patch_sheet(
    xml: str, raw_cells: Mapping[str, tuple[str | None, str]], merges: list[str], dimension: str | None
) -> str:
    for coordinate, (kind, inner) in raw_cells.items():
        cell = re.compile(rf'<c r="{coordinate}"(?: [^>]*?)?(?:/>|>.*?</c>)', re.DOTALL)
        kind_attribute = f' t="{kind}"' if kind else ""
        replacement = f'<c r="{coordinate}"{kind_attribute}>{inner}</c>'
        # A function as the replacement, so that backslashes in the XML are not read as group references.
        xml, count = cell.subn(lambda _match, text=replacement: text, xml, count=1)
        assert count == 1, f"cell {coordinate} not found"
    if dimension is not None:
        xml = xml.replace("<sheetViews>", f'<dimension ref="{dimension}" /><sheetViews>', 1)
    if merges:
        cells = "".join(f'<mergeCell ref="{reference}" />' for reference in merges)
        xml = xml.replace("</sheetData>", f'</sheetData><mergeCells count="{len(merges)}">{cells}</mergeCells>', 1)
    return xml


def _patch_part(workbook: bytes, part: str, patch) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                data = patch(data.decode("utf-8")).encode("utf-8")
            target.writestr(info.filename, data)
    return output.getvalue()


def replace_part(workbook: bytes, part: str, data: bytes) -> bytes:
    """Return ``workbook`` with one part of its zip replaced, e.g. to damage a sheet's XML."""
    return _patch_part(workbook, part, lambda _xml: data.decode("utf-8", errors="replace"))


def empty_workbook() -> bytes:
    """A workbook with one sheet and nothing in it."""
    workbook = Workbook()
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
