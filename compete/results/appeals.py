"""Appeals (申诉) and the arbitration group's decisions: appeals upheld or rejected, exact ties ordered."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.accounts.models import Role
from compete.audit import services as audit
from compete.columns import utcnow
from compete.competitions.models import Competition, Event
from compete.errors import Conflict, InvalidInput, NotAllowed
from compete.extensions import db
from compete.results.compute import event_results
from compete.results.models import Appeal, AppealStatus, TieDecision
from compete.results.services import is_final, latest_publication, latest_publication_header
from compete.venue.models import Entry


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


def appeals_open(competition_id: int) -> bool:
    publication = latest_publication_header(competition_id)
    return publication is not None and utcnow() <= publication.appeals_close_at and not is_final(competition_id)


def entry_of(registration) -> Entry | None:
    return db.session.scalar(select(Entry).where(Entry.registration_id == registration.id))
