"""Ranking: competitors ordered by a tie-break chain, with shared ranks or arbitration for exact ties."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

__all__ = [
    "ARBITRATION",
    "TIE_BREAK_KEYS",
    "Placing",
    "Ranking",
    "Standing",
    "rank",
]

TIE_BREAK_KEYS = ("total", "time", "practical", "theory")
# The separated_by value for competitors whose order within an exact tie was set by the arbitration group.
ARBITRATION = "arbitration"

# Each tie-break key names the Standing field it compares; fewer minutes is better, more of anything else.
_FIELDS = {"total": "total", "time": "time_minutes", "practical": "practical", "theory": "theory"}
_LOWER_IS_BETTER = frozenset({"time"})


@dataclass(frozen=True)
class Standing:
    """One competitor's rounded figures, as published (2 decimals), and whether they can be ranked at all."""

    key: Hashable  # the caller's id for the competitor (e.g. an entry id)
    total: Decimal | None
    practical: Decimal | None
    theory: Decimal | None
    time_minutes: Decimal | None  # fewer minutes is better; None = not recorded, worse than any recorded time
    rankable: bool = True  # absent or disqualified competitors: False (no rank, not an entrant)


@dataclass(frozen=True)
class Placing:
    key: Hashable
    rank: int | None  # None for unrankable
    tied: bool  # shares its rank with at least one other (allowed shared rank, or an unresolved tie)
    # The first tie-break key on which it differs from the competitor placed just above it; None for the
    # first placed, for tied ones and for unrankable ones; ARBITRATION when the arbitration group decided.
    separated_by: str | None


@dataclass(frozen=True)
class Ranking:
    placings: tuple[Placing, ...]  # best first, then the unrankable ones in input order
    # Only when shared ranks are forbidden: groups equal on every key with no decided order, best first,
    # each group's keys in input order. Finalization must wait until arbitration decides them.
    unresolved_ties: tuple[tuple[Hashable, ...], ...]


def _check_tie_breaks(tie_breaks: Sequence[str]) -> tuple[str, ...]:
    chain = tuple(tie_breaks)
    if not chain:
        raise ValueError(f"at least one tie-break key is needed, from {TIE_BREAK_KEYS}")
    for key in chain:
        if key not in TIE_BREAK_KEYS:
            raise ValueError(f"unknown tie-break key {key!r}, expected one of {TIE_BREAK_KEYS}")
    if len(set(chain)) != len(chain):
        raise ValueError(f"each tie-break key may appear once, got {chain}")
    return chain


def _figure(standing: Standing, key: str) -> Decimal | None:
    value = getattr(standing, _FIELDS[key])
    if value is None:
        return None
    # Floats are refused for the same reason as in scoring: the published figure must compare exactly.
    if not isinstance(value, Decimal):
        raise TypeError(f"{standing.key!r}: {key} must be a Decimal or None, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{standing.key!r}: {key} is not a finite number: {value!r}")
    return value


def _sort_value(standing: Standing, key: str) -> tuple[int, Decimal]:
    """The figure as a sort key where smaller is better; a missing figure sorts after every present one."""
    value = _figure(standing, key)
    if value is None:
        return (1, Decimal(0))
    # copy_negate is exact, unlike unary minus, which rounds to the context's precision.
    return (0, value if key in _LOWER_IS_BETTER else value.copy_negate())


def _decided_orders_by_group(decided_orders: Iterable[Sequence[Hashable]]) -> dict[frozenset, tuple[Hashable, ...]]:
    by_group: dict[frozenset, tuple[Hashable, ...]] = {}
    for order in decided_orders:
        keys = tuple(order)
        group = frozenset(keys)
        if len(group) != len(keys):
            raise ValueError(f"a decided order names each competitor once, got {keys!r}")
        if by_group.get(group, keys) != keys:
            raise ValueError(f"two different decided orders for the same competitors: {by_group[group]!r}, {keys!r}")
        by_group[group] = keys
    return by_group


def rank(
    standings: Iterable[Standing],
    tie_breaks: Sequence[str],
    *,
    shared_ranks: bool = True,
    decided_orders: Iterable[Sequence[Hashable]] = (),
) -> Ranking:
    """Rank the rankable standings by the tie-break chain (standard competition ranking: 1, 2, 2, 4).

    With shared_ranks=False (排名不并列) a group equal on every key takes consecutive ranks in the order
    of the decided order naming exactly its competitors; without one it keeps a shared rank, marked tied,
    and is listed in unresolved_ties. A decided order whose competitors are not exactly one such group
    (say the scores were corrected after arbitration) is ignored, and decided orders are not used at all
    when shared ranks are allowed. Only the order of competitors inside a shared rank follows the input.
    """
    chain = _check_tie_breaks(tie_breaks)
    standings = tuple(standings)
    keys = [standing.key for standing in standings]
    if len(set(keys)) != len(keys):
        raise ValueError("each competitor's key must appear once in the standings")
    decided = {} if shared_ranks else _decided_orders_by_group(decided_orders)

    def chain_value(standing: Standing) -> tuple[tuple[int, Decimal], ...]:
        return tuple(_sort_value(standing, key) for key in chain)

    def first_difference(standing: Standing, above: Standing | None) -> str | None:
        if above is None:
            return None
        return next(key for key in chain if _sort_value(standing, key) != _sort_value(above, key))

    # sorted() is stable, so only competitors equal on every key keep their input order among themselves.
    ranked = sorted((standing for standing in standings if standing.rankable), key=chain_value)
    placings: list[Placing] = []
    unresolved: list[tuple[Hashable, ...]] = []
    above: Standing | None = None
    position = 1
    for _, members in groupby(ranked, key=chain_value):
        group = list(members)
        if len(group) == 1:
            placings.append(Placing(group[0].key, position, False, first_difference(group[0], above)))
        elif frozenset(member.key for member in group) in decided:
            by_key = {member.key: member for member in group}
            order = [by_key[key] for key in decided[frozenset(by_key)]]
            for offset, member in enumerate(order):
                separated_by = ARBITRATION if offset else first_difference(member, above)
                placings.append(Placing(member.key, position + offset, False, separated_by))
            group = order
        else:
            placings += [Placing(member.key, position, True, None) for member in group]
            if not shared_ranks:
                unresolved.append(tuple(member.key for member in group))
        above = group[-1]
        position += len(group)
    placings += [Placing(standing.key, None, False, None) for standing in standings if not standing.rankable]
    return Ranking(tuple(placings), tuple(unresolved))
