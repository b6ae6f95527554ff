"""Dates in Chinese numerals as certificates print them, and the layout of a seal's name along its arc."""

import itertools
import math
from datetime import date

import pytest

from compete.rules.certificate_text import chinese_date, seal_arc, seal_glyph_size


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 20), "二〇二六年十一月二十日"),
        (date(2026, 1, 1), "二〇二六年一月一日"),
        (date(2026, 10, 10), "二〇二六年十月十日"),
        (date(2026, 12, 11), "二〇二六年十二月十一日"),
        (date(2026, 3, 21), "二〇二六年三月二十一日"),
        (date(2026, 5, 30), "二〇二六年五月三十日"),
        (date(2026, 12, 31), "二〇二六年十二月三十一日"),
        (date(2000, 2, 29), "二〇〇〇年二月二十九日"),
        (date(2019, 9, 9), "二〇一九年九月九日"),
    ],
)
def test_chinese_date(day, expected):
    assert chinese_date(day) == expected


def test_every_day_of_a_year_reads_back_to_its_number():
    """Read each printed day back with an independent parser: every day from 1 to 31 is written once, correctly."""
    digits = {character: value for value, character in enumerate("〇一二三四五六七八九")}

    def read(words: str) -> int:
        tens, _, ones = words.rpartition("十")
        if "十" not in words:
            return digits[words]
        return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)

    seen = set()
    for ordinal in range(date(2028, 1, 1).toordinal(), date(2029, 1, 1).toordinal()):
        day = date.fromordinal(ordinal)
        text = chinese_date(day)
        year, rest = text.split("年")
        month, rest = rest.split("月")
        assert rest.endswith("日")
        assert (year, read(month), read(rest[:-1])) == ("二〇二八", day.month, day.day)
        seen.add(rest)
    assert len(seen) == 31


@pytest.mark.parametrize(
    ("text", "angles"),
    [
        ("局", [0.0]),
        ("人社", [-13.0, 13.0]),
        ("宿迁市", [-26.0, 0.0, 26.0]),
        ("宿迁市人社局", [-65.0, -39.0, -13.0, 13.0, 39.0, 65.0]),
        (" 宿迁 市 ", [-26.0, 0.0, 26.0]),  # spaces take no place on the arc
    ],
)
def test_a_short_name_keeps_an_even_step_centred_on_the_top(text, angles):
    arc = seal_arc(text, radius=100)
    assert [character for character, _ in arc] == [c for c in text if not c.isspace()]
    assert [angle for _, angle in arc] == pytest.approx(angles)


@pytest.mark.parametrize("text", ["宿迁市人力资源和社会保障局", "中华人民共和国人力资源和社会保障部", "晋" * 40])
def test_a_long_name_is_squeezed_into_the_span_evenly(text):
    arc = seal_arc(text, radius=100)
    angles = [angle for _, angle in arc]
    assert len(arc) == len(text)
    assert angles[0] == pytest.approx(-125.0) and angles[-1] == pytest.approx(125.0)
    gaps = {round(b - a, 9) for a, b in itertools.pairwise(angles)}
    assert len(gaps) == 1 and gaps.pop() == pytest.approx(250 / (len(text) - 1))


def test_the_span_turns_from_even_step_to_squeezed_at_eleven_characters():
    assert seal_arc("一" * 10, radius=100)[-1][1] == pytest.approx(117.0)  # 9 steps of 26°
    assert seal_arc("一" * 11, radius=100)[-1][1] == pytest.approx(125.0)  # 10 × 26° = 260° > 250°: squeezed
    assert seal_arc("一" * 5, radius=100, max_span=40, step=30)[-1][1] == pytest.approx(20.0)


@pytest.mark.parametrize("text", ["", "   "])
def test_nothing_to_place(text):
    assert seal_arc(text, radius=100) == []


@pytest.mark.parametrize("count", range(2, 26))
def test_neighbouring_glyphs_on_the_arc_do_not_touch(count):
    radius = 204.0  # as the drawn seal uses it: 0.34 of 600 pixels
    arc = seal_arc("字" * count, radius=radius)
    gap = math.radians(arc[1][1] - arc[0][1])
    between_centres = 2 * radius * math.sin(gap / 2)
    assert seal_glyph_size(count, radius=radius) < between_centres


def test_glyph_size_stays_readable_and_within_the_ring():
    radius = 204.0
    sizes = [seal_glyph_size(count, radius=radius) for count in range(1, 40)]
    assert sizes[0] == pytest.approx(radius * 0.45)  # one character alone
    assert all(radius * 0.16 <= size <= radius * 0.34 for size in sizes[1:])
    assert sizes[1:] == sorted(sizes[1:], reverse=True)  # more characters, smaller type
