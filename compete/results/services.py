"""Results after the lock: review sign-off, publication snapshots, appeals, arbitrated ties and finalization."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import defer

from compete.accounts.models import Role
from compete.audit import services as audit
from compete.columns import utcnow
from compete.competitions.models import Competition, Event
from compete.errors import Conflict, InvalidInput, NotAllowed
from compete.extensions import db
from compete.results.compute import EventResults, event_results
from compete.results.models import Appeal, AppealStatus, CompetitionResult, Publication, ResultReview, TieDecision
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


def publish_blockers(competition: Competition) -> list[str]:
    events = result_events(competition)
    if not events:
        return [str(_l("No event of this competition has competitors yet."))]
    problems = []
    for event in events:
        signed, results = review_of(event), event_results(event)
        if signed is None:
            problems.append(str(_l("%(event)s: the results have not been reviewed.", event=event.name)))
        elif signed.digest != results.digest:
            problems.append(
                str(_l("%(event)s: the results changed after the review; review them again.", event=event.name))
            )
    if final_state(competition).finalized_at is not None:
        problems.append(str(_l("The results are final; reopen them first.")))
    publication = latest_publication(competition.id)
    if not problems and publication is not None and not stale_events(competition):
        problems.append(
            str(_l("Nothing changed since version %(version)d was published.", version=publication.version))
        )
    return problems


def _public_row(row) -> dict:
    return {
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


def _snapshot(competition: Competition, events: list[Event]) -> tuple[dict, dict]:
    snapshot_events, digests = [], {}
    for event in events:
        results = event_results(event)
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
    problems = publish_blockers(competition)
    if problems:
        raise Conflict(_l("The results cannot be published yet: %(problems)s", problems=" ".join(problems)))
    earlier = latest_publication(competition.id)
    if earlier is not None and not note.strip():
        raise InvalidInput(_l("Say why the results are published again (e.g. the appeal that was upheld)."), "note")
    now = utcnow()
    ends = now + timedelta(days=publicity_days)
    snapshot, digests = _snapshot(competition, result_events(competition))
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


def stale_events(competition: Competition) -> list[str]:
    """Events whose results changed since the latest publication (a correction after an upheld appeal)."""
    publication = latest_publication(competition.id)
    if publication is None:
        return []
    return [
        event.name
        for event in result_events(competition)
        if publication.digests.get(event.code) != event_results(event).digest
    ]


# --- appeals -------------------------------------------------------------------------------------------------------


def may_appeal_for(user, entry: Entry) -> bool:
    """The competitor themselves, their unit's contact, or the organizer recording a written appeal."""
    registration = entry.registration
    if user.role == Role.COMPETITOR:
        return user.person_id is not None and user.person_id == registration.person_id
    if user.role == Role.UNIT_CONTACT:
        return user.unit_id is not None and user.unit_id == registration.unit_id
    return user.role in (Role.ADMIN, Role.ORGANIZER)


def file_appeal(user, entry: Entry, grounds: str) -> Appeal:
    event = entry.registration.event
    if not may_appeal_for(user, entry):
        raise NotAllowed(_l("You can appeal only about your own result or your unit's."))
    if not grounds.strip():
        raise InvalidInput(_l("Write the grounds of the appeal."), "grounds")
    publication = latest_publication(event.competition_id)
    if publication is None:
        raise Conflict(_l("The results are not published yet: appeals open with the publication."))
    if utcnow() > publication.appeals_close_at:
        raise Conflict(_l("The deadline for appeals has passed."))
    appeal = Appeal(event_id=event.id, entry_id=entry.id, filed_by_id=user.id, grounds=grounds.strip())
    db.session.add(appeal)
    audit.record(user, "appeal.file", appeal, competition_id=event.competition_id, after={"entry": entry.id})
    return appeal


def appeals_of(competition: Competition, *, status: AppealStatus | None = None) -> list[Appeal]:
    query = select(Appeal).join(Event).where(Event.competition_id == competition.id).order_by(Appeal.filed_at)
    if status is not None:
        query = query.where(Appeal.status == status)
    return list(db.session.scalars(query))


def open_appeals(user=None) -> list[Appeal]:
    query = select(Appeal).where(Appeal.status == AppealStatus.OPEN).order_by(Appeal.filed_at)
    if user is not None:
        query = query.where(Appeal.filed_by_id == user.id)
    return list(db.session.scalars(query))


def decide_appeal(arbitrator, appeal: Appeal, *, upheld: bool, decision: str) -> None:
    """The arbitration group's decision; upheld, the chief judge corrects the marks and the results are republished."""
    if arbitrator.role != Role.SUPERVISOR:
        raise NotAllowed(_l("Only the arbitration group (a supervisor) decides appeals."))
    if appeal.status != AppealStatus.OPEN:
        raise Conflict(_l("This appeal is already decided."))
    if not decision.strip():
        raise InvalidInput(_l("Give the reason for the decision."), "decision")
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.decided_by_id, appeal.decided_at, appeal.decision = arbitrator.id, utcnow(), decision.strip()
    audit.record(
        arbitrator,
        "appeal.decide",
        appeal,
        competition_id=appeal.event.competition_id,
        after={"status": str(appeal.status), "decision": appeal.decision},
    )


