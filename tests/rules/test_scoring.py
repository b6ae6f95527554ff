"""Tests for scoring: aggregation of judge marks, practical and total scores, rounding and mark checks."""

from __future__ import annotations

import statistics
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compete.rules.scoring import (
    AGGREGATIONS,
    CriterionMarks,
    TooFewJudges,
    aggregate,
    criterion_mark,
    is_discrepant,
    judgement_mark,
    mark_problem,
    practical_score,
    round_half_up,
    total_score,
)

D = Decimal
F = Fraction


def judged(code: str, max_mark: str, *scores: int) -> CriterionMarks:
    return CriterionMarks(code, "judgement", D(max_mark), tuple(D(score) for score in scores))


def measured(code: str, max_mark: str, *marks: str) -> CriterionMarks:
    return CriterionMarks(code, "measurement", D(max_mark), tuple(D(mark) for mark in marks))


# Marks as they come from the tablets: Decimals with up to two places, plus exact Fractions and ints.
marks = st.one_of(
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
    st.fractions(min_value=-1000, max_value=1000, max_denominator=1000),
    st.integers(min_value=-1000, max_value=1000),
)
numbers = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.fractions(),
    st.integers(),
)


# --- round_half_up ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (D("84.995"), 2, "85.00"),
        (D("84.994999"), 2, "84.99"),
        (F(16999, 200), 2, "85.00"),  # 84.995 as a Fraction
        (D("84.985"), 2, "84.99"),  # half-up, not half-even (which would give 84.98)
        (D("-84.995"), 2, "-85.00"),  # ties go away from zero
        (D("-84.994999"), 2, "-84.99"),
        (F(1, 3), 2, "0.33"),
        (F(2, 3), 2, "0.67"),
        (F(1, 200), 2, "0.01"),
        (F(-1, 200), 2, "-0.01"),
        (F(-1, 1000), 2, "0.00"),  # rounds to zero: no "-0.00"
        (85, 2, "85.00"),
        (0, 2, "0.00"),
        (D("100"), 2, "100.00"),
        (D("2.5"), 0, "3"),
        (D("-2.5"), 0, "-3"),
        (F(2, 3), 3, "0.667"),
        (D("12345678901234567890123456789.995"), 2, "12345678901234567890123456790.00"),  # beyond 28 digits
    ],
)
def test_round_half_up(value, places, expected):
    result = round_half_up(value, places)
    assert str(result) == expected
    assert result.as_tuple().exponent == -places


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity"), D("sNaN")])
def test_round_half_up_refuses_non_finite(value):
    with pytest.raises(ValueError, match="finite"):
        round_half_up(value)


@pytest.mark.parametrize("value", [84.995, "84.995", None, True])
def test_round_half_up_refuses_inexact_or_non_numbers(value):
    with pytest.raises(TypeError):
        round_half_up(value)


def test_round_half_up_refuses_negative_places():
    with pytest.raises(ValueError, match="places"):
        round_half_up(D("1.5"), -1)


@given(numbers)
def test_rounding_is_idempotent(value):
    once = round_half_up(value)
    assert round_half_up(once) == once
    assert str(round_half_up(once)) == str(once)


@given(numbers, st.integers(min_value=0, max_value=6))
def test_rounding_is_within_half_a_unit_and_has_exactly_the_places(value, places):
    result = round_half_up(value, places)
    assert result.as_tuple().exponent == -places
    assert abs(Fraction(result) - Fraction(value)) <= F(1, 2 * 10**places)


@given(st.decimals(allow_nan=False, allow_infinity=False), st.integers(min_value=0, max_value=6))
def test_rounding_agrees_with_decimal_round_half_up(value, places):
    # Decimal's own ROUND_HALF_UP (ties away from zero), with enough precision never to round twice.
    context = Context(prec=10_000, rounding=ROUND_HALF_UP)
    expected = value.quantize(D(1).scaleb(-places), context=context)
    assert round_half_up(value, places) == expected


# --- judgement_mark ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_mark", "score", "expected"),
    [
        (D("10"), 0, F(0)),
        (D("10"), 1, F(10, 3)),
        (D("10"), 2, F(20, 3)),  # kept exact, not 6.67
        (D("10"), 3, F(10)),
        (D("4.5"), 2, F(3)),
        (D("10"), D("2.0"), F(20, 3)),
    ],
)
def test_judgement_mark(max_mark, score, expected):
    assert judgement_mark(max_mark, score) == expected


