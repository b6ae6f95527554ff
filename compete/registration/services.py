"""Registering for events, withdrawing, and the organizer's eligibility review."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from compete import labels
from compete.audit import services as audit
from compete.columns import local_now, utcnow
from compete.competitions.models import Event
from compete.errors import CompeteError, Conflict, InvalidInput, NotAllowed, RowErrors
from compete.extensions import db
from compete.people import services as people
from compete.people.models import Person, Unit
from compete.registration.models import Registration, RegistrationSource, RegistrationStatus
from compete.rules import eligibility, grades

ACTIVE = (RegistrationStatus.SUBMITTED, RegistrationStatus.APPROVED)
SELF_SERVICE = (RegistrationSource.PORTAL, RegistrationSource.UNIT)
MAX_REASON_LENGTH = 500


def requirements_for(event: Event) -> eligibility.Requirements:
    return eligibility.Requirements(
        competition_date=event.competition.starts_on,
        min_age=event.min_age,
        max_age=event.max_age,
        required_grade=event.required_grade,
        region_ids=frozenset(r.id for r in event.eligible_regions),
        capacity=event.capacity,
    )


def applicant_for(person: Person, unit: Unit | None) -> eligibility.Applicant:
    region = unit.region if unit is not None else None
    return eligibility.Applicant(
        birth_date=person.birth_date,
        grade=person.grade,
        region_ids=frozenset(region.lineage_ids()) if region else frozenset(),
    )


def approved_count(event: Event, excluding: Registration | None = None) -> int:
    query = (
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.APPROVED)
    )
    if excluding is not None and excluding.id is not None:
        query = query.where(Registration.id != excluding.id)
    return db.session.scalar(query)


def eligibility_failures(
    registration: Registration, *, approved_in_event: int | None = None
) -> list[eligibility.Failure]:
    """The checks this registration fails; pass approved_in_event when checking many of one event at once."""
    event = registration.event
    if approved_in_event is None:
        others = approved_count(event, excluding=registration)
    else:
        others = approved_in_event - (registration.status == RegistrationStatus.APPROVED)
    return eligibility.check(
        requirements_for(event), applicant_for(registration.person, registration.unit), approved_count=others
    )


def describe_failure(failure: eligibility.Failure) -> str:
    """The reviewer's (and the applicant's) reading of one failed check."""
    facts = failure.facts
    if failure.check == "too_young":
        return str(_l("Aged %(age)d on the competition date; the minimum is %(min_age)d.", **facts))
    if failure.check == "too_old":
        return str(_l("Aged %(age)d on the competition date; the maximum is %(max_age)d.", **facts))
    if failure.check == "grade":
        return str(
            _l(
                "Holds %(grade)s; the event requires %(required)s or higher.",
                grade=labels.localized(grades.get(facts["grade"])),
                required=labels.localized(grades.get(facts["required_grade"])),
            )
        )
    if failure.check == "region":
        return str(_l("The unit is not in a region this event is open to."))
    return str(_l("The event is full: %(approved)d of %(capacity)d places are taken.", **facts))


def _check_window(event: Event, now: datetime) -> None:
    state = eligibility.window_state(event.registration_opens_at, event.registration_closes_at, now)
    if state == "not_open":
        raise InvalidInput(_l("Registration for this event is not open yet."))
    if state == "closed":
        raise InvalidInput(
            _l(
                "Registration for this event closed on %(when)s.",
                when=event.registration_closes_at.strftime("%Y-%m-%d %H:%M"),
            )
        )


def find_registration(event: Event, person: Person) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.person_id == person.id)
    )


def register(
    actor,
    event: Event,
    person: Person,
    *,
    source: RegistrationSource,
    unit: Unit | None = None,
    now: datetime | None = None,
) -> Registration:
    """Enter a person for an event; a withdrawn or rejected entry is submitted again, never duplicated."""
    if source in SELF_SERVICE:
        _check_window(event, now or local_now())
    existing = find_registration(event, person)
    if existing is not None and existing.status in ACTIVE:
        raise Conflict(_l("%(name)s is already registered for this event.", name=person.name))
    if event.capacity is not None and approved_count(event) >= event.capacity:
        raise InvalidInput(_l("The event is full: all %(capacity)d places are taken.", capacity=event.capacity))
    registration = existing or Registration(event=event, person=person)
    registration.status = RegistrationStatus.SUBMITTED
    registration.source = RegistrationSource(source)
    registration.unit = unit if unit is not None else person.unit
    registration.submitted_by = actor
    registration.submitted_at = utcnow()
    registration.decided_by = registration.decided_at = registration.rejection_reason = None
    registration.override_reason = None
    db.session.add(registration)
    audit.record(
        actor,
        "registration.submit",
        registration,
        competition_id=event.competition_id,
        after={"event": event.code, "person": person.id, "source": registration.source},
    )
    return registration


def withdraw(actor, registration: Registration, *, now: datetime | None = None) -> None:
    if registration.status not in ACTIVE:
        raise InvalidInput(_l("Only a submitted or approved registration can be withdrawn."))
    if not actor.is_staff:
        event = registration.event
        if (
            eligibility.window_state(event.registration_opens_at, event.registration_closes_at, now or local_now())
            != "open"
        ):
            raise InvalidInput(_l("Registration has closed: ask the organizer to withdraw you."))
    before = registration.status
    registration.status = RegistrationStatus.WITHDRAWN
    audit.record(
        actor,
        "registration.withdraw",
        registration,
        competition_id=registration.event.competition_id,
        before={"status": before},
        after={"status": registration.status},
    )


def approve(actor, registration: Registration, *, override_reason: str | None = None) -> None:
    """Approve; a failed eligibility check needs a stated reason, and a full event cannot take more."""
    if registration.status not in (RegistrationStatus.SUBMITTED, RegistrationStatus.REJECTED):
        raise InvalidInput(_l("Only a submitted or rejected registration can be approved."))
    failures = eligibility_failures(registration)
    full = [failure for failure in failures if failure.check == "capacity"]
    if full:
        raise Conflict(describe_failure(full[0]))
    override_reason = (override_reason or "").strip()[:MAX_REASON_LENGTH] or None
    if failures and override_reason is None:
        raise InvalidInput(
            _l(
                "%(name)s does not meet the requirements: %(why)s Give a reason to approve anyway.",
                name=registration.person.name,
                why=" ".join(map(describe_failure, failures)),
            ),
            "override_reason",
        )
    _decide(actor, registration, RegistrationStatus.APPROVED, override_reason=override_reason if failures else None)


def reject(actor, registration: Registration, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_l("Give the reason for the rejection: the applicant will see it."), "reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(_l("At most %(max)d characters.", max=MAX_REASON_LENGTH), "reason")
    if registration.status not in ACTIVE:
        raise InvalidInput(_l("Only a submitted or approved registration can be rejected."))
    _decide(actor, registration, RegistrationStatus.REJECTED, rejection_reason=reason)


def _decide(actor, registration, status, *, rejection_reason=None, override_reason=None) -> None:
    before = registration.status
    registration.status = status
    registration.decided_by = actor
    registration.decided_at = utcnow()
    registration.rejection_reason = rejection_reason
    registration.override_reason = override_reason
    audit.record(
        actor,
        f"registration.{status.value}",
        registration,
        competition_id=registration.event.competition_id,
        before={"status": before},
        after={"status": status, "reason": rejection_reason or override_reason},
    )


def decide_many(actor, registrations, *, approve_them: bool, reason: str = "") -> list[tuple[Registration, str]]:
    """Approve or reject each; returns the ones refused with why, the others are decided."""
    refused = []
    for registration in registrations:
        # approve and reject check everything before they change anything, so a refusal leaves no trace.
        try:
            if approve_them:
                approve(actor, registration, override_reason=reason or None)
            else:
                reject(actor, registration, reason)
        except (InvalidInput, Conflict, NotAllowed) as error:
            refused.append((registration, str(error.message)))
    return refused


def register_people(
    actor,
    event: Event,
    rows: list[tuple[int, dict]],
    *,
    unit: Unit | None,
    source: RegistrationSource,
    now: datetime | None = None,
) -> list[Registration]:
    """Enter several people at once; any refused row refuses the whole batch (RowErrors names each)."""
    registered, errors = [], []
    for index, row in rows:
        try:
            if not row.get("name") or not row.get("id_number"):
                raise InvalidInput(
                    _l("Enter both the name and the ID number."), "name" if not row.get("name") else "id_number"
                )
            person = people.match_or_add_person(
                actor,
                name=row["name"],
                id_number=row["id_number"],
                phone=row.get("phone"),
                unit=unit,
                grade=row.get("grade") or "none",
            )
            registered.append(register(actor, event, person, source=source, unit=unit, now=now))
        except CompeteError as error:
            errors.append((index, error))
    if errors:
        raise RowErrors(errors)
    return registered


def open_events(now: datetime | None = None) -> list[Event]:
    """Events of announced competitions whose registration window is open now."""
    from compete.competitions.models import Competition

    now = now or local_now()
    return db.session.scalars(
        select(Event)
        .join(Competition)
        .where(Competition.announced.is_(True), Event.registration_opens_at <= now, Event.registration_closes_at > now)
        .order_by(Competition.starts_on, Event.code)
    ).all()


def event_registrations(event: Event, status: RegistrationStatus | None = None) -> list[Registration]:
    query = (
        select(Registration)
        .where(Registration.event_id == event.id)
        .join(Person)
        .order_by(Registration.submitted_at, Person.name)
    )
    if status is not None:
        query = query.where(Registration.status == status)
    return db.session.scalars(query).all()


def record_id_reveal(actor, event: Event, count: int, purpose: str) -> None:
    """Full ID numbers leave the masked view only with an audit entry (PIPL: who saw or exported what)."""
    audit.record(
        actor,
        "registration.reveal_ids",
        event,
        competition_id=event.competition_id,
        after={"event": event.code, "count": count, "purpose": purpose},
    )


def registration_by_ticket(token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Registration).where(Registration.ticket_token == token))


def record_export(actor, event: Event, count: int, *, full_id_numbers: bool) -> None:
    """Every export of personal data is audited, with whether it carried full ID numbers (PIPL)."""
    audit.record(
        actor,
        "registration.export",
        event,
        competition_id=event.competition_id,
        after={"event": event.code, "count": count, "full_id_numbers": full_id_numbers},
    )
