"""The "new eight levels" vocational skill grade ladder (人社部发〔2022〕14号)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "COMPETITION_CAP",
    "GRADE_CODES",
    "LADDER",
    "NO_GRADE",
    "Grade",
    "compare",
    "get",
    "is_grade_code",
    "next_grade",
    "order",
    "promote_to",
]


@dataclass(frozen=True)
class Grade:
    code: str
    name_zh: str
    name_en: str
    national_level: str | None
    order: int


NO_GRADE = "none"

_NONE = Grade(NO_GRADE, "无", "No grade", None, 0)

LADDER: tuple[Grade, ...] = (
    Grade("apprentice", "学徒工", "Apprentice", None, 1),
    Grade("g5", "初级工", "Junior worker", "五级", 2),
    Grade("g4", "中级工", "Intermediate worker", "四级", 3),
    Grade("g3", "高级工", "Senior worker", "三级", 4),
    Grade("g2", "技师", "Technician", "二级", 5),
    Grade("g1", "高级技师", "Senior technician", "一级", 6),
    Grade("principal", "特级技师", "Principal technician", None, 7),
    Grade("chief", "首席技师", "Chief technician", None, 8),
)

GRADE_CODES: tuple[str, ...] = (NO_GRADE, *(g.code for g in LADDER))

# Published competition promotion rules stop at 高级技师; the rungs above are
# not awarded for competition results.
COMPETITION_CAP = "g1"

_BY_CODE: dict[str, Grade] = {g.code: g for g in (_NONE, *LADDER)}

# Apprenticeship is not a national occupational level, so someone without a
# grade and an apprentice both enter the national ladder at 初级工.
_NATIONAL_ENTRY = "g5"


def get(code: str) -> Grade:
    """Return the grade for ``code``; raise ValueError if the code is unknown."""
    try:
        return _BY_CODE[code]
    except (KeyError, TypeError):
        raise ValueError(f"unknown grade code: {code!r}") from None


def is_grade_code(code: str) -> bool:
    """Return whether ``code`` is a known grade code, including "none"."""
    try:
        return code in _BY_CODE
    except TypeError:
        return False


def order(code: str) -> int:
    """Return the rank of ``code``: 0 for "none", 1 for apprentice ... 8 for chief."""
    return get(code).order


def compare(a: str, b: str) -> int:
    """Return -1, 0 or 1 as grade ``a`` is below, equal to or above grade ``b``."""
    oa, ob = order(a), order(b)
    return (oa > ob) - (oa < ob)


def next_grade(code: str) -> str | None:
    """Return the code of the next rung up from ``code``, or None at the top."""
    current = get(code)
    if current.order < _BY_CODE[_NATIONAL_ENTRY].order:
        return _NATIONAL_ENTRY
    # LADDER is indexed by order - 1, so LADDER[order] is the rung above.
    if current.order >= len(LADDER):
        return None
    return LADDER[current.order].code


def promote_to(current: str, target: str, *, cap: str | None = COMPETITION_CAP) -> str | None:
    """Apply the rule "to target; already target -> next; above target -> nothing".

    Return the grade code the holder of ``current`` is promoted to, or None when
    there is no promotion, including when the result would be above ``cap``
    (``cap=None`` means uncapped). Raise ValueError for unknown codes or a
    target of "none".
    """
    held = get(current)
    goal = get(target)
    if goal.code == NO_GRADE:
        raise ValueError("cannot promote to grade 'none'")
    limit = get(cap) if cap is not None else None

    if held.order < goal.order:
        result: str | None = goal.code
    elif held.order == goal.order:
        result = next_grade(goal.code)
    else:
        result = None

    if result is not None and limit is not None and order(result) > limit.order:
        return None
    return result