@pytest.mark.parametrize("score", [-1, 4, D("1.5"), D("NaN")])
def test_judgement_mark_refuses_non_scores(score):
    with pytest.raises(ValueError):
        judgement_mark(D("10"), score)


# --- aggregate --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "rule", "expected"),
    [
        # The domain example: five judges, the highest (9.5) and the lowest (4.0) are dropped.
        ([D("7.0"), D("8.0"), D("8.5"), D("9.5"), D("4.0")], "trimmed_mean", F(47, 6)),
        ([D("8.0"), D("8.5"), D("9.0"), D("9.5"), D("6.0")], "trimmed_mean", F(17, 2)),
        # Only one of each tied extreme goes.
        ([5, 5, 5, 7, 7], "trimmed_mean", F(17, 3)),
        ([1, 2, 9], "trimmed_mean", F(2)),
        ([D("7.0"), D("8.0"), D("8.5"), D("9.5"), D("4.0")], "mean", F(37, 5)),
        ([1, 2], "mean", F(3, 2)),
        ([F(1, 3), F(1, 3), F(1, 3)], "mean", F(1, 3)),
        ([D("6")], "mean", F(6)),
        # Median: odd count takes the middle, even count the mean of the two middle values.
        ([3, 1, 2], "median", F(2)),
        ([4, 1, 3, 2], "median", F(5, 2)),
        ([D("8.5"), D("7.0")], "median", F(31, 4)),
        ([1, 10, 1, 3], "median", F(2)),
        ([D("6")], "median", F(6)),
    ],
)
def test_aggregate(values, rule, expected):
    result = aggregate(values, rule)
    assert isinstance(result, Fraction)
    assert result == expected


@pytest.mark.parametrize("values", [[D("8")], [D("8"), D("9")]])
def test_trimmed_mean_needs_three_judges(values):
    with pytest.raises(TooFewJudges, match="at least 3"):
        aggregate(values, "trimmed_mean")


def test_too_few_judges_is_a_value_error():
    assert issubclass(TooFewJudges, ValueError)


@pytest.mark.parametrize("rule", AGGREGATIONS)
def test_aggregate_of_nothing_is_refused(rule):
    with pytest.raises(ValueError, match="no marks"):
        aggregate([], rule)


@pytest.mark.parametrize("rule", ["average", "Mean", "", "trimmed"])
def test_unknown_aggregation_is_refused(rule):
    with pytest.raises(ValueError, match="unknown aggregation"):
        aggregate([1, 2, 3], rule)


def test_aggregate_refuses_floats():
    with pytest.raises(TypeError):
        aggregate([1, 2.5, 3], "mean")


def test_aggregate_refuses_non_finite_marks():
    with pytest.raises(ValueError, match="finite"):
        aggregate([D("1"), D("NaN"), D("3")], "mean")


judge_marks = st.lists(marks, min_size=3, max_size=9)


@given(judge_marks, st.sampled_from(AGGREGATIONS))
def test_aggregate_lies_between_lowest_and_highest(values, rule):
    result = aggregate(values, rule)
    assert min(map(Fraction, values)) <= result <= max(map(Fraction, values))


@given(judge_marks, st.sampled_from(AGGREGATIONS), st.randoms(use_true_random=False))
def test_judge_order_does_not_matter(values, rule, random):
    shuffled = list(values)
    random.shuffle(shuffled)
    assert aggregate(shuffled, rule) == aggregate(values, rule)


@given(judge_marks)
def test_trimmed_mean_is_the_mean_without_the_first_and_last_sorted(values):
    inner = sorted(map(Fraction, values))[1:-1]
    assert aggregate(values, "trimmed_mean") == sum(inner) / len(inner)


@given(st.lists(marks, min_size=1, max_size=9))
def test_mean_and_median_agree_with_statistics(values):
    exact = [Fraction(value) for value in values]
    assert aggregate(values, "mean") == statistics.mean(exact)
    assert aggregate(values, "median") == statistics.median(exact)


# --- criterion_mark and practical_score -------------------------------------------------------------

TWENTY_THIRDS = [judged(code, "10", 2, 2, 2) for code in ("A1", "A2", "A3")]


