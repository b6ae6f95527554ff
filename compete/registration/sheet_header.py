"""The column titles of a registration sheet: the columns we read, and finding their row however it is spelt."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from compete.registration.sheet_cells import blank


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

COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
_REQUIRED = tuple(column for column in COLUMNS if column.required)
# People put the column titles below a title row or two, never much further down.
HEADER_SEARCH_ROWS = 10
_EMPTY_SHEET = _l("The sheet is empty.")


class SheetUnreadable(Exception):
    """The file as a whole cannot be imported; ``message`` says why, for the user."""

    def __init__(self, message: LazyString):
        super().__init__(message)
        self.message = message


def _no_header() -> LazyString:
    return _l(
        "No column titles in the first %(count)s rows: one row must hold at least %(name)s and %(id_number)s.",
        count=HEADER_SEARCH_ROWS,
        name=COLUMN_BY_KEY["name"].title_zh,
        id_number=COLUMN_BY_KEY["id_number"].title_zh,
    )


def _missing_columns(missing: list[Column], row: int) -> LazyString:
    titles = "、".join(column.title_zh for column in missing)
    if len(missing) == 1:
        return _l("The required column %(column)s is missing (column titles in row %(row)s).", column=titles, row=row)
    return _l("The required columns %(columns)s are missing (column titles in row %(row)s).", columns=titles, row=row)


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
class Header:
    row: int
    columns: tuple[tuple[int, str], ...]  # (0-based index, Column.key) in sheet order
    titles: dict[str, str]  # Column.key -> the title as found


def _header_candidate(number: int, cells: tuple) -> Header:
    columns: list[tuple[int, str]] = []
    titles: dict[str, str] = {}
    for index, value in enumerate(cells):
        key = _match_header(value)
        # When two columns mean the same thing, the first one wins and the other is ignored.
        if key is not None and key not in titles:
            columns.append((index, key))
            titles[key] = " ".join(str(value).split())
    return Header(number, tuple(columns), titles)


def find_header(rows: Iterator[tuple[int, tuple]], max_rows: int) -> Header:
    best: Header | None = None
    seen_content = False
    for number, cells in rows:
        candidate = _header_candidate(number, cells)
        if all(column.key in candidate.titles for column in _REQUIRED):
            return candidate
        if best is None or len(candidate.columns) > len(best.columns):
            best = candidate
        seen_content = seen_content or any(not blank(value) for value in cells)
        if number >= HEADER_SEARCH_ROWS:
            break
    if best is not None and best.columns:
        missing = [column for column in _REQUIRED if column.key not in best.titles]
        raise SheetUnreadable(_missing_columns(missing, best.row))
    if not seen_content:
        # Tell "nothing at all" apart from "content, but too far down"; bounded like the data rows.
        for count, (_number, cells) in enumerate(rows):
            if count > max_rows:
                break
            if any(not blank(value) for value in cells):
                raise SheetUnreadable(_no_header())
        raise SheetUnreadable(_EMPTY_SHEET)
    raise SheetUnreadable(_no_header())
