"""Tests for awards: places, medals and prize shares by rank, their cutoffs, and the pass mark."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compete.rules.awards import AWARD_NAMES, AWARD_SCHEMES, award, cutoffs

PLACES = {"first": 1, "second": 2, "third": 3}
MEDALS = {"gold": 1, "silver": 2, "bronze": 3}

# Every scheme at N = 0, 1, 2, 3, 5, 7, 10, 11, 20, 29, 30 ranked entrants, spelled out.
CUTOFFS = [
    ("places", 0, {}),
    ("places", 1, {"first": 1}),
    ("places", 2, {"first": 1, "second": 2}),
    ("places", 3, PLACES),
    ("places", 5, PLACES),
    ("places", 7, PLACES),
    ("places", 10, PLACES),
    ("places", 11, PLACES),
    ("places", 20, PLACES),
    ("places", 29, PLACES),
    ("places", 30, PLACES),
    ("medals", 0, {}),
    ("medals", 1, {"gold": 1}),
    ("medals", 2, {"gold": 1, "silver": 2}),
    ("medals", 3, MEDALS),
    ("medals", 5, MEDALS),  # ⌊5/2⌋ = 2: the upper half is all medallists
    ("medals", 7, MEDALS),  # ⌊7/2⌋ = 3: still no room for excellence
    ("medals", 10, {**MEDALS, "excellence": 5}),
    ("medals", 11, {**MEDALS, "excellence": 5}),
    ("medals", 20, {**MEDALS, "excellence": 10}),
    ("medals", 29, {**MEDALS, "excellence": 14}),
    ("medals", 30, {**MEDALS, "excellence": 15}),
    ("prize_shares", 0, {}),
    ("prize_shares", 1, {"prize-1": 1}),  # max(1, 0): the top prize always goes to someone
    ("prize_shares", 2, {"prize-1": 1}),  # ⌊0.6⌋ = 0 and ⌊1.2⌋ = 1: nothing left for prize-2 or prize-3
    ("prize_shares", 3, {"prize-1": 1}),  # ⌊0.9⌋ = 0, ⌊1.8⌋ = 1
    ("prize_shares", 5, {"prize-1": 1, "prize-3": 3}),  # ⌊1.5⌋ = 1 is taken by prize-1; ⌊3⌋ = 3
    ("prize_shares", 7, {"prize-1": 1, "prize-2": 2, "prize-3": 4}),  # ⌊2.1⌋, ⌊4.2⌋
    ("prize_shares", 10, {"prize-1": 1, "prize-2": 3, "prize-3": 6}),
    ("prize_shares", 11, {"prize-1": 1, "prize-2": 3, "prize-3": 6}),  # ⌊1.1⌋, ⌊3.3⌋, ⌊6.6⌋
    ("prize_shares", 20, {"prize-1": 2, "prize-2": 6, "prize-3": 12}),
    ("prize_shares", 29, {"prize-1": 2, "prize-2": 8, "prize-3": 17}),  # ⌊2.9⌋, ⌊8.7⌋, ⌊17.4⌋
    ("prize_shares", 30, {"prize-1": 3, "prize-2": 9, "prize-3": 18}),
]


@pytest.mark.parametrize(
    ("scheme", "ranked_entrants", "expected"),
    [pytest.param(scheme, count, expected, id=f"{scheme}-{count}") for scheme, count, expected in CUTOFFS],
)
def test_cutoffs(scheme, ranked_entrants, expected):
    result = cutoffs(scheme, ranked_entrants)
    assert result == expected
    assert list(result) == [name for name in AWARD_NAMES[scheme] if name in result]  # best award first


@pytest.mark.parametrize(
    ("scheme", "ranked_entrants", "expected"),
    [pytest.param(scheme, count, expected, id=f"{scheme}-{count}") for scheme, count, expected in CUTOFFS],
)
def test_award_uses_the_cutoffs(scheme, ranked_entrants, expected):
    previous = 0
    wanted = {}
    for name, last in expected.items():
        wanted |= dict.fromkeys(range(previous + 1, last + 1), name)
        previous = last
    assert [award(scheme, r, ranked_entrants) for r in range(1, ranked_entrants + 1)] == [
        wanted.get(r) for r in range(1, ranked_entrants + 1)
    ]


@pytest.mark.parametrize(
    ("scheme", "ranked_entrants", "awards"),
    [
        pytest.param("places", 5, ["first", "second", "third", None, None], id="places-5"),
        pytest.param("medals", 7, ["gold", "silver", "bronze", None, None, None, None], id="medals-7"),
        pytest.param(
            "medals",
            10,
            ["gold", "silver", "bronze", "excellence", "excellence", None, None, None, None, None],
            id="medals-10",
        ),
        pytest.param(
            "prize_shares",
            10,
            ["prize-1", "prize-2", "prize-2", "prize-3", "prize-3", "prize-3", None, None, None, None],
            id="prize-shares-10",
        ),
        pytest.param("prize_shares", 5, ["prize-1", "prize-3", "prize-3", None, None], id="prize-shares-5"),
        pytest.param("prize_shares", 1, ["prize-1"], id="prize-shares-1"),
    ],
)
def test_award_for_each_rank(scheme, ranked_entrants, awards):
    assert [award(scheme, r, ranked_entrants) for r in range(1, ranked_entrants + 1)] == awards


@pytest.mark.parametrize(
    ("scheme", "ranks", "ranked_entrants", "expected"),
    [
        pytest.param("medals", [1, 1, 3], 3, ["gold", "gold", "bronze"], id="medals-1-1-3"),
        pytest.param("medals", [1, 2, 2, 4], 4, ["gold", "silver", "silver", None], id="medals-1-2-2-4"),
        pytest.param(
            "medals", [1, 2, 2, 4, 5], 10, ["gold", "silver", "silver", "excellence", "excellence"], id="medals-N10"
        ),
        pytest.param("medals", [1, 1, 1, 4], 8, ["gold", "gold", "gold", "excellence"], id="three-golds"),
        pytest.param("places", [1, 1, 3], 3, ["first", "first", "third"], id="places-1-1-3"),
        pytest.param("prize_shares", [1, 1, 3], 10, ["prize-1", "prize-1", "prize-2"], id="prize-shares-1-1-3"),
    ],
)
def test_shared_ranks_follow_the_rank(scheme, ranks, ranked_entrants, expected):
    assert [award(scheme, r, ranked_entrants) for r in ranks] == expected


@pytest.mark.parametrize("scheme", AWARD_SCHEMES)
def test_below_the_pass_mark_there_is_no_award(scheme):
    assert award(scheme, 1, 10, passed=False) is None
    assert award(scheme, 1, 10, passed=True) is not None


@pytest.mark.parametrize("scheme", AWARD_SCHEMES)
@pytest.mark.parametrize("passed", [True, False])
def test_unranked_gets_no_award(scheme, passed):
    assert award(scheme, None, 10, passed=passed) is None
    assert award(scheme, None, 0, passed=passed) is None


@pytest.mark.parametrize("scheme", ["Medals", "prizes", "", "prize-shares"])
def test_unknown_scheme_is_refused(scheme):
    with pytest.raises(ValueError, match="unknown award scheme"):
        award(scheme, 1, 10)
    with pytest.raises(ValueError, match="unknown award scheme"):
        award(scheme, None, 10)
    with pytest.raises(ValueError, match="unknown award scheme"):
        cutoffs(scheme, 10)


@pytest.mark.parametrize(
    ("rank", "ranked_entrants", "error", "match"),
    [
        pytest.param(0, 10, ValueError, "at least 1", id="rank-0"),
        pytest.param(-1, 10, ValueError, "at least 1", id="rank-negative"),
        pytest.param(11, 10, ValueError, "beyond", id="rank-beyond-N"),
        pytest.param(1, 0, ValueError, "beyond", id="rank-with-nobody-ranked"),
        pytest.param(1, -1, ValueError, "at least 0", id="negative-N"),
        pytest.param(True, 10, TypeError, "int", id="rank-bool"),
        pytest.param(1.0, 10, TypeError, "int", id="rank-float"),
        pytest.param(1, 10.0, TypeError, "int", id="N-float"),
    ],
)
def test_impossible_ranks_are_refused(rank, ranked_entrants, error, match):
    with pytest.raises(error, match=match):
        award("medals", rank, ranked_entrants)


def test_award_names_cover_the_schemes():
    assert set(AWARD_NAMES) == set(AWARD_SCHEMES)


# --- properties -------------------------------------------------------------------------------------


def worth(scheme: str, name: str | None) -> int:
    """Position in the scheme's list, best first; no award comes last."""
    names = AWARD_NAMES[scheme]
    return len(names) if name is None else names.index(name)