def test_judgement_marks_stay_exact_across_criteria():
    # Rounding each 20/3 to 6.67 first would give 20.01 here, and 66.70 below.
    assert sum(criterion_mark(criterion, "mean") for criterion in TWENTY_THIRDS) == 20
    assert practical_score(TWENTY_THIRDS, "mean") == D("66.67")


@pytest.mark.parametrize(
    ("criterion", "rule", "expected"),
    [
        (judged("J", "10", 1, 2, 3), "mean", F(20, 3)),
        (judged("J", "10", 1, 2, 2), "mean", F(50, 9)),
        (judged("J", "10", 0, 1, 2, 3, 3), "trimmed_mean", F(20, 3)),
        (judged("J", "10", 0, 1, 2, 3), "median", F(5)),
        (judged("J", "6", 3), "median", F(6)),
        (measured("M", "10", "7.0", "8.0", "8.5", "9.5", "4.0"), "trimmed_mean", F(47, 6)),
        (measured("M", "10", "7.5", "8.5"), "median", F(8)),
        (measured("M", "10", "0", "10"), "mean", F(5)),
    ],
)
def test_criterion_mark(criterion, rule, expected):
    assert criterion_mark(criterion, rule) == expected


@pytest.mark.parametrize(
    "criterion",
    [
        judged("J", "10", 1, 4),
        judged("J", "10", -1, 2),
        CriterionMarks("J", "judgement", D("10"), (D("1.5"),)),
        measured("M", "10", "5", "10.5"),
        measured("M", "10", "-0.5", "5"),
        CriterionMarks("X", "estimate", D("10"), (D("5"),)),
    ],
)
def test_criterion_mark_refuses_impossible_marks(criterion):
    with pytest.raises(ValueError):
        criterion_mark(criterion, "mean")


def test_criterion_mark_with_two_judges_and_trimmed_mean():
    with pytest.raises(TooFewJudges):
        criterion_mark(measured("M", "10", "5", "6"), "trimmed_mean")


@pytest.mark.parametrize(
    ("criteria", "rule", "expected"),
    [
        ([measured("M", "20", "15", "16", "17")], "mean", D("80.00")),
        # 16 + 20/3 of 30 = 22.666.../30 = 75.555...%
        ([measured("M", "20", "15", "16", "17"), judged("J", "10", 2, 2, 2)], "mean", D("75.56")),
        ([measured("M", "20", "15", "16", "20"), judged("J", "10", 1, 2, 3)], "trimmed_mean", D("75.56")),
        ([measured("M", "20", "15", "17"), judged("J", "10", 1, 2)], "median", D("70.00")),
        ([measured("M", "20", "20", "20")], "mean", D("100.00")),
        ([measured("M", "20", "0"), judged("J", "10", 0)], "mean", D("0.00")),
        # 1/3 of the max: 33.333...%
        ([judged("J", "10", 1)], "mean", D("33.33")),
        # 84.995% exactly: 16999/200 of 100, rounded up.
        ([measured("M", "200", "169.99")], "mean", D("85.00")),
        ([measured("M", "200", "169.989998")], "mean", D("84.99")),
    ],
)
def test_practical_score(criteria, rule, expected):
    result = practical_score(criteria, rule)
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("criteria", [[], [measured("M", "0", "0")]])
def test_practical_score_needs_a_positive_total_max(criteria):
    with pytest.raises(ValueError, match="more than 0"):
        practical_score(criteria, "mean")


@st.composite
def criteria_within_range(draw):
    count = draw(st.integers(min_value=1, max_value=5))
    judges = draw(st.integers(min_value=3, max_value=7))
    result = []
    for number in range(count):
        max_mark = draw(st.decimals(min_value="0.5", max_value=100, places=1))
        if draw(st.booleans()):
            scores = draw(st.lists(st.sampled_from([0, 1, 2, 3]), min_size=judges, max_size=judges))
            result.append(CriterionMarks(f"J{number}", "judgement", max_mark, tuple(D(s) for s in scores)))
        else:
            within = st.decimals(min_value=0, max_value=max_mark, places=2)
            values = draw(st.lists(within, min_size=judges, max_size=judges))
            result.append(CriterionMarks(f"M{number}", "measurement", max_mark, tuple(values)))
    return result


