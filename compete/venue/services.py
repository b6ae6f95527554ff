"""The competition day: check-in, the two sealed draws, decryption, judges, avoidance and tablet links."""

import re
import unicodedata

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from compete.accounts import services as accounts
from compete.accounts.models import Role, User
from compete.audit import services as audit
from compete.columns import utcnow
from compete.competitions.models import Event
from compete.errors import Conflict, InvalidInput, NotAllowed
from compete.extensions import db
from compete.registration.models import Registration, RegistrationStatus
from compete.rules import draw
from compete.venue.models import (
    Attendance,
    Draw,
    DrawMethod,
    DrawStage,
    Entry,
    EventDay,
    StationJudge,
)

TICKET_NUMBER = re.compile(r"^(?P<code>.+)-(?P<id>\d{1,9})$")


def audit_day(actor, action: str, event: Event, **after) -> None:
    audit.record(actor, action, event, competition_id=event.competition_id, after={"event": event.code, **after})


def event_day(event: Event) -> EventDay:
    day = db.session.get(EventDay, event.id)
    if day is None:
        day = EventDay(event_id=event.id)
        db.session.add(day)
        db.session.flush()
    return day


def assign_officer(actor, event: Event, officer: User) -> None:
    """The encryption officer who holds this event's sealed mapping."""
    if officer.role != Role.ENCRYPTION_OFFICER:
        raise InvalidInput(_l("Choose an account with the encryption officer role."), "officer")
    event_day(event).officer_id = officer.id
    audit_day(actor, "venue.officer", event, officer=officer.username)


def officer_events(officer: User) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event).join(EventDay, EventDay.event_id == Event.id).where(EventDay.officer_id == officer.id)
        )
    )


def witness(username: str, password: str) -> User:
    """The supervisor who co-signs on the same screen with their own password."""
    user = accounts.check_credentials(username or "", password or "")
    if user is None or user.role != Role.SUPERVISOR:
        raise NotAllowed(_l("A supervisor must witness this: enter a supervisor's username and password."), "witness")
    return user


# --- check-in ------------------------------------------------------------------------------------------------------


def entries(event: Event) -> list[Entry]:
    """The event's approved competitors on the day; an entry is made for each newly approved one."""
    have = {
        entry.registration_id: entry for entry in db.session.scalars(select(Entry).where(Entry.event_id == event.id))
    }
    approved = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.APPROVED
        )
    )
    for registration in approved:
        if registration.id not in have:
            have[registration.id] = Entry(event_id=event.id, registration=registration)
            db.session.add(have[registration.id])
    db.session.flush()
    return sorted(have.values(), key=lambda entry: entry.registration_id)


def attendance_counts(event: Event) -> dict[str, int]:
    counts = dict.fromkeys((a.value for a in Attendance), 0)
    for entry in entries(event):
        counts[entry.attendance.value] += 1
    return counts


