"""Tests for the skill grade ladder and competition promotion rule."""

from __future__ import annotations

import pytest

from compete.rules import grades
from compete.rules.grades import Grade

EXPECTED = [
    ("none", "无", "No grade", None, 0),
    ("apprentice", "学徒工", "Apprentice", None, 1),
    ("g5", "初级工", "Junior worker", "五级", 2),
    ("g4", "中级工", "Intermediate worker", "四级", 3),
    ("g3", "高级工", "Senior worker", "三级", 4),
    ("g2", "技师", "Technician", "二级", 5),
    ("g1", "高级技师", "Senior technician", "一级", 6),
    ("principal", "特级技师", "Principal technician", None, 7),
    ("chief", "首席技师", "Chief technician", None, 8),
]


def test_constants():
    assert grades.NO_GRADE == "none"
    assert grades.COMPETITION_CAP == "g1"
    assert tuple(row[0] for row in EXPECTED) == grades.GRADE_CODES


def test_ladder_excludes_none_and_is_ordered():
    assert [g.code for g in grades.LADDER] == [row[0] for row in EXPECTED[1:]]
    assert [g.order for g in grades.LADDER] == list(range(1, 9))
    assert all(isinstance(g, Grade) for g in grades.LADDER)


@pytest.mark.parametrize(("code", "name_zh", "name_en", "national_level", "rank"), EXPECTED)
def test_get_returns_full_grade(code, name_zh, name_en, national_level, rank):
    assert grades.get(code) == Grade(code, name_zh, name_en, national_level, rank)
    assert grades.order(code) == rank
    assert grades.is_grade_code(code)


def test_grade_is_frozen():
    with pytest.raises(AttributeError):
        grades.get("g3").order = 9


@pytest.mark.parametrize("code", ["", "G3", "g6", "g0", "None", " none", "senior", None, 3])
def test_unknown_codes(code):
    assert not grades.is_grade_code(code)
    with pytest.raises(ValueError, match="unknown grade code"):
        grades.get(code)
    with pytest.raises(ValueError, match="unknown grade code"):
        grades.order(code)
    with pytest.raises(ValueError, match="unknown grade code"):
        grades.next_grade(code)


def test_unknown_code_message_quotes_code():
    with pytest.raises(ValueError) as excinfo:
        grades.get("g9")
    assert str(excinfo.value) == "unknown grade code: 'g9'"


NEXT = [
    ("none", "g5"),
    ("apprentice", "g5"),
    ("g5", "g4"),
    ("g4", "g3"),
    ("g3", "g2"),
    ("g2", "g1"),
    ("g1", "principal"),
    ("principal", "chief"),
    ("chief", None),
]


@pytest.mark.parametrize(("code", "expected"), NEXT)
def test_next_grade(code, expected):
    assert grades.next_grade(code) == expected


def test_next_grade_table_covers_every_code():
    assert tuple(code for code, _ in NEXT) == grades.GRADE_CODES


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("g3", "g3", 0),
        ("none", "none", 0),
        ("g3", "g2", -1),
        ("g2", "g3", 1),
        ("none", "apprentice", -1),
        ("apprentice", "none", 1),
        ("apprentice", "g5", -1),
        ("chief", "principal", 1),
        ("g1", "principal", -1),
        ("none", "chief", -1),
        ("chief", "none", 1),
    ],
)
def test_compare(a, b, expected):
    assert grades.compare(a, b) == expected


def test_compare_agrees_with_code_order():
    codes = grades.GRADE_CODES
    for i, a in enumerate(codes):
        for j, b in enumerate(codes):
            assert grades.compare(a, b) == (i > j) - (i < j)


@pytest.mark.parametrize("args", [("g3", "x"), ("x", "g3")])
def test_compare_unknown_raises(args):
    with pytest.raises(ValueError, match="unknown grade code"):
        grades.compare(*args)


DEFAULT_CAP = object()


@pytest.mark.parametrize(
    ("current", "target", "cap", "expected"),
    [
        # Below target: promoted to target.
        ("g3", "g2", DEFAULT_CAP, "g2"),
        ("g5", "g2", DEFAULT_CAP, "g2"),
        ("apprentice", "g3", DEFAULT_CAP, "g3"),
        ("none", "g3", DEFAULT_CAP, "g3"),
        ("none", "g5", DEFAULT_CAP, "g5"),
        ("none", "apprentice", DEFAULT_CAP, "apprentice"),
        ("g2", "g1", DEFAULT_CAP, "g1"),
        # Already at target: next rung.
        ("g2", "g2", DEFAULT_CAP, "g1"),
        ("g3", "g3", DEFAULT_CAP, "g2"),
        ("g5", "g5", DEFAULT_CAP, "g4"),
        ("apprentice", "apprentice", DEFAULT_CAP, "g5"),
        # Above target: nothing.
        ("g1", "g2", DEFAULT_CAP, None),
        ("g2", "g3", DEFAULT_CAP, None),
        ("chief", "g5", DEFAULT_CAP, None),
        ("g5", "apprentice", DEFAULT_CAP, None),
        # Default cap is g1: results above it are dropped.
        ("g1", "g1", DEFAULT_CAP, None),
        ("g2", "principal", DEFAULT_CAP, None),
        ("none", "chief", DEFAULT_CAP, None),
        # Explicit caps.
        ("g1", "g1", None, "principal"),
        ("principal", "principal", None, "chief"),
        ("chief", "chief", None, None),
        ("g3", "principal", None, "principal"),
        ("g1", "g1", "principal", "principal"),
        ("principal", "principal", "principal", None),
        ("g3", "g3", "g3", None),
        ("g4", "g3", "g3", "g3"),
        ("g4", "g4", "g3", "g3"),
        ("g4", "g2", "g3", None),
        ("g1", "g2", None, None),
    ],
)
def test_promote_to(current, target, cap, expected):
    if cap is DEFAULT_CAP:
        assert grades.promote_to(current, target) == expected
    else:
        assert grades.promote_to(current, target, cap=cap) == expected


@pytest.mark.parametrize(
    ("current", "target", "cap", "message"),
    [
        ("g3", "g9", "g1", "unknown grade code: 'g9'"),
        ("g9", "g3", "g1", "unknown grade code: 'g9'"),
        ("g3", "g2", "top", "unknown grade code: 'top'"),
        ("g3", "", None, "unknown grade code: ''"),
        ("g3", "none", None, "cannot promote to grade 'none'"),
    ],
)
def test_promote_to_invalid(current, target, cap, message):
    with pytest.raises(ValueError) as excinfo:
        grades.promote_to(current, target, cap=cap)
    assert str(excinfo.value) == message


def test_promote_to_cap_is_keyword_only():
    with pytest.raises(TypeError):
        grades.promote_to("g3", "g2", None)
