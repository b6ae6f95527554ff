"""Judges who must stand aside (回避) from a station, and a proposal of judge teams per station."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "REASONS",
    "Blocked",
    "PanelJudge",
    "Proposal",
    "StationSeat",
    "propose",
    "reasons_to_stand_aside",
    "violations",
]

# "not_on_panel" comes only from violations(): propose() never picks a judge outside the panel.
REASONS = ("own_unit", "declared", "not_on_panel")


@dataclass(frozen=True)
class StationSeat:
    """The competitor sitting at a station."""

    station: int
    person_id: int
    unit_id: int | None


@dataclass(frozen=True)
class PanelJudge:
    judge_id: int
    unit_id: int | None


@dataclass(frozen=True)
class Blocked:
    """A station that cannot be given a full team."""

    station: int
    eligible: int
    needed: int
    standing_aside: dict[int, tuple[str, ...]]  # judge_id -> reasons


@dataclass(frozen=True)
class Proposal:
    judges_by_station: dict[int, tuple[int, ...]]  # station -> judge ids, ascending
    blocked: tuple[Blocked, ...]

    @property
    def ok(self) -> bool:
        return not self.blocked

    def groups(self) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """(team, stations) for each distinct team, both sorted, ordered by the team's first station."""
        stations_by_team: dict[tuple[int, ...], list[int]] = {}
        for station in sorted(self.judges_by_station):
            team = tuple(sorted(self.judges_by_station[station]))
            stations_by_team.setdefault(team, []).append(station)
        return [(team, tuple(stations)) for team, stations in stations_by_team.items()]


def reasons_to_stand_aside(
    judge: PanelJudge, seat: StationSeat, conflicts: frozenset[tuple[int, int]] = frozenset()
) -> tuple[str, ...]:
    """Why the judge may not mark the competitor in this seat; empty when the judge may.

    conflicts holds the declared (judge_id, person_id) pairs.
    """
    reasons = []
    # A missing unit says nothing about where someone comes from, so it never matches.
    if judge.unit_id is not None and judge.unit_id == seat.unit_id:
        reasons.append("own_unit")
    if (judge.judge_id, seat.person_id) in conflicts:
        reasons.append("declared")
    return tuple(reasons)


def _seats_by_station(seats: Iterable[StationSeat]) -> dict[int, list[StationSeat]]:
    # Team events seat several competitors at one station; a judge stands aside if any of them conflicts.
    by_station: dict[int, list[StationSeat]] = {}
    for seat in seats:
        by_station.setdefault(seat.station, []).append(seat)
    return by_station


def _reasons_at_station(
    judge: PanelJudge, seats: Iterable[StationSeat], conflicts: frozenset[tuple[int, int]]
) -> tuple[str, ...]:
    found = {reason for seat in seats for reason in reasons_to_stand_aside(judge, seat, conflicts)}
    return tuple(reason for reason in REASONS if reason in found)


def propose(
    seats: Sequence[StationSeat],
    panel: Sequence[PanelJudge],
    per_station: int,
    conflicts: frozenset[tuple[int, int]] = frozenset(),
) -> Proposal:
    """per_station eligible judges for every station, or a Blocked entry where too few are eligible.

    Judges work in teams that mark a block of stations, so the proposal keeps the current team
    from one station to the next and only replaces members who must stand aside; replacements
    are the least-loaded eligible judges, ties going to the earlier judge in the panel.
    """
    if per_station < 1:
        raise ValueError(f"per_station must be at least 1, got {per_station}")
    panel_position = {}
    for position, judge in enumerate(panel):
        if judge.judge_id in panel_position:
            raise ValueError(f"judge {judge.judge_id} is on the panel twice")
        panel_position[judge.judge_id] = position

    load = {judge.judge_id: 0 for judge in panel}

    def least_loaded_first(judge: PanelJudge) -> tuple[int, int]:
        return load[judge.judge_id], panel_position[judge.judge_id]

    # Nobody has marked anything yet, so the default team is the head of the panel.
    team = [judge.judge_id for judge in sorted(panel, key=least_loaded_first)[:per_station]]
    judges_by_station: dict[int, tuple[int, ...]] = {}
    blocked: list[Blocked] = []
    for station, station_seats in sorted(_seats_by_station(seats).items()):
        standing_aside = {}
        eligible = []
        for judge in panel:
            reasons = _reasons_at_station(judge, station_seats, conflicts)
            if reasons:
                standing_aside[judge.judge_id] = reasons
            else:
                eligible.append(judge)
        if len(eligible) < per_station:
            # The team carries on to the next station unchanged: a blocked station assigns nobody.
            blocked.append(Blocked(station, len(eligible), per_station, standing_aside))
            continue
        eligible_ids = {judge.judge_id for judge in eligible}
        kept = [judge_id for judge_id in team if judge_id in eligible_ids]
        candidates = sorted((judge for judge in eligible if judge.judge_id not in kept), key=least_loaded_first)
        team = kept + [judge.judge_id for judge in candidates[: per_station - len(kept)]]
        for judge_id in team:
            load[judge_id] += 1
        judges_by_station[station] = tuple(sorted(team))
    return Proposal(judges_by_station, tuple(blocked))


def violations(
    judges_by_station: Mapping[int, Sequence[int]],
    seats: Sequence[StationSeat],
    panel: Sequence[PanelJudge],
    conflicts: frozenset[tuple[int, int]] = frozenset(),
) -> list[tuple[int, int, tuple[str, ...]]]:
    """(station, judge_id, reasons) for every assigned judge who must stand aside, by station then judge id."""
    judges = {judge.judge_id: judge for judge in panel}
    seats_at = _seats_by_station(seats)
    found = []
    for station in sorted(judges_by_station):
        for judge_id in sorted(set(judges_by_station[station])):
            judge = judges.get(judge_id)
            if judge is None:
                # Without a panel entry the judge's unit is unknown, so no other reason can be checked.
                reasons: tuple[str, ...] = ("not_on_panel",)
            else:
                reasons = _reasons_at_station(judge, seats_at.get(station, ()), conflicts)
            if reasons:
                found.append((station, judge_id, reasons))
    return found
