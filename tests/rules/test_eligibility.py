"""Eligibility checks, table-driven."""

from datetime import date, datetime

import pytest

from compete.rules.eligibility import Applicant, Failure, Requirements, check, window_state

DAY = date(2026, 12, 15)


@pytest.mark.parametrize(
    ("requirements", "applicant", "approved", "expected"),
    [
        (Requirements(DAY), Applicant(date(2000, 1, 1)), 0, []),
        # Age on the competition date, birthday counted on the day itself.
        (Requirements(DAY, min_age=18), Applicant(date(2008, 12, 15)), 0, []),
        (
            Requirements(DAY, min_age=18),
            Applicant(date(2008, 12, 16)),
            0,
            [Failure("too_young", {"age": 17, "min_age": 18})],
        ),
        (Requirements(DAY, max_age=35), Applicant(date(1991, 12, 16)), 0, []),
        (Requirements(DAY, max_age=35), Applicant(date(1991, 12, 15)), 0, []),
        (
            Requirements(DAY, max_age=35),
            Applicant(date(1990, 12, 15)),
            0,
            [Failure("too_old", {"age": 36, "max_age": 35})],
        ),
        # Grade: at least the required one.
        (Requirements(DAY, required_grade="g3"), Applicant(date(1990, 1, 1), "g3"), 0, []),
        (Requirements(DAY, required_grade="g3"), Applicant(date(1990, 1, 1), "g2"), 0, []),
        (
            Requirements(DAY, required_grade="g3"),
            Applicant(date(1990, 1, 1), "g4"),
            0,
            [Failure("grade", {"grade": "g4", "required_grade": "g3"})],
        ),
        (
            Requirements(DAY, required_grade="g5"),
            Applicant(date(1990, 1, 1)),
            0,
            [Failure("grade", {"grade": "none", "required_grade": "g5"})],
        ),
        # Region: any shared region, so a county unit qualifies for a city-wide event.
        (
            Requirements(DAY, region_ids=frozenset({2})),
            Applicant(date(1990, 1, 1), region_ids=frozenset({1, 2, 3})),
            0,
            [],
        ),
        (
            Requirements(DAY, region_ids=frozenset({2})),
            Applicant(date(1990, 1, 1), region_ids=frozenset({1, 9})),
            0,
            [Failure("region")],
        ),
        (Requirements(DAY, region_ids=frozenset({2})), Applicant(date(1990, 1, 1)), 0, [Failure("region")]),
        # Capacity counts the others already approved.
        (Requirements(DAY, capacity=2), Applicant(date(1990, 1, 1)), 1, []),
        (
            Requirements(DAY, capacity=2),
            Applicant(date(1990, 1, 1)),
            2,
            [Failure("capacity", {"approved": 2, "capacity": 2})],
        ),
        # Every failing check is reported, in a fixed order.
        (
            Requirements(DAY, min_age=18, required_grade="g3", region_ids=frozenset({2}), capacity=0),
            Applicant(date(2010, 1, 1), "none"),
            0,
            [
                Failure("too_young", {"age": 16, "min_age": 18}),
                Failure("grade", {"grade": "none", "required_grade": "g3"}),
                Failure("region"),
                Failure("capacity", {"approved": 0, "capacity": 0}),
            ],
        ),
    ],
)
def test_check(requirements, applicant, approved, expected):
    assert check(requirements, applicant, approved_count=approved) == expected


@pytest.mark.parametrize(
    ("opens", "closes", "now", "state"),
    [
        (None, None, datetime(2026, 11, 1), "not_open"),
        (datetime(2026, 10, 1), None, datetime(2026, 11, 1), "not_open"),
        (datetime(2026, 10, 1), datetime(2026, 12, 1), datetime(2026, 9, 30, 23, 59), "not_open"),
        (datetime(2026, 10, 1), datetime(2026, 12, 1), datetime(2026, 10, 1), "open"),
        (datetime(2026, 10, 1), datetime(2026, 12, 1), datetime(2026, 11, 30, 23, 59), "open"),
        (datetime(2026, 10, 1), datetime(2026, 12, 1), datetime(2026, 12, 1), "closed"),
    ],
)
def test_window_state(opens, closes, now, state):
    assert window_state(opens, closes, now) == state