@given(criteria_within_range(), st.sampled_from(AGGREGATIONS))
def test_practical_score_is_between_0_and_100(criteria, rule):
    assert D("0.00") <= practical_score(criteria, rule) <= D("100.00")


@given(criteria_within_range(), st.sampled_from(AGGREGATIONS))
def test_practical_score_is_the_rounded_share_of_the_max(criteria, rule):
    earned = sum(criterion_mark(criterion, rule) for criterion in criteria)
    total_max = sum(Fraction(criterion.max_mark) for criterion in criteria)
    assert abs(Fraction(practical_score(criteria, rule)) - earned / total_max * 100) <= F(1, 200)


# --- total_score ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("theory", "practical", "theory_weight", "practical_weight", "expected"),
    [
        # 88.885 -> 88.89 and 76.124 -> 76.12; 88.89 × 0.3 + 76.12 × 0.7 = 26.667 + 53.284 = 79.951.
        (D("88.885"), D("76.124"), D("0.3"), D("0.7"), D("79.95")),
        # From the rounded parts 80.01 and 80.00 the total is 80.005 -> 80.01; unrounded it would be 80.00.
        (D("80.005"), D("80.004"), D("0.5"), D("0.5"), D("80.01")),
        (D("80.004"), D("80.005"), D("0.5"), D("0.5"), D("80.01")),
        (D("90.00"), D("80.00"), D("0.3"), D("0.7"), D("83.00")),
        (D("100"), D("100"), D("0.3"), D("0.7"), D("100.00")),
        (D("0"), D("0"), D("0.3"), D("0.7"), D("0.00")),
        # Practical-only events: theory weight 0, theory absent or ignored.
        (None, D("76.124"), D("0"), D("1"), D("76.12")),
        (None, D("84.995"), D("0"), D("1"), D("85.00")),
        (D("12.34"), D("76.12"), D("0"), D("1"), D("76.12")),
        (None, D("76.12"), D("0.00"), D("1.00"), D("76.12")),
    ],
)
def test_total_score(theory, practical, theory_weight, practical_weight, expected):
    result = total_score(theory, practical, theory_weight, practical_weight)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_theory_is_needed_when_it_carries_weight():
    with pytest.raises(ValueError, match="theory"):
        total_score(None, D("80"), D("0.3"), D("0.7"))


@pytest.mark.parametrize(("theory_weight", "practical_weight"), [(D("-0.3"), D("1.3")), (D("0.3"), D("-0.7"))])
def test_weights_must_not_be_negative(theory_weight, practical_weight):
    with pytest.raises(ValueError, match="negative"):
        total_score(D("80"), D("80"), theory_weight, practical_weight)


percentages = st.decimals(min_value=0, max_value=100, places=3)


@given(percentages, percentages, st.integers(min_value=0, max_value=100))
def test_total_lies_between_the_rounded_parts(theory, practical, theory_percent):
    theory_weight = D(theory_percent) / 100
    total = total_score(theory, practical, theory_weight, 1 - theory_weight)
    parts = (round_half_up(theory), round_half_up(practical))
    assert min(parts) <= total <= max(parts)


# --- mark_problem -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "max_mark", "step", "value", "expected"),
    [
        ("measurement", "10", "0.5", "0", None),
        ("measurement", "10", "0.5", "9.5", None),
        ("measurement", "10", "0.5", "9.50", None),
        ("measurement", "10", "0.5", "10", None),
        ("measurement", "10", "0.5", "-0", None),
        ("measurement", "10", "0.5", "9.25", "off_step"),
        ("measurement", "10", "0.5", "0.1", "off_step"),
        ("measurement", "10", "0.5", "10.5", "above_max"),
        ("measurement", "10", "0.5", "10.25", "above_max"),  # above the max wins over off the step
        ("measurement", "10", "0.5", "-0.5", "negative"),
        ("measurement", "10", "0.5", "-0.25", "negative"),
        ("measurement", "10", "0.1", "0.3", None),  # 0.3 is three steps exactly (it would not be in floats)
        ("measurement", "10", "0.01", "3.14", None),
        ("measurement", "10", "0.01", "3.141", "off_step"),
        ("measurement", "10", "1", "3.0", None),
        ("measurement", "10", "1", "3.5", "off_step"),
        ("measurement", "10", "0.5", "NaN", "not_a_number"),
        ("measurement", "10", "0.5", "sNaN", "not_a_number"),
        ("measurement", "10", "0.5", "Infinity", "not_a_number"),
        ("measurement", "10", "0.5", "-Infinity", "not_a_number"),
        ("judgement", "10", "1", "0", None),
        ("judgement", "10", "1", "1", None),
        ("judgement", "10", "1", "2", None),
        ("judgement", "10", "1", "3", None),
        ("judgement", "10", "1", "2.0", None),
        ("judgement", "10", "1", "3.00", None),
        ("judgement", "2", "1", "3", None),  # a score, not a mark: the criterion's max does not limit it
        ("judgement", "10", "1", "4", "not_a_score"),
        ("judgement", "10", "1", "-1", "not_a_score"),
        ("judgement", "10", "1", "1.5", "not_a_score"),
        ("judgement", "10", "1", "10", "not_a_score"),
        ("judgement", "10", "1", "NaN", "not_a_number"),
        ("judgement", "10", "1", "Infinity", "not_a_number"),
    ],
)
def test_mark_problem(kind, max_mark, step, value, expected):
    assert mark_problem(kind, D(max_mark), D(step), D(value)) == expected


