"""Scoring: judge marks to criterion marks, practical and total scores, in exact arithmetic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, Inexact, localcontext
from fractions import Fraction

__all__ = [
    "AGGREGATIONS",
    "JUDGEMENT_SCORES",
    "KINDS",
    "MARK_PROBLEMS",
    "CriterionMarks",
    "TooFewJudges",
    "aggregate",
    "criterion_mark",
    "is_discrepant",
    "judgement_mark",
    "mark_problem",
    "practical_score",
    "round_half_up",
    "total_score",
]

AGGREGATIONS = ("mean", "trimmed_mean", "median")
KINDS = ("measurement", "judgement")
JUDGEMENT_SCORES = (0, 1, 2, 3)
MARK_PROBLEMS = ("not_a_number", "negative", "above_max", "off_step", "not_a_score")

# A judgement score is a share of the criterion's max in thirds: score 3 earns the full max.
_TOP_SCORE = JUDGEMENT_SCORES[-1]
_MIN_TRIMMED_JUDGES = 3

Number = Fraction | Decimal | int


class TooFewJudges(ValueError):
    """A trimmed mean needs at least three judges: one highest and one lowest are dropped."""


@dataclass(frozen=True)
class CriterionMarks:
    code: str
    kind: str  # "measurement" | "judgement"
    max_mark: Decimal
    marks: tuple[Decimal, ...]  # raw judge inputs: a measurement mark, or a judgement score 0-3


def _exact(value: Number) -> Fraction:
    """The value as a Fraction; floats are refused because they have already lost the exact figure."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(value)
    if isinstance(value, Fraction | int) and not isinstance(value, bool):
        return Fraction(value)
    raise TypeError(f"expected a Fraction, Decimal or int, got {type(value).__name__}")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown criterion kind {kind!r}, expected one of {KINDS}")


def _as_score(value: Number) -> int | None:
    """The whole judgement score the value stands for (Decimal("2.0") is 2), or None if it is not one."""
    exact = _exact(value)
    if exact.denominator == 1 and exact.numerator in JUDGEMENT_SCORES:
        return exact.numerator
    return None


def round_half_up(value: Number, places: int = 2) -> Decimal:
    """The value rounded to `places` decimals, ties away from zero, with exactly that many places."""
    if places < 0:
        raise ValueError(f"places must be at least 0, got {places}")
    scaled = _exact(value) * 10**places
    magnitude = abs(scaled)
    # floor(magnitude + 1/2) in integers, so a tie such as 84.995 is never seen through a binary float.
    rounded = (2 * magnitude.numerator + magnitude.denominator) // (2 * magnitude.denominator)
    # A value that rounds to zero is plain 0.00, not -0.00, which would print oddly on a results sheet.
    sign = 1 if scaled < 0 and rounded else 0
    return Decimal((sign, tuple(int(digit) for digit in str(rounded)), -places))


def judgement_mark(max_mark: Decimal, score: int) -> Fraction:
    """The mark a judgement score earns: max × score / 3, kept exact (10 × 2/3 is 20/3, not 6.67)."""
    whole = _as_score(score)
    if whole is None:
        raise ValueError(f"a judgement score is one of {JUDGEMENT_SCORES}, got {score!r}")
    return _exact(max_mark) * whole / _TOP_SCORE


def _ordered_exactly(values: Sequence[Number]) -> list:
    """The values sorted, as Decimals when they all are (compared and added exactly, and far cheaper than
    Fractions: an event of 1,000 competitors aggregates 150,000 marks), else as Fractions."""
    if values and all(isinstance(value, Decimal) and value.is_finite() for value in values):
        return sorted(values)
    return sorted(_exact(value) for value in values)


def _exact_sum(values: list) -> Fraction:
    if values and isinstance(values[0], Decimal):
        # Decimal addition is exact while the digits fit the context; marks have 2 places and 7 digits at most.
        with localcontext() as context:
            context.prec, context.traps[Inexact] = 60, True
            return Fraction(sum(values, Decimal(0)))
    return sum(values, Fraction(0))


def aggregate(values: Sequence[Number], rule: str) -> Fraction:
    """One criterion's mark from its judges' marks by the event's rule; the order of judges does not matter."""
    if rule not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {rule!r}, expected one of {AGGREGATIONS}")
    ordered = _ordered_exactly(values)
    if not ordered:
        raise ValueError("no marks to aggregate")
    if rule == "trimmed_mean":
        if len(ordered) < _MIN_TRIMMED_JUDGES:
            raise TooFewJudges(f"a trimmed mean needs at least {_MIN_TRIMMED_JUDGES} judges, got {len(ordered)}")
        # Exactly one highest and one lowest go, even when several judges gave that same mark.
        ordered = ordered[1:-1]
    if rule == "median":
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return Fraction(ordered[middle])
        return _exact_sum(ordered[middle - 1 : middle + 1]) / 2
    return _exact_sum(ordered) / len(ordered)


