"""Awards: which prize or medal a rank earns under an event's award scheme."""

from __future__ import annotations

__all__ = [
    "AWARD_NAMES",
    "AWARD_SCHEMES",
    "award",
    "cutoffs",
]

AWARD_SCHEMES = ("places", "medals", "prize_shares")
# Each scheme's awards, best first: a better rank never gets an award later in its list.
AWARD_NAMES = {
    "places": ("first", "second", "third"),  # 一/二/三名
    "medals": ("gold", "silver", "bronze", "excellence"),  # excellence: 优胜奖
    "prize_shares": ("prize-1", "prize-2", "prize-3"),  # 一/二/三等奖
}


def _check_scheme(scheme: str) -> None:
    if scheme not in AWARD_SCHEMES:
        raise ValueError(f"unknown award scheme {scheme!r}, expected one of {AWARD_SCHEMES}")


def _check_count(name: str, value: int, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")


def _last_ranks(scheme: str, ranked_entrants: int) -> tuple[tuple[str, int], ...]:
    """Each award with the last rank the scheme's rule gives it, before ranks that cannot occur are dropped."""
    if scheme == "places":
        return (("first", 1), ("second", 2), ("third", 3))
    if scheme == "medals":
        # Excellence (优胜奖) goes to the rest of the upper half, ⌊N/2⌋ rounded down.
        return (("gold", 1), ("silver", 2), ("bronze", 3), ("excellence", ranked_entrants // 2))
    # Shares of N rounded down, in integers so that 0.1 × N is never seen through a binary float; the top
    # prize always goes to at least one.
    return (
        ("prize-1", max(1, ranked_entrants * 1 // 10)),
        ("prize-2", ranked_entrants * 3 // 10),
        ("prize-3", ranked_entrants * 6 // 10),
    )


def cutoffs(scheme: str, ranked_entrants: int) -> dict[str, int]:
    """The last rank that still gets each award, best award first; awards no rank 1…N can get are left out.

    prize_shares: prize-1 to rank ≤ max(1, ⌊N/10⌋), prize-2 to ⌊3N/10⌋, prize-3 to ⌊6N/10⌋, each rounded down.
    medals: gold, silver, bronze to ranks 1-3, excellence to rank ≤ ⌊N/2⌋. places: ranks 1-3.
    """
    _check_scheme(scheme)
    _check_count("ranked_entrants", ranked_entrants, 0)
    result: dict[str, int] = {}
    previous = 0
    for name, last in _last_ranks(scheme, ranked_entrants):
        last = min(last, ranked_entrants)
        # An award whose ranks are all taken by a better award (or beyond N) has no one to go to.
        if last > previous:
            result[name] = last
            previous = last
    return result


def award(scheme: str, rank: int | None, ranked_entrants: int, *, passed: bool = True) -> str | None:
    """The award a rank earns among N ranked entrants (see cutoffs), or None: unranked, below the pass mark, or none."""
    limits = cutoffs(scheme, ranked_entrants)
    if rank is None:
        return None
    _check_count("rank", rank, 1)
    if rank > ranked_entrants:
        raise ValueError(f"rank {rank} is beyond the {ranked_entrants} ranked entrants")
    if not passed:
        return None
    # With shared ranks the rank alone decides: two at rank 1 are both gold, the next (rank 3) bronze.
    return next((name for name, last in limits.items() if rank <= last), None)