def find_ticket(event: Event, text: str) -> Entry:
    """The entry of a scanned QR token or a typed ticket number (HG-W-00012), refused when not this event's."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    if not cleaned:
        raise InvalidInput(_l("Scan the ticket's QR code or type its ticket number."), "ticket")
    registration = _registration_by_ticket(cleaned)
    if registration is None:
        raise InvalidInput(_l("No admission ticket has the number %(number)s.", number=cleaned[:40]), "ticket")
    if registration.event.competition_id != event.competition_id:
        raise InvalidInput(
            _l("This ticket is for another competition: %(name)s.", name=registration.event.competition.name), "ticket"
        )
    if registration.event_id != event.id:
        raise InvalidInput(
            _l(
                "This ticket is for another event: %(code)s %(name)s.",
                code=registration.event.code,
                name=registration.event.name,
            ),
            "ticket",
        )
    if registration.status != RegistrationStatus.APPROVED:
        raise InvalidInput(_l("This registration is not approved: the ticket is not valid."), "ticket")
    return next(entry for entry in entries(event) if entry.registration_id == registration.id)


def _registration_by_ticket(text: str) -> Registration | None:
    match = TICKET_NUMBER.match(text.upper())
    if match:
        registration = db.session.get(Registration, int(match["id"]))
        if registration is not None and registration.event.code.upper() == match["code"]:
            return registration
    # A scanned QR code carries the ticket's page address; its last part is the token.
    token = text.rstrip("/").rsplit("/", 1)[-1]
    return db.session.scalar(select(Registration).where(Registration.ticket_token == token))


def check_in(actor, event: Event, entry: Entry) -> None:
    day = event_day(event)
    if day.check_in_closed_at is not None:
        raise Conflict(_l("Check-in for this event is closed."))
    if entry.attendance == Attendance.PRESENT:
        raise Conflict(
            _l(
                "Already checked in at %(time)s by %(name)s.",
                time=format_datetime(entry.checked_in_at, "HH:mm"),
                name=entry.checked_in_by.display_name if entry.checked_in_by else "-",
            )
        )
    entry.attendance, entry.checked_in_at, entry.checked_in_by = Attendance.PRESENT, utcnow(), actor
    audit_day(actor, "venue.check_in", event, registration=entry.registration_id)


def record_refused_check_in(actor, event: Event, text: str, message: str) -> None:
    """A refused ticket is evidence too (someone tried a ticket of another event, or one twice)."""
    audit_day(actor, "venue.check_in_refused", event, ticket=(text or "")[:80], reason=str(message))


def close_check_in(actor, event: Event) -> int:
    """Everyone not present is marked absent; returns how many."""
    day = event_day(event)
    if day.check_in_closed_at is not None:
        raise Conflict(_l("Check-in for this event is already closed."))
    absent = [entry for entry in entries(event) if entry.attendance == Attendance.EXPECTED]
    for entry in absent:
        entry.attendance = Attendance.ABSENT
    day.check_in_closed_at = utcnow()
    audit_day(actor, "venue.close_check_in", event, absent=[entry.registration_id for entry in absent])
    return len(absent)


# --- draws ---------------------------------------------------------------------------------------------------------


def draws(event: Event) -> dict[DrawStage, Draw]:
    return {d.stage: d for d in db.session.scalars(select(Draw).where(Draw.event_id == event.id))}


def present_entries(event: Event) -> list[Entry]:
    return [entry for entry in entries(event) if entry.attendance == Attendance.PRESENT]


def _check_can_draw(event: Event, stage: DrawStage) -> list[Entry]:
    day = event_day(event)
    if day.marking_started_at is not None:
        raise Conflict(_l("Marking has started: the draw can no longer change."))
    if day.check_in_closed_at is None:
        raise Conflict(_l("Close check-in first: only competitors present are drawn."))
    done = draws(event)
    if stage in done:
        raise Conflict(
            _l(
                "This draw was already made on %(time)s, witnessed by %(name)s.",
                time=format_datetime(done[stage].performed_at, "yyyy-MM-dd HH:mm"),
                name=done[stage].witness.display_name,
            )
        )
    if stage == DrawStage.STATIONS and DrawStage.COMPETITOR_NUMBERS not in done:
        raise Conflict(_l("Draw the competitor numbers first."))
    present = present_entries(event)
    if not present:
        raise Conflict(_l("No competitor is present: there is nothing to draw."))
    return present


def run_draw(actor, event: Event, stage: DrawStage, witnessed_by: User) -> Draw:
    """A random draw from a fresh seed, kept with the sorted keys it shuffled so that it can be recomputed."""
    present = _check_can_draw(event, stage)
    seed = draw.new_seed()
    keys = sorted(_draw_key(entry, stage) for entry in present)
    numbers = draw.assign_numbers(keys, seed)
    _apply(present, stage, lambda entry: numbers[_draw_key(entry, stage)])
    return _record_draw(actor, event, stage, DrawMethod.RANDOM, witnessed_by, keys, seed)


def enter_manual_draw(actor, event: Event, stage: DrawStage, numbers: dict[int, int], witnessed_by: User) -> Draw:
    """A physical draw typed in from its paper record: `numbers` maps entry id to the drawn number."""
    present = _check_can_draw(event, stage)
    expected = {entry.id for entry in present}
    if set(numbers) != expected:
        raise InvalidInput(_l("Enter a number for every competitor present."))
    values = sorted(numbers.values())
    if values != list(range(1, len(values) + 1)):
        raise InvalidInput(_l("The numbers must be 1 to %(count)d, each once.", count=len(values)))
    _apply(present, stage, lambda entry: numbers[entry.id])
    keys = sorted(_draw_key(entry, stage) for entry in present)
    return _record_draw(actor, event, stage, DrawMethod.MANUAL, witnessed_by, keys, None)


def _draw_key(entry: Entry, stage: DrawStage) -> int:
    # The second draw shuffles competitor numbers, never names: it cannot be linked back without the first.
    return entry.id if stage == DrawStage.COMPETITOR_NUMBERS else entry.competitor_number


def _apply(present: list[Entry], stage: DrawStage, number_of) -> None:
    field = "competitor_number" if stage == DrawStage.COMPETITOR_NUMBERS else "station_number"
    new = {entry.id: number_of(entry) for entry in present}
    for entry in present:
        setattr(entry, field, None)
    db.session.flush()  # free the numbers first: the unique constraints hold at every statement
    for entry in present:
        setattr(entry, field, new[entry.id])
    db.session.flush()


def _record_draw(actor, event, stage, method, witnessed_by, keys, seed) -> Draw:
    record = Draw(
        event_id=event.id,
        stage=stage,
        method=method,
        seed=seed,
        drawn_keys=keys,
        performed_by=actor,
        witness=witnessed_by,
    )
    db.session.add(record)
    # The trail names who, when and the witness; the result stays sealed, reproducible from the seed.
    audit_day(actor, f"venue.draw.{stage.value}", event, method=method, witness=witnessed_by.username, count=len(keys))
    return record


def reproduce(record: Draw) -> dict[int, int]:
    """Recompute a random draw from its stored seed: key -> number, for an auditor to compare."""
    if record.seed is None:
        raise InvalidInput(_l("A manual draw has no seed: compare it with its paper record."))
    return draw.assign_numbers(record.drawn_keys, record.seed)


def cancel_draws(actor, event: Event, reason: str, witnessed_by: User) -> None:
    """Undo both draws before marking starts (a mistake in check-in, say); the trail keeps the reason."""
    if event_day(event).marking_started_at is not None:
        raise Conflict(_l("Marking has started: the draw can no longer change."))
    if not reason.strip():
        raise InvalidInput(_l("Give the reason for drawing again."), "reason")
    for entry in entries(event):
        entry.competitor_number = entry.station_number = None
    db.session.execute(delete(Draw).where(Draw.event_id == event.id))
    db.session.execute(delete(StationJudge).where(StationJudge.event_id == event.id))
    audit_day(actor, "venue.draw.cancel", event, reason=reason.strip(), witness=witnessed_by.username)


def sealed_list(event: Event) -> list[Entry]:
    """Name, competitor number and station: for the encryption officer, or after decryption."""
    return sorted(
        (entry for entry in entries(event) if entry.competitor_number is not None),
        key=lambda entry: entry.competitor_number,
    )


def station_numbers(event: Event) -> list[int]:
    return sorted(entry.station_number for entry in entries(event) if entry.station_number is not None)


def decrypt(officer: User, event: Event, witnessed_by: User) -> None:
    day = event_day(event)
    if day.marks_locked_at is None:
        raise Conflict(_l("The marks of this event are not locked: decryption must wait for the chief judge's lock."))
    if day.decrypted_at is not None:
        raise Conflict(_l("This event was already decrypted."))
    day.decrypted_at, day.decrypted_by_id, day.decryption_witness_id = utcnow(), officer.id, witnessed_by.id
    audit_day(officer, "venue.decrypt", event, witness=witnessed_by.username)


def disqualify(actor, event: Event, entry: Entry, reason: str) -> None:
    """A competitor disqualified by the chief judge's decision: no rank, not counted as an entrant."""
    if entry.attendance != Attendance.PRESENT:
        raise Conflict(_l("Only a competitor who is present can be disqualified."))
    if not reason.strip():
        raise InvalidInput(_l("Give the reason for the disqualification."), "reason")
    entry.disqualified_reason = reason.strip()
    audit_day(actor, "venue.disqualify", event, entry=entry.id, reason=entry.disqualified_reason)


def record_refusal(actor, event: Event, action: str, message: str) -> None:
    audit_day(actor, f"{action}_refused", event, reason=str(message))
