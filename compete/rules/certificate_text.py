"""How certificates write dates and lay out a generated seal: pure text and geometry, no rendering."""

import math
from datetime import date

_DIGITS = "〇一二三四五六七八九"


def _chinese_count(value: int) -> str:
    """1–31 in words as dates are written on certificates: 十, 十一, 二十, 二十一, 三十一."""
    if value < 10:
        return _DIGITS[value]
    tens, ones = divmod(value, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def chinese_date(day: date) -> str:
    """The date in Chinese numerals, the way certificates and official documents print it: 二〇二六年十一月二十日."""
    year = "".join(_DIGITS[int(digit)] for digit in str(day.year))
    return f"{year}年{_chinese_count(day.month)}月{_chinese_count(day.day)}日"


def seal_arc(text: str, *, radius: float, max_span: float = 250.0, step: float = 26.0) -> list[tuple[str, float]]:
    """Each character of a seal's name with its angle in degrees from the top, clockwise, centred on the top.

    A short name keeps an even step between characters; a long one is squeezed into max_span.
    """
    characters = [character for character in text if not character.isspace()]
    if not characters:
        return []
    count = len(characters)
    span = min(max_span, step * (count - 1))
    first = -span / 2
    gap = span / (count - 1) if count > 1 else 0.0
    return [(character, first + index * gap) for index, character in enumerate(characters)]


def seal_glyph_size(count: int, *, radius: float) -> float:
    """A glyph size that keeps neighbouring characters on the arc from touching."""
    if count <= 1:
        return radius * 0.45
    span = min(250.0, 26.0 * (count - 1))
    spacing = 2 * math.pi * radius * (span / 360) / (count - 1)
    return max(radius * 0.16, min(radius * 0.34, spacing * 0.92))