# --- ties under "no shared ranks" ----------------------------------------------------------------------------------


def decide_tie(arbitrator, event: Event, entry_ids: list[int], reason: str) -> TieDecision:
    if arbitrator.role != Role.SUPERVISOR:
        raise NotAllowed(_l("Only the arbitration group (a supervisor) decides the order of a tie."))
    if not reason.strip():
        raise InvalidInput(_l("Give the reason for this order."), "reason")
    unresolved = [set(group) for group in event_results(event).unresolved_ties]
    if set(entry_ids) not in unresolved or len(set(entry_ids)) != len(entry_ids):
        raise InvalidInput(_l("Order exactly the competitors of one unresolved tie, each once."), "order")
    decision = TieDecision(
        event_id=event.id, entry_ids=list(entry_ids), reason=reason.strip(), decided_by_id=arbitrator.id
    )
    db.session.add(decision)
    audit.record(
        arbitrator, "results.decide_tie", event, competition_id=event.competition_id, after={"order": list(entry_ids)}
    )
    return decision


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


def finalize_blockers(competition: Competition, now: datetime | None = None) -> list[str]:
    """Everything that stands between these results and final ones, each named (DOMjudge-style)."""
    now = now or utcnow()
    problems = []
    for event in result_events(competition):
        day, results = venue.event_day(event), event_results(event)
        if day.marks_locked_at is None:
            problems.append(str(_l("%(event)s: the marks are not locked.", event=event.name)))
        if results.unresolved_ties:
            problems.append(
                str(
                    _l("%(event)s: a tie must be ordered by the arbitration group (no shared ranks).", event=event.name)
                )
            )
    open_count = len(appeals_of(competition, status=AppealStatus.OPEN))
    if open_count:
        problems.append(str(_l("%(count)d appeal(s) still open.", count=open_count)))
    publication = latest_publication(competition.id)
    if publication is None:
        problems.append(str(_l("The results have not been published.")))
    else:
        if now < publication.publicity_ends_at:
            problems.append(str(_l("The publicity period has not ended.")))
        for name in stale_events(competition):
            problems.append(str(_l("%(event)s: the results changed since publication; publish again.", event=name)))
    if final_state(competition).finalized_at is not None:
        problems.append(str(_l("The results are already final.")))
    return problems


def finalize(actor, competition: Competition) -> None:
    problems = finalize_blockers(competition)
    if problems:
        raise Conflict(_l("The results cannot be finalized yet: %(problems)s", problems=" ".join(problems)))
    state = final_state(competition)
    state.finalized_at, state.finalized_by_id = utcnow(), actor.id
    audit.record(actor, "results.finalize", competition, competition_id=competition.id, after={"final": True})


def reopen(actor, competition: Competition, reason: str) -> None:
    """A formal reopening of final results: the reason is kept and audited."""
    state = final_state(competition)
    if state.finalized_at is None:
        raise Conflict(_l("The results are not final."))
    if not reason.strip():
        raise InvalidInput(_l("Give the reason for reopening final results."), "reason")
    before = {"finalized_at": state.finalized_at}
    state.finalized_at, state.finalized_by_id = None, None
    state.reopened_at, state.reopened_by_id, state.reopen_reason = utcnow(), actor.id, reason.strip()
    audit.record(
        actor, "results.reopen", competition, competition_id=competition.id, before=before, after={"reason": reason}
    )


# --- export --------------------------------------------------------------------------------------------------------


def _figure(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def results_export(competition: Competition) -> dict:
    """Every event's results as plain data, in the results-export format of DESIGN.md (ordered by rank)."""
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
                        # Titles, nominations and promotions come from the competition's policy (the honours step).
                        "titles": [],
                        "nominations": [],
                        "promotion": None,
                        "basis": [],
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


def record_export(actor, competition: Competition, kind: str) -> None:
    """Exports carry names and ID numbers: each is in the trail."""
    audit.record(actor, "results.export", competition, competition_id=competition.id, after={"format": kind})


def latest_publication_header(competition_id: int) -> Publication | None:
    """The latest publication without its snapshot: the public pages find their cached body by its id first."""
    return db.session.scalar(
        select(Publication)
        .options(defer(Publication.snapshot), defer(Publication.digests))
        .where(Publication.competition_id == competition_id)
        .order_by(Publication.version.desc())
        .limit(1)
    )


def appeals_open(competition_id: int) -> bool:
    publication = latest_publication_header(competition_id)
    return publication is not None and utcnow() <= publication.appeals_close_at and not is_final(competition_id)


def entry_of(registration) -> Entry | None:
    return db.session.scalar(select(Entry).where(Entry.registration_id == registration.id))
