"""Tests for judges standing aside and the proposal of judge teams per station."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compete.rules.avoidance import (
    Blocked,
    PanelJudge,
    Proposal,
    StationSeat,
    propose,
    reasons_to_stand_aside,
    violations,
)


def panel_of(*units: int | None) -> list[PanelJudge]:
    """Judges 1, 2, 3, ... from the given units, in that panel order."""
    return [PanelJudge(judge_id, unit) for judge_id, unit in enumerate(units, start=1)]


def stations_of(*units: int | None) -> list[StationSeat]:
    """Stations 1, 2, 3, ... with competitors 101, 102, 103, ... from the given units."""
    return [StationSeat(station, 100 + station, unit) for station, unit in enumerate(units, start=1)]


def may_mark(judge: PanelJudge, seat: StationSeat, conflicts) -> bool:
    """Independent statement of the rule, used to check propose() and violations()."""
    same_unit = judge.unit_id is not None and seat.unit_id is not None and judge.unit_id == seat.unit_id
    return not same_unit and (judge.judge_id, seat.person_id) not in conflicts


@pytest.mark.parametrize(
    ("judge", "seat", "conflicts", "expected"),
    [
        (PanelJudge(1, 10), StationSeat(1, 100, 20), frozenset(), ()),
        (PanelJudge(1, 10), StationSeat(1, 100, 10), frozenset(), ("own_unit",)),
        (PanelJudge(1, 10), StationSeat(1, 100, 20), frozenset({(1, 100)}), ("declared",)),
        (PanelJudge(1, 10), StationSeat(1, 100, 10), frozenset({(1, 100)}), ("own_unit", "declared")),
        # Unknown units never match, not even each other.
        (PanelJudge(1, None), StationSeat(1, 100, None), frozenset(), ()),
        (PanelJudge(1, None), StationSeat(1, 100, 10), frozenset(), ()),
        (PanelJudge(1, 10), StationSeat(1, 100, None), frozenset(), ()),
        # A declared conflict is about one judge and one person.
        (PanelJudge(1, 10), StationSeat(1, 100, 20), frozenset({(2, 100), (1, 101)}), ()),
        # Pairs are (judge_id, person_id), not the other way round.
        (PanelJudge(1, 10), StationSeat(1, 100, 20), frozenset({(100, 1)}), ()),
        # The station number is not a person.
        (PanelJudge(1, 10), StationSeat(7, 100, 20), frozenset({(1, 7)}), ()),
    ],
)
def test_reasons_to_stand_aside(judge, seat, conflicts, expected):
    assert reasons_to_stand_aside(judge, seat, conflicts) == expected


@pytest.mark.parametrize(
    ("seats", "panel", "per_station", "conflicts", "expected"),
    [
        # Judge 1 shares a unit with the competitor; judges 2 and 3 mark.
        (
            stations_of(10),
            panel_of(10, 20, None),
            2,
            frozenset(),
            Proposal({1: (2, 3)}, ()),
        ),
        # A declared conflict takes judge 2 out as well: one eligible, two needed.
        (
            stations_of(10),
            panel_of(10, 20, None),
            2,
            frozenset({(2, 101)}),
            Proposal({}, (Blocked(1, 1, 2, {1: ("own_unit",), 2: ("declared",)}),)),
        ),
        # Both reasons for one judge, in the fixed order.
        (
            stations_of(10),
            panel_of(10, 20),
            2,
            frozenset({(1, 101)}),
            Proposal({}, (Blocked(1, 1, 2, {1: ("own_unit", "declared")}),)),
        ),
        # Only the blocked station is left out; the others are still assigned.
        (
            stations_of(20, 10, 30),
            panel_of(10, 10, 20),
            2,
            frozenset(),
            Proposal({1: (1, 2), 3: (1, 2)}, (Blocked(2, 1, 2, {1: ("own_unit",), 2: ("own_unit",)}),)),
        ),
        # A panel smaller than a team blocks every station, with nobody standing aside.
        (
            stations_of(10, None),
            panel_of(20),
            2,
            frozenset(),
            Proposal({}, (Blocked(1, 1, 2, {}), Blocked(2, 1, 2, {}))),
        ),
        (
            stations_of(10),
            [],
            1,
            frozenset(),
            Proposal({}, (Blocked(1, 0, 1, {}),)),
        ),
        (stations_of(), panel_of(10), 1, frozenset(), Proposal({}, ())),
        # Two competitors at one station (a team event): a judge stands aside for either of them.
        (
            [StationSeat(1, 101, 10), StationSeat(1, 102, 20)],
            panel_of(10, 20, 30, None),
            2,
            frozenset(),
            Proposal({1: (3, 4)}, ()),
        ),
        (
            [StationSeat(1, 101, 10), StationSeat(1, 102, 20)],
            panel_of(10, 20, 30),
            2,
            frozenset({(1, 102), (3, 102)}),
            Proposal({}, (Blocked(1, 0, 2, {1: ("own_unit", "declared"), 2: ("own_unit",), 3: ("declared",)}),)),
        ),
    ],
)
def test_propose_cases(seats, panel, per_station, conflicts, expected):
    assert propose(seats, panel, per_station, conflicts) == expected


def test_team_survives_a_conflict_and_is_not_restored_afterwards():
    # Default team (1, 2); station 2 is judge 1's own unit, so judge 3 steps in and stays on.
    proposal = propose(stations_of(None, 10, None, None), panel_of(10, None, None, None), 2)
    assert proposal.judges_by_station == {1: (1, 2), 2: (2, 3), 3: (2, 3), 4: (2, 3)}
    assert proposal.groups() == [((1, 2), (1,)), ((2, 3), (2, 3, 4))]


def test_replacements_are_the_least_loaded_before_panel_order():
    # Station 1: (1, 2). Station 2 excludes judge 2: keep 1, add 3. Station 3 excludes judge 1:
    # keep 3, then judge 4 (no stations yet) is preferred to judge 2 (one station) despite panel order.
    seats = stations_of(None, 20, 10)
    proposal = propose(seats, panel_of(10, 20, 30, 40, 50), 2)
    assert proposal.judges_by_station == {1: (1, 2), 2: (1, 3), 3: (3, 4)}


def test_ties_in_load_go_to_panel_order():
    # Judges listed out of id order: the panel order decides, and team tuples are still sorted.
    panel = [PanelJudge(9, None), PanelJudge(4, None), PanelJudge(7, None), PanelJudge(1, None)]
    proposal = propose(stations_of(None, None), panel, 2)
    assert proposal.judges_by_station == {1: (4, 9), 2: (4, 9)}


def test_stations_are_processed_in_station_order_whatever_the_seat_order():
    seats = list(reversed(stations_of(None, 10, None)))
    proposal = propose(seats, panel_of(10, None, None), 2)
    assert list(proposal.judges_by_station) == [1, 2, 3]
    assert proposal.judges_by_station == {1: (1, 2), 2: (2, 3), 3: (2, 3)}


@pytest.mark.parametrize("per_station", [0, -1])
def test_per_station_must_be_positive(per_station):
    with pytest.raises(ValueError, match="per_station"):
        propose(stations_of(None), panel_of(None, None), per_station)


def test_a_judge_listed_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        propose(stations_of(None), [PanelJudge(1, None), PanelJudge(1, 10)], 1)


@given(st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=30), st.integers(1, 5))
def test_without_conflicts_every_station_gets_the_same_team(team_size, station_count, extra_judges):
    panel = panel_of(*[None] * (team_size + extra_judges))
    proposal = propose(stations_of(*[None] * station_count), panel, team_size)
    assert proposal.ok
    assert proposal.groups() == [(tuple(range(1, team_size + 1)), tuple(range(1, station_count + 1)))]


def test_stability_wins_over_load_balance():
    # A deliberate choice: a team marks a block of stations together, so with nobody standing aside
    # judges 6-10 mark nothing rather than the teams rotating to even out the load.
    proposal = propose(stations_of(None, None, None, None), panel_of(*[None] * 10), 5)
    assert proposal.groups() == [((1, 2, 3, 4, 5), (1, 2, 3, 4))]


@pytest.mark.parametrize(
    ("judges_by_station", "expected"),
    [
        ({1: (1, 2), 2: (3,)}, []),
        ({1: (3, 4)}, [(1, 3, ("own_unit",)), (1, 4, ("own_unit",))]),
        ({1: (2, 3)}, [(1, 3, ("own_unit",))]),
        ({2: (2,)}, [(2, 2, ("declared",))]),
        ({2: (1,)}, [(2, 1, ("own_unit", "declared"))]),
        ({1: (99,)}, [(1, 99, ("not_on_panel",))]),
        # Station without a competitor: only the panel check applies.
        ({5: (3, 99)}, [(5, 99, ("not_on_panel",))]),
        # Ordered by station, then judge id, whatever the input order.
        (
            {2: (99, 1), 1: (4, 3)},
            [
                (1, 3, ("own_unit",)),
                (1, 4, ("own_unit",)),
                (2, 1, ("own_unit", "declared")),
                (2, 99, ("not_on_panel",)),
            ],
        ),
    ],
)
def test_violations_cases(judges_by_station, expected):
    seats = [StationSeat(1, 101, 30), StationSeat(2, 102, 10)]
    panel = panel_of(10, 20, 30, 30)
    conflicts = frozenset({(1, 102), (2, 102)})
    assert violations(judges_by_station, seats, panel, conflicts) == expected


@st.composite
def scenarios(draw):
    units = st.one_of(st.none(), st.integers(min_value=1, max_value=4))
    station_numbers = draw(st.lists(st.integers(min_value=1, max_value=12), max_size=15))
    seats = [
        StationSeat(station, person_id, draw(units)) for person_id, station in enumerate(station_numbers, start=100)
    ]
    judge_ids = draw(st.lists(st.integers(min_value=1, max_value=40), max_size=12, unique=True))
    panel = [PanelJudge(judge_id, draw(units)) for judge_id in judge_ids]
    per_station = draw(st.integers(min_value=1, max_value=5))
    pairs = [(judge.judge_id, seat.person_id) for judge in panel for seat in seats]
    conflicts = frozenset(draw(st.lists(st.sampled_from(pairs), max_size=6))) if pairs else frozenset()
    return seats, panel, per_station, conflicts


@given(scenarios())
def test_proposals_respect_the_rules(scenario):
    seats, panel, per_station, conflicts = scenario
    proposal = propose(seats, panel, per_station, conflicts)

    assert violations(proposal.judges_by_station, seats, panel, conflicts) == []

    panel_ids = {judge.judge_id for judge in panel}
    for team in proposal.judges_by_station.values():
        assert len(set(team)) == per_station == len(team)
        assert list(team) == sorted(team)
        assert set(team) <= panel_ids

    blocked = {entry.station: entry for entry in proposal.blocked}
    stations = {seat.station for seat in seats}
    assert set(proposal.judges_by_station) | set(blocked) == stations
    assert not set(proposal.judges_by_station) & set(blocked)
    assert proposal.ok == (not blocked)

    for station in stations:
        at_station = [seat for seat in seats if seat.station == station]
        eligible = [judge for judge in panel if all(may_mark(judge, seat, conflicts) for seat in at_station)]
        assert (station in blocked) == (len(eligible) < per_station)
        if station in blocked:
            entry = blocked[station]
            assert (entry.eligible, entry.needed) == (len(eligible), per_station)
            assert set(entry.standing_aside) == panel_ids - {judge.judge_id for judge in eligible}


@given(scenarios(), st.data())
def test_violations_finds_exactly_the_judges_who_must_stand_aside(scenario, data):
    seats, panel, _, conflicts = scenario
    stations = sorted({seat.station for seat in seats} | {0})
    judge_ids = sorted({judge.judge_id for judge in panel} | {99})
    judges_by_station = data.draw(
        st.dictionaries(st.sampled_from(stations), st.lists(st.sampled_from(judge_ids), max_size=4, unique=True))
    )
    judges = {judge.judge_id: judge for judge in panel}
    expected = sorted(
        (station, judge_id)
        for station, team in judges_by_station.items()
        for judge_id in team
        if judge_id not in judges
        or not all(may_mark(judges[judge_id], seat, conflicts) for seat in seats if seat.station == station)
    )
    found = violations(judges_by_station, seats, panel, conflicts)
    assert [(station, judge_id) for station, judge_id, _ in found] == expected
    assert all(reasons for _, _, reasons in found)


def test_groups_collect_non_adjacent_stations_of_one_team():
    proposal = Proposal({4: (2, 1), 1: (1, 2), 2: (3, 4), 3: (1, 2)}, ())
    assert proposal.groups() == [((1, 2), (1, 3, 4)), ((3, 4), (2,))]
    assert proposal.ok


def test_a_proposal_with_blocked_stations_is_not_ok():
    assert not Proposal({}, (Blocked(1, 0, 1, {}),)).ok
