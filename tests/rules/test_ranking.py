"""Tests for ranking: the tie-break chain, shared ranks, arbitration of exact ties and unrankable competitors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compete.rules.ranking import ARBITRATION, TIE_BREAK_KEYS, Placing, Ranking, Standing, rank

D = Decimal
CHAIN = ("total", "time", "practical", "theory")


def standing(key, total=None, practical=None, theory=None, time=None, *, rankable=True) -> Standing:
    def figure(value):
        return None if value is None else D(value)

    return Standing(key, figure(total), figure(practical), figure(theory), figure(time), rankable)


def placings(ranking: Ranking) -> list[tuple]:
    return [(placing.key, placing.rank, placing.tied, placing.separated_by) for placing in ranking.placings]


# --- table: shared ranks allowed --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("standings", "tie_breaks", "expected"),
    [
        pytest.param(
            [standing("A", "90"), standing("B", "85"), standing("C", "85"), standing("D", "80")],
            ("total",),
            [("A", 1, False, None), ("B", 2, True, None), ("C", 2, True, None), ("D", 4, False, "total")],
            id="1-2-2-4",
        ),
        pytest.param(
            [standing("A", "85"), standing("B", "85"), standing("C", "85")],
            ("total",),
            [("A", 1, True, None), ("B", 1, True, None), ("C", 1, True, None)],
            id="all-tied-at-1",
        ),
        pytest.param(
            # Input order scrambled on purpose: the chain decides, not the position.
            [
                standing("E", "79", "99", "99", "10"),
                standing("C", "80", "85", "95", "55"),
                standing("A", "80", "80", "80", "50"),
                standing("D", "80", "85", "90", "55"),
                standing("B", "80", "90", "90", "55"),
            ],
            CHAIN,
            [
                ("A", 1, False, None),
                ("B", 2, False, "time"),  # same total, more minutes
                ("C", 3, False, "practical"),  # same total and time, less practical
                ("D", 4, False, "theory"),  # same total, time and practical, less theory
                ("E", 5, False, "total"),  # fastest and best parts, but a lower total comes first in the chain
            ],
            id="full-chain-each-key-separates",
        ),
        pytest.param(
            [standing("A", "80", time=None), standing("B", "80", time="60")],
            ("total", "time"),
            [("B", 1, False, None), ("A", 2, False, "time")],
            id="no-time-is-worst",
        ),
        pytest.param(
            [standing("A", "80", time="999"), standing("B", "80", time=None), standing("C", "80", time="0")],
            ("total", "time"),
            [("C", 1, False, None), ("A", 2, False, "time"), ("B", 3, False, "time")],
            id="no-time-worse-than-any-time",
        ),
        pytest.param(
            [standing("A", "80", time=None), standing("B", "80", time=None)],
            ("total", "time"),
            [("A", 1, True, None), ("B", 1, True, None)],
            id="both-without-time-tie",
        ),
        pytest.param(
            [standing("A", None), standing("B", "0.00")],
            ("total",),
            [("B", 1, False, None), ("A", 2, False, "total")],
            id="no-total-is-worst",
        ),
        pytest.param(
            [standing("A", "80.0"), standing("B", "80.00"), standing("C", "80")],
            ("total",),
            [("A", 1, True, None), ("B", 1, True, None), ("C", 1, True, None)],
            id="equal-values-different-scale-tie",
        ),
        pytest.param(
            [standing("A", "80", "70"), standing("B", "80", "90"), standing("C", "81", "60")],
            ("total", "practical"),
            [("C", 1, False, None), ("B", 2, False, "total"), ("A", 3, False, "practical")],
            id="practical-breaks-a-total-tie",
        ),
        pytest.param(
            [standing("A", "80", "70"), standing("B", "80", "90"), standing("C", "81", "60")],
            ("practical", "total"),
            [("B", 1, False, None), ("A", 2, False, "practical"), ("C", 3, False, "practical")],
            id="chain-order-matters",
        ),
        pytest.param(
            [standing("A", "80", "70", "60"), standing("B", "80", "70", "60")],
            ("total", "practical", "theory"),
            [("A", 1, True, None), ("B", 1, True, None)],
            id="equal-on-every-key-tie",
        ),
        pytest.param(
            [standing("A", "80", "70"), standing("B", "80", "90"), standing("C", "70", "95")],
            ("total",),
            [("A", 1, True, None), ("B", 1, True, None), ("C", 3, False, "total")],
            id="keys-outside-the-chain-are-ignored",
        ),
        pytest.param(
            [
                standing("X", "99", rankable=False),
                standing("A", "90"),
                standing("Y", None, rankable=False),
                standing("B", "80"),
            ],
            ("total",),
            [("A", 1, False, None), ("B", 2, False, "total"), ("X", None, False, None), ("Y", None, False, None)],
            id="unrankable-unranked-and-not-counted",
        ),
        pytest.param(
            [standing("A", "90"), standing("Y", rankable=False), standing("X", rankable=False)],
            ("total",),
            [("A", 1, False, None), ("Y", None, False, None), ("X", None, False, None)],
            id="unrankable-keep-input-order",
        ),
        pytest.param(
            [standing("X", "90", rankable=False)],
            ("total",),
            [("X", None, False, None)],
            id="only-unrankable",
        ),
        pytest.param([], ("total",), [], id="nobody"),
        pytest.param(
            [standing("A", "90"), standing("B", "85"), standing("C", "85"), standing("D", "85"), standing("E", "80")],
            ("total",),
            [
                ("A", 1, False, None),
                ("B", 2, True, None),
                ("C", 2, True, None),
                ("D", 2, True, None),
                ("E", 5, False, "total"),
            ],
            id="1-2-2-2-5",
        ),
    ],
)
def test_rank_with_shared_ranks(standings, tie_breaks, expected):
    ranking = rank(standings, tie_breaks)
    assert placings(ranking) == expected
    assert ranking.unresolved_ties == ()


# --- table: shared ranks forbidden (排名不并列) -------------------------------------------------------

FIELD = [standing("A", "90"), standing("C", "85"), standing("B", "85"), standing("D", "80")]


@pytest.mark.parametrize(
    ("standings", "decided_orders", "expected", "unresolved"),
    [
        pytest.param(
            FIELD,
            (),
            [("A", 1, False, None), ("C", 2, True, None), ("B", 2, True, None), ("D", 4, False, "total")],
            [("C", "B")],  # in input order
            id="unresolved-without-decision",
        ),
        pytest.param(
            FIELD,
            [("B", "C")],
            [("A", 1, False, None), ("B", 2, False, "total"), ("C", 3, False, ARBITRATION), ("D", 4, False, "total")],
            [],
            id="decided-order",
        ),
        pytest.param(
            FIELD,
            [["C", "B"]],
            [("A", 1, False, None), ("C", 2, False, "total"), ("B", 3, False, ARBITRATION), ("D", 4, False, "total")],
            [],
            id="decided-order-as-list",
        ),
        pytest.param(
            [standing("A", "90"), standing("B", "90"), standing("C", "80")],
            [("B", "A")],
            [("B", 1, False, None), ("A", 2, False, ARBITRATION), ("C", 3, False, "total")],
            [],
            id="decided-order-at-the-top",
        ),
        pytest.param(
            FIELD,
            [("D", "A")],
            [("A", 1, False, None), ("C", 2, True, None), ("B", 2, True, None), ("D", 4, False, "total")],
            [("C", "B")],
            id="decision-for-non-tied-set-ignored",
        ),
        pytest.param(
            FIELD,
            [("A", "B", "C")],
            [("A", 1, False, None), ("C", 2, True, None), ("B", 2, True, None), ("D", 4, False, "total")],
            [("C", "B")],
            id="decision-for-a-superset-ignored",
        ),
        pytest.param(
            [standing("A", "85"), standing("B", "85"), standing("C", "85")],
            [("B", "A")],
            [("A", 1, True, None), ("B", 1, True, None), ("C", 1, True, None)],
            [("A", "B", "C")],
            id="decision-for-part-of-a-group-ignored",
        ),
        pytest.param(
            [standing("A", "85"), standing("B", "85"), standing("C", "85")],
            [("C", "A", "B")],
            [("C", 1, False, None), ("A", 2, False, ARBITRATION), ("B", 3, False, ARBITRATION)],
            [],
            id="three-way-decision",
        ),
        pytest.param(
            [standing("A", "85"), standing("B", "85"), standing("Z", "85")],
            [("B", "A"), ("Z", "Q")],
            [("A", 1, True, None), ("B", 1, True, None), ("Z", 1, True, None)],
            [("A", "B", "Z")],
            id="decisions-naming-strangers-ignored",
        ),
        pytest.param(
            [
                standing("E", "70"),
                standing("A", "90"),
                standing("F", "70"),
                standing("B", "90"),
                standing("C", "80"),
            ],
            [("F", "E")],
            [
                ("A", 1, True, None),
                ("B", 1, True, None),
                ("C", 3, False, "total"),
                ("F", 4, False, "total"),
                ("E", 5, False, ARBITRATION),
            ],
            [("A", "B")],
            id="one-group-decided-one-not",
        ),
        pytest.param(
            [standing("E", "70"), standing("A", "90"), standing("F", "70"), standing("B", "90")],
            (),
            [("A", 1, True, None), ("B", 1, True, None), ("E", 3, True, None), ("F", 3, True, None)],
            [("A", "B"), ("E", "F")],  # groups best first
            id="two-unresolved-groups",
        ),
        pytest.param(
            [standing("A", "90"), standing("X", "90", rankable=False), standing("B", "80")],
            (),
            [("A", 1, False, None), ("B", 2, False, "total"), ("X", None, False, None)],
            [],
            id="no-ties-nothing-to-resolve",
        ),
    ],
)
def test_rank_without_shared_ranks(standings, decided_orders, expected, unresolved):
    ranking = rank(standings, ("total", "time"), shared_ranks=False, decided_orders=decided_orders)
    assert placings(ranking) == expected
    assert ranking.unresolved_ties == tuple(unresolved)


def test_decided_orders_are_not_used_when_ranks_may_be_shared():
    ranking = rank(FIELD, ("total",), decided_orders=[("B", "C")])
    assert placings(ranking) == [
        ("A", 1, False, None),
        ("C", 2, True, None),
        ("B", 2, True, None),
        ("D", 4, False, "total"),
    ]
    assert ranking.unresolved_ties == ()


def test_decided_order_separates_its_first_by_the_key_that_separates_it_from_above():
    standings = [standing("A", "90", time="30"), standing("B", "90", time="40"), standing("C", "90", time="40")]
    ranking = rank(standings, ("total", "time"), shared_ranks=False, decided_orders=[("C", "B")])
    assert placings(ranking) == [("A", 1, False, None), ("C", 2, False, "time"), ("B", 3, False, ARBITRATION)]


def test_rank_returns_frozen_values():
    ranking = rank([standing("A", "90")], ("total",))
    assert ranking == Ranking((Placing("A", 1, False, None),), ())
    assert isinstance(ranking.placings, tuple)


def test_rank_accepts_any_iterable_of_standings():
    ranking = rank((s for s in [standing("A", "80"), standing("B", "90")]), ["total"])
    assert [placing.key for placing in ranking.placings] == ["B", "A"]


@pytest.mark.parametrize("tie_breaks", [(key,) for key in TIE_BREAK_KEYS] + [TIE_BREAK_KEYS])
def test_every_tie_break_key_is_accepted(tie_breaks):
    assert rank([standing("A", "80", "80", "80", "80")], tie_breaks).placings[0].rank == 1


# --- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tie_breaks", "match"),
    [
        pytest.param(("total", "score"), "unknown tie-break key", id="unknown"),
        pytest.param(("Total",), "unknown tie-break key", id="wrong-case"),
        pytest.param(("time_minutes",), "unknown tie-break key", id="field-name-not-key"),
        pytest.param(("total", "time", "total"), "once", id="repeated"),
        pytest.param((), "at least one", id="empty"),
    ],
)
def test_bad_tie_breaks_are_refused(tie_breaks, match):
    with pytest.raises(ValueError, match=match):
        rank([standing("A", "80")], tie_breaks)


def test_bad_tie_breaks_are_refused_even_with_nobody_to_rank():
    with pytest.raises(ValueError, match="unknown"):
        rank([], ("points",))


def test_a_competitor_may_appear_only_once():
    with pytest.raises(ValueError, match="once"):
        rank([standing("A", "80"), standing("A", "70", rankable=False)], ("total",))


@pytest.mark.parametrize(
    ("decided_orders", "match"),
    [
        pytest.param([("B", "B", "C")], "once", id="repeated-competitor"),
        pytest.param([("B", "C"), ("C", "B")], "two different", id="conflicting"),
    ],
)
def test_malformed_decided_orders_are_refused(decided_orders, match):
    with pytest.raises(ValueError, match=match):
        rank(FIELD, ("total",), shared_ranks=False, decided_orders=decided_orders)


def test_the_same_decided_order_twice_is_fine():
    ranking = rank(FIELD, ("total",), shared_ranks=False, decided_orders=[("B", "C"), ("B", "C")])
    assert ranking.unresolved_ties == ()


def test_float_figures_are_refused():
    with pytest.raises(TypeError, match="Decimal"):
        rank([Standing("A", 80.5, None, None, None), standing("B", "80")], ("total",))


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_figures_are_refused(value):
    with pytest.raises(ValueError, match="finite"):
        rank([standing("A", "80", time=value), standing("B", "80")], ("total", "time"))


def test_figures_of_unrankable_competitors_are_not_compared():
    ranking = rank([Standing("X", 80.5, None, None, None, rankable=False)], ("total",))
    assert placings(ranking) == [("X", None, False, None)]


# --- properties -------------------------------------------------------------------------------------

# Few distinct values, so that ties (including equal values written with different scales) are common.
figures = st.one_of(st.none(), st.sampled_from([D("0.00"), D("60.00"), D("70.5"), D("70.50"), D("85.00"), D("100")]))


@st.composite
def fields(draw, min_size=0):
    count = draw(st.integers(min_value=min_size, max_value=8))
    return [
        Standing(
            key,
            draw(figures),
            draw(figures),
            draw(figures),
            draw(figures),
            draw(st.sampled_from([True, True, True, False])),  # mostly rankable
        )
        for key in range(count)
    ]


@st.composite
def chains(draw, first=None):
    rest = [key for key in TIE_BREAK_KEYS if key != first]
    order = draw(st.permutations(rest))
    length = draw(st.integers(min_value=0 if first else 1, max_value=len(rest)))
    return ((first,) if first else ()) + tuple(order[:length])


def outcome(ranking: Ranking) -> dict:
    return {placing.key: (placing.rank, placing.tied, placing.separated_by) for placing in ranking.placings}


@settings(max_examples=200)
@given(fields(), chains(), st.booleans(), st.randoms(use_true_random=False))
def test_input_order_never_changes_anyones_placing(standings, tie_breaks, shared_ranks, random):
    shuffled = list(standings)
    random.shuffle(shuffled)
    first = rank(standings, tie_breaks, shared_ranks=shared_ranks)
    second = rank(shuffled, tie_breaks, shared_ranks=shared_ranks)
    assert outcome(first) == outcome(second)
    assert {frozenset(group) for group in first.unresolved_ties} == {
        frozenset(group) for group in second.unresolved_ties
    }
    # Ranked ones come first, best first, and the unrankable ones follow.
    ranks = [placing.rank for placing in first.placings]
    ranked = [value for value in ranks if value is not None]
    assert ranks == ranked + [None] * (len(ranks) - len(ranked))
    assert ranked == sorted(ranked)


@settings(max_examples=200)
@given(fields(), chains(), st.randoms(use_true_random=False), st.booleans())
def test_decided_orders_resolve_every_tie_whatever_the_input_order(standings, tie_breaks, random, reverse):
    unresolved = rank(standings, tie_breaks, shared_ranks=False).unresolved_ties
    decided = [tuple(reversed(group)) if reverse else group for group in unresolved]
    shuffled = list(standings)
    random.shuffle(shuffled)
    first = rank(standings, tie_breaks, shared_ranks=False, decided_orders=decided)
    second = rank(shuffled, tie_breaks, shared_ranks=False, decided_orders=decided)
    assert first.unresolved_ties == second.unresolved_ties == ()
    assert outcome(first) == outcome(second)
    ranked = [placing.rank for placing in first.placings if placing.rank is not None]
    assert ranked == list(range(1, len(ranked) + 1))
    assert not any(placing.tied for placing in first.placings)


@settings(max_examples=200)
@given(fields(min_size=1), chains(first="total"), st.booleans(), st.data())
def test_raising_a_total_never_worsens_the_rank(standings, tie_breaks, shared_ranks, data):
    index = data.draw(st.integers(min_value=0, max_value=len(standings) - 1))
    raised = data.draw(st.decimals(min_value="0.01", max_value=100, places=2))
    before = standings[index]
    after = Standing(
        before.key,
        raised if before.total is None else before.total + raised,  # any total beats none
        before.practical,
        before.theory,
        before.time_minutes,
        before.rankable,
    )
    changed = [*standings[:index], after, *standings[index + 1 :]]
    old_rank = outcome(rank(standings, tie_breaks, shared_ranks=shared_ranks))[before.key][0]
    new_rank = outcome(rank(changed, tie_breaks, shared_ranks=shared_ranks))[before.key][0]
    if old_rank is None:
        assert new_rank is None
    else:
        assert new_rank <= old_rank


@settings(max_examples=200)
@given(fields(), chains(), st.booleans())
def test_ranks_are_standard_competition_ranks(standings, tie_breaks, shared_ranks):
    ranking = rank(standings, tie_breaks, shared_ranks=shared_ranks)
    rankable = sum(standing.rankable for standing in standings)
    ranks = [placing.rank for placing in ranking.placings if placing.rank is not None]
    assert len(ranking.placings) == len(standings)
    assert len(ranks) == rankable
    assert all(1 <= value <= rankable for value in ranks)
    if rankable:
        assert min(ranks) == 1
    # 1, 2, 2, 4: a rank r is always preceded by exactly r - 1 better-placed competitors.
    for value in set(ranks):
        assert sum(other < value for other in ranks) == value - 1
    for placing in ranking.placings:
        assert placing.tied == (ranks.count(placing.rank) > 1)
        if placing.tied or placing.rank is None:
            assert placing.separated_by is None
        assert placing.separated_by in (None, *tie_breaks)
    if shared_ranks:
        assert ranking.unresolved_ties == ()
    else:
        assert sorted(key for group in ranking.unresolved_ties for key in group) == sorted(
            placing.key for placing in ranking.placings if placing.tied
        )
