"""The competition day: check-in, sealed draws, decryption, judges with avoidance, tablet links."""

from datetime import datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from compete.accounts.models import User
from compete.audit.models import AuditEntry
from compete.columns import utcnow
from compete.errors import CompeteError, Conflict, InvalidInput, NotAllowed
from compete.extensions import db
from compete.registration.models import RegistrationStatus
from compete.venue import judging, services
from compete.venue.models import Attendance, DrawStage, JudgeLink, PanelRole
from tests.factories import PASSWORD, make_event
from tests.venue_world import build_day


@pytest.fixture(autouse=True)
def english(ctx):
    """Messages in English, so that the assertions below read them."""
    with force_locale("en"):
        yield


@pytest.fixture
def day(english):
    return build_day()


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def ticket_number(registration) -> str:
    return f"{registration.event.code}-{registration.id:05d}"


def check_in_all(day, *, leave_out: int = 0) -> None:
    event = day["event"]
    for registration in day["registrations"][leave_out:]:
        services.check_in(day["organizer"], event, services.find_ticket(event, ticket_number(registration)))
    services.close_check_in(day["organizer"], event)


def draw_both(day):
    supervisor = services.witness("supervisor", PASSWORD)
    services.run_draw(day["organizer"], day["event"], DrawStage.COMPETITOR_NUMBERS, supervisor)
    services.run_draw(day["organizer"], day["event"], DrawStage.STATIONS, supervisor)


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# --- check-in ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["number", "lower-case number", "token", "scanned address", "full-width number"])
def test_a_ticket_is_found_by_number_token_or_scanned_address(day, form):
    registration = day["registrations"][2]
    text = {
        "number": ticket_number(registration),
        "lower-case number": ticket_number(registration).lower(),
        "token": registration.ticket_token,
        "scanned address": f"http://127.0.0.1:5000/tickets/{registration.ticket_token}",
        "full-width number": ticket_number(registration).replace("-", "－").replace("0", "０"),
    }[form]
    assert services.find_ticket(day["event"], text).registration is registration


def test_tickets_of_another_event_or_competition_or_unapproved_are_refused(day):
    organizer, event = day["organizer"], day["event"]
    other_event = make_event(organizer, event.competition, code="DG-S")
    with pytest.raises(InvalidInput, match="another event: HG-W"):
        services.find_ticket(other_event, ticket_number(day["registrations"][0]))
    from tests.factories import make_competition

    elsewhere = make_event(organizer, make_competition(organizer, name="2026年晋城市城区职业技能竞赛"))
    with pytest.raises(InvalidInput, match="another competition"):
        services.find_ticket(elsewhere, ticket_number(day["registrations"][0]))
    day["registrations"][1].status = RegistrationStatus.WITHDRAWN
    with pytest.raises(InvalidInput, match="not approved"):
        services.find_ticket(event, ticket_number(day["registrations"][1]))
    with pytest.raises(InvalidInput, match="No admission ticket"):
        services.find_ticket(event, "HG-W-99999")


def test_a_ticket_scanned_twice_is_refused_and_closing_marks_the_rest_absent(day):
    event, organizer = day["event"], day["organizer"]
    entry = services.find_ticket(event, ticket_number(day["registrations"][0]))
    services.check_in(organizer, event, entry)
    with pytest.raises(Conflict, match="Already checked in"):
        services.check_in(organizer, event, entry)
    assert services.attendance_counts(event) == {"expected": 5, "present": 1, "absent": 0}
    assert services.close_check_in(organizer, event) == 5
    assert services.attendance_counts(event) == {"expected": 0, "present": 1, "absent": 5}
    with pytest.raises(Conflict, match="closed"):
        services.check_in(organizer, event, services.find_ticket(event, ticket_number(day["registrations"][1])))
    assert actions().count("venue.check_in") == 1 and "venue.close_check_in" in actions()


# --- draws ---------------------------------------------------------------------------------------------------------