def criterion_mark(criterion: CriterionMarks, rule: str) -> Fraction:
    """The criterion's aggregated mark, judgement scores converted to marks first; not rounded."""
    _check_kind(criterion.kind)
    if criterion.kind == "judgement":
        scores = []
        for score in criterion.marks:
            whole = _as_score(score)
            if whole is None:
                raise ValueError(f"a judgement score is one of {JUDGEMENT_SCORES}, got {score!r}")
            scores.append(whole)
        # max × s / 3 is increasing in s, so trimming, the median and the mean commute with it: aggregate the
        # scores, then convert once (exactly the same figure, a fifth of the arithmetic).
        return _exact(criterion.max_mark) * aggregate(scores, rule) / _TOP_SCORE
    max_mark = _exact(criterion.max_mark)
    # Marks are checked on entry (mark_problem); one outside 0..max here means corrupt data,
    # which must not be averaged away into a plausible-looking score. Decimals compare exactly with Fractions.
    for value in criterion.marks:
        exact = value if isinstance(value, Decimal) and value.is_finite() else _exact(value)
        if not 0 <= exact <= max_mark:
            raise ValueError(f"criterion {criterion.code!r}: mark {value} is outside 0..{criterion.max_mark}")
    values = criterion.marks
    return aggregate(values, rule)


def practical_score(criteria: Sequence[CriterionMarks], rule: str) -> Decimal:
    """Σ aggregated criterion marks / Σ max × 100, rounded half-up to 2 decimals."""
    total_max = sum((_exact(criterion.max_mark) for criterion in criteria), Fraction(0))
    if total_max <= 0:
        raise ValueError(f"the criteria's maximum marks must add up to more than 0, got {total_max}")
    earned = sum((criterion_mark(criterion, rule) for criterion in criteria), Fraction(0))
    return round_half_up(earned / total_max * 100)


def total_score(
    theory: Decimal | None,
    practical: Decimal,
    theory_weight: Decimal,
    practical_weight: Decimal,
) -> Decimal:
    """theory × w_theory + practical × w_practical, from the parts as published (rounded to 2 places)."""
    if _exact(theory_weight) < 0 or _exact(practical_weight) < 0:
        raise ValueError(f"weights must not be negative, got {theory_weight} and {practical_weight}")
    practical_part = Fraction(round_half_up(practical)) * _exact(practical_weight)
    if theory is None:
        if theory_weight != 0:
            raise ValueError(f"a theory score is needed when its weight is {theory_weight}")
        return round_half_up(practical_part)
    # The rounded parts are what competitors see, so the total must follow from those figures.
    theory_part = Fraction(round_half_up(theory)) * _exact(theory_weight)
    return round_half_up(theory_part + practical_part)


def mark_problem(kind: str, max_mark: Decimal, step: Decimal, value: Decimal) -> str | None:
    """Why a typed value cannot be stored (one of MARK_PROBLEMS), or None when it can.

    A judgement value is a score, so only "not_a_number" and "not_a_score" apply to it; max_mark
    and step are about measurement marks.
    """
    _check_kind(kind)
    if isinstance(value, Decimal) and not value.is_finite():
        return "not_a_number"
    exact = _exact(value)
    if kind == "judgement":
        return None if _as_score(exact) is not None else "not_a_score"
    step_size = _exact(step)
    if step_size <= 0:
        raise ValueError(f"step must be more than 0, got {step}")
    if exact < 0:
        return "negative"
    if exact > _exact(max_mark):
        return "above_max"
    if (exact / step_size).denominator != 1:
        return "off_step"
    return None


def is_discrepant(kind: str, max_mark: Decimal, marks: Sequence[Decimal], measurement_share: Decimal) -> bool:
    """Whether the judges disagree enough for a chief judge to look again; a spread exactly at the limit is fine."""
    _check_kind(kind)
    values = [_exact(mark) for mark in marks]
    if len(values) < 2:
        return False
    spread = max(values) - min(values)
    if kind == "judgement":
        return spread > 1
    return spread > _exact(measurement_share) * _exact(max_mark)