@settings(max_examples=200)
@given(st.sampled_from(AWARD_SCHEMES), st.integers(min_value=0, max_value=500))
def test_a_better_rank_never_gets_a_lesser_award(scheme, ranked_entrants):
    awards = [award(scheme, r, ranked_entrants) for r in range(1, ranked_entrants + 1)]
    worths = [worth(scheme, name) for name in awards]
    assert worths == sorted(worths)
    if scheme == "prize_shares" and ranked_entrants >= 1:
        assert awards.count("prize-1") >= 1
    # cutoffs() describes exactly who gets what.
    limits = cutoffs(scheme, ranked_entrants)
    for name in AWARD_NAMES[scheme]:
        if name in limits:
            assert awards.count(name) >= 1
            assert max(r for r, got in enumerate(awards, 1) if got == name) == limits[name]
        else:
            assert name not in awards


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=1000))
def test_prize_shares_follow_the_rounded_down_shares(ranked_entrants):
    awards = [award("prize_shares", r, ranked_entrants) for r in range(1, ranked_entrants + 1)]
    assert awards.count("prize-1") == max(1, ranked_entrants // 10)
    awarded = len([name for name in awards if name is not None])
    assert awarded == max(1, ranked_entrants * 6 // 10)
    assert awards.count("prize-1") + awards.count("prize-2") == max(1, ranked_entrants * 3 // 10)


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=1000))
def test_medals_go_to_the_top_three_and_the_upper_half(ranked_entrants):
    awards = [award("medals", r, ranked_entrants) for r in range(1, ranked_entrants + 1)]
    assert awards[:3] == ["gold", "silver", "bronze"][:ranked_entrants]
    assert len([name for name in awards if name is not None]) == max(min(3, ranked_entrants), ranked_entrants // 2)


@settings(max_examples=200)
@given(st.sampled_from(AWARD_SCHEMES), st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=60))
def test_with_shared_ranks_a_better_rank_never_gets_a_lesser_award(scheme, ranks):
    ranked_entrants = max(len(ranks), max(ranks))
    ordered = sorted(ranks)
    worths = [worth(scheme, award(scheme, r, ranked_entrants)) for r in ordered]
    assert worths == sorted(worths)
