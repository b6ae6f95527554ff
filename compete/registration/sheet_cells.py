"""Turning one cell of a registration sheet into clean text, or a message saying why it cannot be used."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

# Row-level messages about one cell; the column they concern is shown next to them.
_AS_LONG_NUMBER = _l(
    "Stored as a number: Excel may have changed the last digits. Format the column as text and type it again."
)
_SCIENTIFIC = _l(
    "Stored as a number in scientific notation, so the last digits are lost. "
    "Format the column as text and type it again."
)
_AS_NUMBER = _l("Stored as a number. Format the column as text and type it again.")
_NOT_A_DATE = _l("Not a date: write it like 2019-06-30.")

# Invisible characters that come along when text is pasted from web pages and chat apps.
_INVISIBLE_CHARACTERS = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = str.maketrans("", "", _INVISIBLE_CHARACTERS)
_HAS_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARACTERS}]")
EXCEL_ERRORS = frozenset(
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


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not _clean(value))


def cleaned_value(value: object) -> object:
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


CONVERTERS: dict[str, Callable[[object], _Converted]] = {
    "name": _name,
    "id_number": _id_number,
    "phone": _digits_text,
    "unit": _text,
    "grade": _text,
    "grade_certificate_number": _digits_text,
    "grade_certified_on": _date,
}
