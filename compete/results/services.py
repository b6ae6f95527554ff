"""Results after the lock: the review sign-off, publication snapshots, and whether the results are final."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import defer

from compete.audit import services as audit
from compete.columns import utcnow
from compete.competitions.models import Competition, Event
from compete.errors import Conflict, InvalidInput
from compete.extensions import db
from compete.results.compute import EventResults, event_results
from compete.results.models import CompetitionResult, Publication, ResultReview
from compete.rules import idcard
from compete.venue import services as venue
from compete.venue.models import Entry


def has_competitors(event: Event) -> bool:
    """Events only set up for registration (no one checked in) have no results to publish."""
    return db.session.scalar(select(func.count()).select_from(Entry).where(Entry.event_id == event.id)) > 0


def result_events(competition: Competition) -> list[Event]:
    return [event for event in competition.events if has_competitors(event)]


def review_of(event: Event) -> ResultReview | None:
    return db.session.scalar(select(ResultReview).where(ResultReview.event_id == event.id))


def event_blockers(event: Event, results: EventResults) -> list[str]:
    """Why this event's results cannot be reviewed yet."""
    day = venue.event_day(event)
    problems = []
    if day.marks_locked_at is None:
        problems.append(str(_l("The chief judge has not locked the marks.")))
    if day.decrypted_at is None:
        problems.append(str(_l("The encryption officer has not decrypted the competitor mapping.")))
    return problems + list(results.problems)


def review(actor, event: Event, supervisor) -> ResultReview:
    """Record the review (复核): the chief judge's lock and the supervisor's check of exactly this table."""
    results = event_results(event)
    problems = event_blockers(event, results)
    if problems:
        raise Conflict(_l("The results cannot be reviewed yet: %(problems)s", problems=" ".join(problems)))
    signed = review_of(event) or ResultReview(event_id=event.id)
    before = {"digest": signed.digest} if signed.id else None
    signed.reviewed_by_id, signed.supervisor_id = actor.id, supervisor.id
    signed.chief_judge_id = venue.event_day(event).marks_locked_by_id
    signed.digest, signed.signed_at = results.digest, utcnow()
    db.session.add(signed)
    audit.record(
        actor,
        "results.review",
        event,
        competition_id=event.competition_id,
        before=before,
        after={"digest": results.digest, "supervisor": supervisor.username},
    )
    return signed


# --- publication ---------------------------------------------------------------------------------------------------


def latest_publication(competition_id: int) -> Publication | None:
    return db.session.scalar(
        select(Publication).where(Publication.competition_id == competition_id).order_by(Publication.version.desc())
    )


def computed_results(competition: Competition) -> list[tuple[Event, EventResults]]:
    """Every event with competitors and its computed results: computed once per request, then passed along."""
    return [(event, event_results(event)) for event in result_events(competition)]


def publish_blockers(competition: Competition, computed=None) -> list[str]:
    computed = computed_results(competition) if computed is None else computed
    if not computed:
        return [str(_l("No event of this competition has competitors yet."))]
    problems = []
    for event, results in computed:
        signed = review_of(event)
        if signed is None:
            problems.append(str(_l("%(event)s: the results have not been reviewed.", event=event.name)))
        elif signed.digest != results.digest:
            problems.append(
                str(_l("%(event)s: the results changed after the review; review them again.", event=event.name))
            )
    if final_state(competition).finalized_at is not None:
        problems.append(str(_l("The results are final; reopen them first.")))
    publication = latest_publication(competition.id)
    if not problems and publication is not None and not stale_events(competition, computed):
        problems.append(
            str(_l("Nothing changed since version %(version)d was published.", version=publication.version))
        )
    return problems


def _public_row(row) -> dict:
    return {
        "entry_id": row.entry_id,  # lets the registry find a person's published line; not shown
        "rank": row.rank,
        "name": row.name,
        "unit": row.unit,
        "id_number": idcard.mask(row.id_number),
        "status": row.status,
        "theory": None if row.theory is None else str(row.theory),
        "practical": None if row.practical is None else str(row.practical),
        "total": None if row.total is None else str(row.total),
        "award": row.award,
        "tied": row.tied,
    }