def test_draws_give_each_present_competitor_a_number_and_a_station_reproducible_from_the_seed(day):
    check_in_all(day, leave_out=1)
    draw_both(day)
    present = services.present_entries(day["event"])
    assert sorted(entry.competitor_number for entry in present) == [1, 2, 3, 4, 5]
    assert sorted(entry.station_number for entry in present) == [1, 2, 3, 4, 5]
    absent = [entry for entry in services.entries(day["event"]) if entry.attendance == Attendance.ABSENT]
    assert [(entry.competitor_number, entry.station_number) for entry in absent] == [(None, None)]
    draws = services.draws(day["event"])
    first, second = draws[DrawStage.COMPETITOR_NUMBERS], draws[DrawStage.STATIONS]
    assert services.reproduce(first) == {entry.id: entry.competitor_number for entry in present}
    assert services.reproduce(second) == {entry.competitor_number: entry.station_number for entry in present}
    assert first.witness.username == "supervisor" and len(first.seed) == 64
    assert actions().count("venue.draw.competitor_numbers") == 1


def test_a_draw_is_refused_twice_before_check_in_closes_out_of_order_or_after_marking_starts(day):
    supervisor = services.witness("supervisor", PASSWORD)
    organizer, event = day["organizer"], day["event"]
    with pytest.raises(Conflict, match="Close check-in first"):
        services.run_draw(organizer, event, DrawStage.COMPETITOR_NUMBERS, supervisor)
    check_in_all(day)
    with pytest.raises(Conflict, match="competitor numbers first"):
        services.run_draw(organizer, event, DrawStage.STATIONS, supervisor)
    services.run_draw(organizer, event, DrawStage.COMPETITOR_NUMBERS, supervisor)
    with pytest.raises(Conflict, match="already made"):
        services.run_draw(organizer, event, DrawStage.COMPETITOR_NUMBERS, supervisor)
    services.event_day(event).marking_started_at = utcnow()
    with pytest.raises(Conflict, match="Marking has started"):
        services.run_draw(organizer, event, DrawStage.STATIONS, supervisor)
    with pytest.raises(Conflict, match="Marking has started"):
        services.cancel_draws(organizer, event, "wrong list", supervisor)


def test_cancelling_the_draws_needs_a_reason_and_clears_both(day):
    check_in_all(day)
    draw_both(day)
    supervisor = services.witness("supervisor", PASSWORD)
    with pytest.raises(InvalidInput):
        services.cancel_draws(day["organizer"], day["event"], "  ", supervisor)
    services.cancel_draws(day["organizer"], day["event"], "a competitor was checked in by mistake", supervisor)
    assert services.draws(day["event"]) == {}
    assert {(e.competitor_number, e.station_number) for e in services.entries(day["event"])} == {(None, None)}


@pytest.mark.parametrize(("username", "password"), [("supervisor", "wrong"), ("officer", PASSWORD), ("", "")])
def test_only_a_supervisor_with_the_right_password_witnesses(day, username, password):
    with pytest.raises(NotAllowed):
        services.witness(username, password)


def test_a_physical_draw_is_entered_by_hand_with_every_number_once(day):
    check_in_all(day)
    supervisor = services.witness("supervisor", PASSWORD)
    present = services.present_entries(day["event"])
    numbers = {entry.id: index + 1 for index, entry in enumerate(reversed(present))}
    wrong = dict(numbers) | {present[0].id: numbers[present[1].id]}
    with pytest.raises(InvalidInput, match="each once"):
        services.enter_manual_draw(day["organizer"], day["event"], DrawStage.COMPETITOR_NUMBERS, wrong, supervisor)
    with pytest.raises(InvalidInput, match="every competitor"):
        services.enter_manual_draw(
            day["organizer"], day["event"], DrawStage.COMPETITOR_NUMBERS, {present[0].id: 1}, supervisor
        )
    record = services.enter_manual_draw(
        day["organizer"], day["event"], DrawStage.COMPETITOR_NUMBERS, numbers, supervisor
    )
    assert {entry.id: entry.competitor_number for entry in present} == numbers
    assert record.seed is None
    with pytest.raises(InvalidInput):
        services.reproduce(record)


def test_decryption_waits_for_the_lock_and_needs_the_witness(day):
    check_in_all(day)
    draw_both(day)
    officer, supervisor = user("officer"), services.witness("supervisor", PASSWORD)
    with pytest.raises(Conflict, match="not locked"):
        services.decrypt(officer, day["event"], supervisor)
    services.event_day(day["event"]).marks_locked_at = utcnow()
    services.decrypt(officer, day["event"], supervisor)
    assert services.event_day(day["event"]).decryption_witness_id == supervisor.id
    with pytest.raises(Conflict, match="already"):
        services.decrypt(officer, day["event"], supervisor)
    assert "venue.decrypt" in actions()


# --- judges --------------------------------------------------------------------------------------------------------