@pytest.mark.parametrize("step", ["0", "-0.5"])
def test_mark_problem_needs_a_positive_step(step):
    with pytest.raises(ValueError, match="step"):
        mark_problem("measurement", D("10"), D(step), D("5"))


def test_mark_problem_refuses_unknown_kinds():
    with pytest.raises(ValueError, match="kind"):
        mark_problem("estimate", D("10"), D("1"), D("5"))


@given(
    st.decimals(min_value="0.01", max_value=100, places=2),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=1, max_value=10_000),
)
def test_whole_steps_up_to_the_max_are_fine(step, steps, steps_to_max):
    max_mark = step * steps_to_max
    value = step * steps
    expected = None if steps <= steps_to_max else "above_max"
    assert mark_problem("measurement", max_mark, step, value) == expected


# --- is_discrepant ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "max_mark", "marks", "share", "expected"),
    [
        ("judgement", "10", ["1", "2"], "0.2", False),  # a difference of exactly 1 is allowed
        ("judgement", "10", ["1", "3"], "0.2", True),
        ("judgement", "10", ["0", "3"], "0.2", True),
        ("judgement", "10", ["0", "1", "1", "0"], "0.2", False),
        ("judgement", "10", ["2", "1", "3", "2"], "0.2", True),
        ("judgement", "10", ["2.0", "1"], "0.2", False),
        ("judgement", "10", ["2"], "0.2", False),
        ("judgement", "10", [], "0.2", False),
        # Measurement: allowed spread is share × max = 0.2 × 10 = 2.
        ("measurement", "10", ["5", "7"], "0.2", False),
        ("measurement", "10", ["7", "5", "6"], "0.2", False),
        ("measurement", "10", ["5", "7.01"], "0.2", True),
        ("measurement", "10", ["5", "7.5"], "0.2", True),
        ("measurement", "10", ["4", "5.5"], "0.15", False),
        ("measurement", "10", ["4", "5.6"], "0.15", True),
        ("measurement", "30", ["10", "20"], "0.1", True),
        ("measurement", "30", ["10", "13"], "0.1", False),
        ("measurement", "10", ["3"], "0.2", False),
        ("measurement", "10", [], "0.2", False),
    ],
)
def test_is_discrepant(kind, max_mark, marks, share, expected):
    assert is_discrepant(kind, D(max_mark), [D(mark) for mark in marks], D(share)) is expected


def test_is_discrepant_refuses_unknown_kinds():
    with pytest.raises(ValueError, match="kind"):
        is_discrepant("estimate", D("10"), [D("1"), D("9")], D("0.2"))


@given(
    st.lists(st.decimals(min_value=0, max_value=10, places=2), min_size=2, max_size=7),
    st.decimals(min_value=0, max_value=1, places=2),
    st.randoms(use_true_random=False),
)
def test_discrepancy_does_not_depend_on_judge_order(values, share, random):
    shuffled = list(values)
    random.shuffle(shuffled)
    assert is_discrepant("measurement", D("10"), shuffled, share) == is_discrepant(
        "measurement", D("10"), values, share
    )
    assert is_discrepant("measurement", D("10"), values, share) == (max(values) - min(values) > share * 10)
