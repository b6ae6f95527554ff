"""Results after the lock: computed from marks, reviewed, published as a snapshot, appealed, corrected, final."""

from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from compete.errors import Conflict, InvalidInput, NotAllowed
from compete.extensions import db
from compete.results import appeals, finalization
from compete.results import services as results
from compete.results.compute import event_results
from compete.results.models import AppealStatus, Publication
from compete.scoring import services as scoring
from compete.scoring.models import Mark
from compete.venue import services as venue
from compete.venue.models import Entry
from tests.venue_world import build_day, score_the_day, staff_the_day


@pytest.fixture
def day(ctx):
    with force_locale("en"):
        yield score_the_day(staff_the_day(build_day()))


def entry_at(event, station):
    return db.session.scalar(select(Entry).where(Entry.event_id == event.id, Entry.station_number == station))


def test_results_are_computed_from_the_marks_and_ranked_by_total(day):
    computed = event_results(day["event"])
    assert computed.problems == () and computed.ranked_entrants == 6
    # A1 (max 60) gets 20 + 5 × station, B1 (max 40) a judgement 2 → 26.67; practical = (A1 + 26.67) / 100 × 100.
    best = computed.rows[0]
    assert (best.station_number, best.rank, best.award) == (6, 1, "gold")
    assert best.practical == Decimal("76.67")  # (50 + 80/3) / 100 × 100
    assert best.total == Decimal("77.67")  # 80 × 0.3 + 76.67 × 0.7 = 24 + 53.669 → 77.67
    assert [row.rank for row in computed.rows] == [1, 2, 3, 4, 5, 6]
    assert [row.award for row in computed.rows] == ["gold", "silver", "bronze", None, None, None]
    assert [row.separated_by for row in computed.rows] == [None, "total", "total", "total", "total", "total"]


def test_equal_competitors_share_a_rank_unless_the_event_forbids_it(ctx):
    with force_locale("en"):
        built = score_the_day(staff_the_day(build_day()), a1_by_station={1: 40, 2: 40, 3: 40, 4: 40, 5: 40, 6: 40})
    event = built["event"]
    assert [row.rank for row in event_results(event).rows] == [1, 1, 1, 1, 1, 1]
    event.shared_ranks = False
    computed = event_results(event)
    assert len(computed.unresolved_ties) == 1 and len(computed.unresolved_ties[0]) == 6
    with force_locale("en"):
        assert any("tie must be ordered" in p for p in finalization.finalize_blockers(built["competition"]))
        with pytest.raises(NotAllowed):
            appeals.decide_tie(built["organizer"], event, list(computed.unresolved_ties[0]), "draw of lots")
        order = sorted(computed.unresolved_ties[0])
        appeals.decide_tie(built["supervisor"], event, order, "drawn by lot before the arbitration group")
    ranked = event_results(event)
    assert ranked.unresolved_ties == () and [row.rank for row in ranked.rows] == [1, 2, 3, 4, 5, 6]
    assert [row.entry_id for row in ranked.rows] == order
    assert ranked.rows[1].separated_by == "arbitration"


def test_absent_and_disqualified_competitors_are_unranked_and_not_counted(day):
    event, organizer = day["event"], day["organizer"]
    with force_locale("en"):
        venue.disqualify(organizer, event, entry_at(event, 6), "used a prohibited tool")
    computed = event_results(event)
    assert computed.ranked_entrants == 5
    last = computed.rows[-1]
    assert (last.station_number, last.status, last.rank, last.award) == (6, "disqualified", None, None)


