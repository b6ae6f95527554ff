"""Entering marks: validated, versioned, idempotent, never silently overwritten; sheets, reopening, the lock."""

from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from compete.errors import Conflict, InvalidInput, NotAllowed, NotFound
from compete.extensions import db
from compete.scoring import scores, signoff
from compete.scoring import services as scoring
from compete.scoring.models import Mark, MarkVersion
from compete.venue import judging
from compete.venue import services as venue
from tests.venue_world import build_day, staff_the_day


@pytest.fixture
def day(ctx):
    """The venue world with everyone present, both draws, the panel seated and stations assigned."""
    with force_locale("en"):
        built = staff_the_day(build_day())
        yield built


def first_assignment(day):
    judge = day["judges"][0]
    station = judging.stations_of(judge, day["event"])[0]
    return judge, station


def criterion(day, code):
    return next(c for c in day["event"].criteria if c.code == code)


def enter(day, judge, station, code, value, *, base=0, key=None):
    return scoring.submit_mark(
        judge,
        day["event"],
        station,
        criterion(day, code).id,
        Decimal(value),
        base_version=base,
        idempotency_key=key or f"{judge.id}-{station}-{code}-{value}-{base}",
        device="test tablet",
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_mark_is_stored_as_a_version_and_a_retry_with_the_same_key_is_stored_once(day):
    judge, station = first_assignment(day)
    saved = enter(day, judge, station, "A1", "42.5", key="k-1")
    again = enter(day, judge, station, "A1", "42.5", key="k-1")
    assert (saved.version, again.version, again.replayed) == (1, 1, True)
    assert count(Mark) == 1 and count(MarkVersion) == 1
    assert venue.event_day(day["event"]).marking_started_at is not None


def test_a_replayed_key_with_another_value_is_refused(day):
    judge, station = first_assignment(day)
    enter(day, judge, station, "A1", "42.5", key="k-1")
    with force_locale("en"), pytest.raises(Conflict, match="different value"):
        enter(day, judge, station, "A1", "40", key="k-1")
    assert count(MarkVersion) == 1


def test_every_change_is_a_new_version_and_a_stale_tablet_gets_a_conflict(day):
    judge, station = first_assignment(day)
    enter(day, judge, station, "A1", "40")
    enter(day, judge, station, "A1", "42", base=1)
    with force_locale("en"), pytest.raises(Conflict, match="changed meanwhile"):
        enter(day, judge, station, "A1", "45", base=1)  # the second tablet still thinks version 1
    mark = db.session.scalar(select(Mark))
    assert (mark.value, mark.version) == (Decimal("42"), 2)
    versions = db.session.scalars(select(MarkVersion.value).order_by(MarkVersion.version)).all()
    assert versions == [Decimal("40"), Decimal("42")]


def test_a_write_racing_another_between_read_and_write_is_refused_by_the_database(day):
    """Both requests read version 1; the first to write wins, the second's compare-and-set finds version 2."""
    judge, station = first_assignment(day)
    enter(day, judge, station, "A1", "40")
    state = scoring._mark_state(judge, day["event"], station, criterion(day, "A1").id, "racing")
    enter(day, judge, station, "A1", "42", base=1)  # the other request, between this one's read and its write
    with force_locale("en"), pytest.raises(Conflict, match="changed meanwhile"):
        scoring._store(
            scoring._Change(
                day["event"].id,
                station,
                state.criterion.id,
                judge.id,
                mark_id=state.mark.id,
                read_version=1,  # what this request read
                value=Decimal("45"),
                actor_id=judge.user_id,
                key="racing",
            )
        )
    db.session.expire_all()
    mark = db.session.scalar(select(Mark))
    assert (mark.value, mark.version) == (Decimal("42"), 2)
    assert count(MarkVersion) == 2


def test_an_unknown_criterion_is_not_found_and_a_missing_key_is_refused(day):
    judge, station = first_assignment(day)
    with force_locale("en"), pytest.raises(NotFound, match="not in the event's marking scheme"):
        scoring.submit_mark(judge, day["event"], station, 10**9, Decimal("1"), base_version=0, idempotency_key="k")
    with force_locale("en"), pytest.raises(InvalidInput, match="own key"):
        scoring.submit_mark(
            judge, day["event"], station, criterion(day, "A1").id, Decimal("1"), base_version=0, idempotency_key=""
        )
    assert count(Mark) == 0


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("A1", "60.5", "above"),
        ("A1", "-1", "below 0"),
        ("A1", "10.3", "multiple of"),
        ("B1", "4", "0, 1, 2 or 3"),
        ("B1", "1.5", "0, 1, 2 or 3"),
    ],
)
def test_marks_outside_the_scheme_are_refused_and_nothing_is_stored(day, code, value, message):
    judge, station = first_assignment(day)
    with force_locale("en"), pytest.raises(InvalidInput, match=message):
        enter(day, judge, station, code, value)
    assert count(MarkVersion) == 0