def _snapshot(competition: Competition, computed) -> tuple[dict, dict]:
    snapshot_events, digests = [], {}
    for event, results in computed:
        digests[event.code] = results.digest
        snapshot_events.append(
            {
                "code": event.code,
                "name": event.name,
                "award_scheme": str(event.award_scheme),
                "ranked_entrants": results.ranked_entrants,
                "theory_weight": format(event.theory_weight.normalize(), "f"),
                "practical_weight": format(event.practical_weight.normalize(), "f"),
                "rows": [_public_row(row) for row in results.rows],
            }
        )
    competition_facts = {
        "name": competition.name,
        "level": competition.level,
        "year": competition.year,
        "organizer_body": competition.organizer_body,
        "starts_on": competition.starts_on.isoformat(),
        "ends_on": competition.ends_on.isoformat(),
    }
    return {"competition": competition_facts, "events": snapshot_events}, digests


def publish(
    actor, competition: Competition, *, publicity_days: int, appeal_hours: int | None = None, note: str = ""
) -> Publication:
    """Publish (公示) a snapshot of the reviewed results; a later version replaces it on the public pages."""
    if not 0 <= publicity_days <= 30:
        raise InvalidInput(_l("The publicity period is between 0 and 30 days."), "publicity_days")
    computed = computed_results(competition)
    problems = publish_blockers(competition, computed)
    if problems:
        raise Conflict(_l("The results cannot be published yet: %(problems)s", problems=" ".join(problems)))
    earlier = latest_publication(competition.id)
    if earlier is not None and not note.strip():
        raise InvalidInput(_l("Say why the results are published again (e.g. the appeal that was upheld)."), "note")
    now = utcnow()
    ends = now + timedelta(days=publicity_days)
    snapshot, digests = _snapshot(competition, computed)
    publication = Publication(
        competition_id=competition.id,
        version=(earlier.version + 1) if earlier is not None else 1,
        published_at=now,
        published_by_id=actor.id,
        publicity_ends_at=ends,
        appeals_close_at=now + timedelta(hours=appeal_hours) if appeal_hours is not None else ends,
        note=note.strip(),
        snapshot=snapshot,
        digests=digests,
    )
    db.session.add(publication)
    audit.record(
        actor,
        "results.publish",
        competition,
        competition_id=competition.id,
        after={"version": publication.version, "publicity_ends_at": ends, "note": publication.note},
    )
    return publication


def stale_events(competition: Competition, computed=None) -> list[str]:
    """Events whose results changed since the latest publication (a correction after an upheld appeal)."""
    publication = latest_publication(competition.id)
    if publication is None:
        return []
    computed = computed_results(competition) if computed is None else computed
    return [event.name for event, results in computed if publication.digests.get(event.code) != results.digest]


# --- finalization --------------------------------------------------------------------------------------------------


def final_state(competition: Competition) -> CompetitionResult:
    state = db.session.get(CompetitionResult, competition.id)
    if state is None:
        state = CompetitionResult(competition_id=competition.id)
        db.session.add(state)
    return state


def is_final(competition_id: int) -> bool:
    state = db.session.get(CompetitionResult, competition_id)
    return state is not None and state.finalized_at is not None


def latest_publication_header(competition_id: int) -> Publication | None:
    """The latest publication without its snapshot: the public pages find their cached body by its id first."""
    return db.session.scalar(
        select(Publication)
        .options(defer(Publication.snapshot), defer(Publication.digests))
        .where(Publication.competition_id == competition_id)
        .order_by(Publication.version.desc())
        .limit(1)
    )


# --- export ---------------------------------------------------------------------------------------------------------


def _figure(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def results_export(competition: Competition, outcomes: dict[int, dict] | None = None) -> dict:
    """Every event's results as plain data, in the results-export format of DESIGN.md (ordered by rank).

    ``outcomes`` maps an entry to its titles, nominations, promotion and basis (the honours step supplies them).
    """
    outcomes = outcomes or {}
    none = {"titles": [], "nominations": [], "promotion": None, "basis": []}
    events = []
    for event in competition.events:
        rows = event_results(event).rows if has_competitors(event) else ()
        events.append(
            {
                "code": event.code,
                "name": event.name,
                "results": [
                    {
                        "id_number": row.id_number,
                        "name": row.name,
                        "rank": row.rank,
                        "theory": _figure(row.theory),
                        "practical": _figure(row.practical),
                        "total": _figure(row.total),
                        "award": row.award,
                        **outcomes.get(row.entry_id, none),
                    }
                    for row in rows
                ],
            }
        )
    facts = {
        "id": competition.id,
        "name": competition.name,
        "level": competition.level,
        "year": competition.year,
        "policy": competition.policy_preset,
        "final": is_final(competition.id),
    }
    return {"competition": facts, "events": events}


def record_export(actor, competition: Competition, kind: str, *, rows: int) -> None:
    """Exports carry names and ID numbers: each is in the trail."""
    audit.record_export(actor, "results", competition, rows=rows, competition_id=competition.id, format=kind)