def test_publishing_needs_a_review_of_exactly_the_current_table(day):
    event, competition, organizer = day["event"], day["competition"], day["organizer"]
    with force_locale("en"):
        with pytest.raises(Conflict, match="not been reviewed"):
            results.publish(organizer, competition, publicity_days=5)
        signed = results.review(organizer, event, day["supervisor"])
        assert signed.chief_judge_id == organizer.id  # the organizer locked in this world
        publication = results.publish(organizer, competition, publicity_days=5)
    assert publication.version == 1
    with force_locale("en"), pytest.raises(Conflict, match="Nothing changed since version 1"):
        results.publish(organizer, competition, publicity_days=5, note="again")
    rows = publication.snapshot["events"][0]["rows"]
    assert rows[0]["rank"] == 1 and rows[0]["award"] == "gold"
    assert "*" in rows[0]["id_number"] and len(rows[0]["id_number"]) == 18
    public = {
        "entry_id",
        "rank",
        "name",
        "unit",
        "id_number",
        "status",
        "theory",
        "practical",
        "total",
        "award",
        "tied",
    }
    assert all(set(row) == public for row in rows)  # only the public fields, no full ID number


def test_an_upheld_appeal_leads_to_a_correction_and_a_new_publication(day):
    event, competition, organizer, supervisor = day["event"], day["competition"], day["organizer"], day["supervisor"]
    with force_locale("en"):
        results.review(organizer, event, supervisor)
        results.publish(organizer, competition, publicity_days=5)
        entry = entry_at(event, 1)
        appeal = appeals.file_appeal(organizer, entry, "The A1 mark of station 1 was entered as 25, it measured 55.")
        assert "appeal(s) still open" in " ".join(finalization.finalize_blockers(competition))
        with pytest.raises(NotAllowed):
            appeals.decide_appeal(organizer, appeal, upheld=True, decision="-")
        appeals.decide_appeal(supervisor, appeal, upheld=True, decision="Measured again: 55.")
        assert appeal.status == AppealStatus.UPHELD
        a1 = next(c for c in event.criteria if c.code == "A1")
        for mark in db.session.scalars(select(Mark).where(Mark.station_number == 1, Mark.criterion_id == a1.id)):
            scoring.correct_mark(organizer, supervisor, event, mark, Decimal(55), "appeal upheld: measured again")
        assert results.stale_events(competition) == [event.name]
        with pytest.raises(Conflict, match="review them again"):
            results.publish(organizer, competition, publicity_days=5, note="appeal upheld")
        results.review(organizer, event, supervisor)
        with pytest.raises(InvalidInput, match="Say why"):
            results.publish(organizer, competition, publicity_days=5)
        republished = results.publish(organizer, competition, publicity_days=5, note="Appeal 1 upheld")
    assert republished.version == 2
    top = republished.snapshot["events"][0]["rows"][0]
    assert top["rank"] == 1 and top["total"] == "81.17"  # station 1 now leads: A1 55, practical 81.67
    assert results.latest_publication(competition.id).id == republished.id


def test_finalization_lists_its_blockers_and_final_results_are_immutable(day):
    event, competition, organizer, supervisor = day["event"], day["competition"], day["organizer"], day["supervisor"]
    with force_locale("en"):
        assert "not been published" in " ".join(finalization.finalize_blockers(competition))
        results.review(organizer, event, supervisor)
        publication = results.publish(organizer, competition, publicity_days=5)
        assert "publicity period has not ended" in " ".join(finalization.finalize_blockers(competition))
        with pytest.raises(Conflict):
            finalization.finalize(organizer, competition)
        publication.publicity_ends_at -= timedelta(days=6)
        publication.appeals_close_at -= timedelta(days=6)
        assert finalization.finalize_blockers(competition) == []
        finalization.finalize(organizer, competition)
        mark = db.session.scalar(select(Mark).where(Mark.event_id == event.id))
        with pytest.raises(Conflict, match="final"):
            scoring.correct_mark(organizer, supervisor, event, mark, Decimal(1), "late change")
        with pytest.raises(Conflict, match="deadline"):
            appeals.file_appeal(organizer, entry_at(event, 1), "too late")
        with pytest.raises(InvalidInput):
            finalization.reopen(organizer, competition, " ")
        finalization.reopen(organizer, competition, "Court order to re-examine station 1")
        assert not results.is_final(competition.id)
    assert db.session.scalar(select(Publication.version)) == 1