@pytest.mark.parametrize("text", ["abc", "", "NaN", "Infinity"])
def test_a_value_that_is_not_a_number_is_refused(ctx, text):
    with force_locale("en"), pytest.raises(InvalidInput, match="Enter a number"):
        scoring.parse_value(text)


def test_a_judge_cannot_mark_a_station_not_assigned_to_them(day):
    judge, _station = first_assignment(day)
    others = set(range(1, 7)) - set(judging.stations_of(judge, day["event"]))
    with force_locale("en"), pytest.raises(NotAllowed, match="not assigned to you"):
        enter(day, judge, min(others) if others else 99, "A1", "10")


def test_a_submitted_sheet_refuses_changes_until_the_chief_judge_reopens_it(day):
    judge, station = first_assignment(day)
    with force_locale("en"), pytest.raises(InvalidInput, match="Still to mark"):
        signoff.submit_sheet(judge, day["event"], station)
    enter(day, judge, station, "A1", "40")
    enter(day, judge, station, "B1", "2")
    signoff.submit_sheet(judge, day["event"], station)
    with force_locale("en"), pytest.raises(Conflict, match="only the chief judge"):
        enter(day, judge, station, "A1", "41", base=1)
    signoff.reopen_sheet(day["organizer"], day["event"], station, judge, "A1 differs from the other judges")
    assert enter(day, judge, station, "A1", "41", base=1).version == 2


def test_the_lock_waits_for_every_sheet_then_refuses_marks_and_corrections_need_a_reason(day):
    event = day["event"]
    with force_locale("en"), pytest.raises(Conflict, match="has not submitted"):
        signoff.lock_event(day["organizer"], event)
    for station, judges in judging.station_judges(event).items():
        for judge in judges:
            enter(day, judge, station, "A1", "50")
            enter(day, judge, station, "B1", "3")
            signoff.submit_sheet(judge, event, station)
    signoff.lock_event(day["organizer"], event)
    judge, station = first_assignment(day)
    with force_locale("en"), pytest.raises(Conflict, match="locked"):
        enter(day, judge, station, "A1", "40", base=1)
    mark = db.session.scalars(select(Mark)).first()
    with force_locale("en"), pytest.raises(InvalidInput, match="reason"):
        scoring.correct_mark(day["organizer"], day["supervisor"], event, mark, Decimal("48"), " ")
    saved = scoring.correct_mark(day["organizer"], day["supervisor"], event, mark, Decimal("48"), "appeal upheld")
    assert saved.version == 2
    version = db.session.scalar(select(MarkVersion).where(MarkVersion.version == 2))
    assert version.reason == "appeal upheld" and version.witness_id == day["supervisor"].id


@pytest.mark.parametrize("value", ["-1", "100.01", "88.888", "NaN"])
def test_a_theory_score_outside_0_to_100_or_with_three_decimals_is_refused(day, value):
    entry = venue.entries(day["event"])[0]
    with force_locale("en"), pytest.raises(InvalidInput, match="0 to 100"):
        scores.set_theory(day["organizer"], day["event"], entry, Decimal(value))


def test_theory_scores_and_time_used_are_kept_per_competitor_and_audited(day):
    from compete.audit.models import AuditEntry

    event = day["event"]
    entry = venue.entries(event)[0]
    scores.set_theory(day["organizer"], event, entry, Decimal("88.5"))
    scores.set_theory(day["organizer"], event, entry, Decimal("89"), source="exam system")
    scores.set_time_used(day["organizer"], event, entry.station_number, Decimal("95.5"))
    kept = scores.scores_by_entry(event)[entry.id]
    assert (kept.theory, kept.time_used_minutes) == (Decimal("89"), Decimal("95.5"))
    trail = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "scoring.theory")).all()
    assert [t.before["theory"] for t in trail] == [None, "88.50"]
    with force_locale("en"), pytest.raises(InvalidInput, match="minutes"):
        scores.set_time_used(day["organizer"], event, entry.station_number, Decimal("0"))
    with force_locale("en"), pytest.raises(InvalidInput, match="no station"):
        scores.set_time_used(day["organizer"], event, 999, Decimal("10"))


@pytest.mark.parametrize(("percent", "flagged"), [(20, True), (25, False)])
def test_the_chief_judge_matrix_flags_measurement_marks_by_the_events_own_threshold(day, percent, flagged):
    """A1 has a maximum of 60: 30 and 42.5 are 12.5 apart, over 20 % of it (12) and under 25 % (15)."""
    event = day["event"]
    event.discrepancy_percent = percent
    station = judging.stations_of(day["judges"][0], event)[0]
    for judge, value in zip(judging.station_judges(event)[station], ("30", "42.5"), strict=False):
        enter(day, judge, station, "A1", value)
    row = next(row for row in signoff.chief_matrix(event) if row["station"] == station)
    assert row["cells"][criterion(day, "A1").id].discrepant is flagged