def seat_panel(day, *, chief: int | None = None):
    for index, judge in enumerate(day["judges"]):
        judging.seat_judge(
            day["organizer"], day["event"], judge, PanelRole.CHIEF if index == chief else PanelRole.JUDGE
        )


def test_one_chief_judge_per_event_and_no_judge_twice(day):
    seat_panel(day, chief=0)
    extra = judging.add_judge(day["organizer"], day["registrations"][0].person, occupations="焊工")
    with pytest.raises(Conflict, match="chief judge"):
        judging.seat_judge(day["organizer"], day["event"], extra, PanelRole.CHIEF)
    with pytest.raises(Conflict, match="already on this panel"):
        judging.seat_judge(day["organizer"], day["event"], day["judges"][1], PanelRole.JUDGE)
    with pytest.raises(Conflict, match="already in the judge registry"):
        judging.add_judge(day["organizer"], day["judges"][1].person, occupations="电工")


def test_the_proposal_never_puts_a_judge_on_a_station_of_their_own_unit_or_declared_conflict(day):
    check_in_all(day)
    draw_both(day)
    seat_panel(day)
    conflicted = day["registrations"][1].person
    judging.record_conflict(day["organizer"], day["judges"][3], conflicted, "师徒关系")
    proposal = judging.propose_station_judges(day["event"])
    assert proposal.ok
    judging.assign_station_judges(day["organizer"], day["event"], proposal.judges_by_station)
    unit_of_judge = {judge.id: judge.person.unit_id for judge in day["judges"]}
    for entry in services.entries(day["event"]):
        registration = entry.registration
        for judge in judging.station_judges(day["event"])[entry.station_number]:
            assert unit_of_judge[judge.id] != registration.unit_id
            assert not (judge.id == day["judges"][3].id and registration.person is conflicted)
        assert len(judging.station_judges(day["event"])[entry.station_number]) == 2


def test_an_assignment_with_a_judge_of_the_competitors_unit_is_refused(day):
    check_in_all(day)
    draw_both(day)
    seat_panel(day)
    entry = services.entries(day["event"])[0]  # a competitor of unit 0, like judge 0
    stations = {e.station_number: (day["judges"][3].id,) for e in services.entries(day["event"])}
    stations[entry.station_number] = (day["judges"][0].id,)
    with pytest.raises(Conflict, match="stand aside"):
        judging.assign_station_judges(day["organizer"], day["event"], stations)


def test_a_panel_too_small_for_avoidance_blocks_with_the_reason(english):
    day = build_day(judges_per_station=4)
    check_in_all(day)
    draw_both(day)
    seat_panel(day)
    proposal = judging.propose_station_judges(day["event"])
    assert not proposal.ok
    assert all(blocked.eligible == 3 and blocked.needed == 4 for blocked in proposal.blocked)
    assert {reason for b in proposal.blocked for reasons in b.standing_aside.values() for reason in reasons} == {
        "own_unit"
    }


# --- tablet links --------------------------------------------------------------------------------------------------


def test_a_reissued_link_replaces_the_old_one_and_links_expire_with_the_event(day):
    seat_panel(day)
    judge = day["judges"][0]
    first = judging.issue_link(day["organizer"], day["event"], judge)
    second = judging.issue_link(day["organizer"], day["event"], judge)
    assert judging.link_problem(first) is not None and "revoked" in str(judging.link_problem(first))
    assert judging.link_problem(second, now=datetime(2026, 12, 16, 23, 0)) is None
    assert "expired" in str(judging.link_problem(second, now=datetime(2026, 12, 17, 0, 0)))
    judging.revoke_link(day["organizer"], second)
    assert "revoked" in str(judging.link_problem(second))
    assert judging.link_problem(None) is not None
    assert db.session.scalar(select(JudgeLink.expires_at).where(JudgeLink.id == second.id)) == datetime(
        2026, 12, 16, 23, 59, 59
    )


def test_a_link_is_only_issued_to_a_judge_on_the_panel(day):
    with pytest.raises(CompeteError, match="panel first"):
        judging.issue_link(day["organizer"], day["event"], day["judges"][0])


def test_expiry_is_checked_against_the_local_clock(day):
    seat_panel(day)
    link = judging.issue_link(day["organizer"], day["event"], day["judges"][0])
    assert judging.link_problem(link, now=link.expires_at + timedelta(seconds=1)) is not None
