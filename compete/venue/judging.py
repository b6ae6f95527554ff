"""Judges: the registry, declared conflicts, event panels, stations without conflicts, and tablet links."""

import secrets
from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from compete.accounts import services as accounts
from compete.accounts.models import Role
from compete.audit import services as audit
from compete.columns import local_now, utcnow
from compete.competitions.models import Event
from compete.errors import Conflict, InvalidInput
from compete.extensions import db
from compete.people.models import Person
from compete.rules import avoidance
from compete.venue.models import DeclaredConflict, Judge, JudgeLink, PanelRole, PanelSeat, StationJudge
from compete.venue.services import audit_day, entries, event_day


def add_judge(actor, person: Person, *, occupations: str, qualification: str = "") -> Judge:
    if db.session.scalar(select(Judge.id).where(Judge.person_id == person.id)) is not None:
        raise Conflict(_l("%(name)s is already in the judge registry.", name=person.name), "id_number")
    # The account exists so that a tablet link can sign in as this judge; nobody knows its password.
    user = accounts.create_user(
        actor,
        username=f"judge-{secrets.token_hex(6)}",
        password=secrets.token_urlsafe(24) + "a1",  # random, and always both letters and digits
        display_name=person.name,
        role=Role.JUDGE,
        person=person,
    )
    judge = Judge(person=person, user=user, occupations=occupations.strip(), qualification=qualification.strip())
    db.session.add(judge)
    audit.record(actor, "judge.add", judge, after={"person": person.id, "occupations": judge.occupations})
    return judge


def all_judges() -> list[Judge]:
    return list(db.session.scalars(select(Judge).join(Person).order_by(Person.name)))


def panel(event: Event) -> list[PanelSeat]:
    return list(db.session.scalars(select(PanelSeat).where(PanelSeat.event_id == event.id).order_by(PanelSeat.id)))


def seat_judge(actor, event: Event, judge: Judge, role: PanelRole) -> PanelSeat:
    seats = panel(event)
    if any(seat.judge_id == judge.id for seat in seats):
        raise Conflict(_l("%(name)s is already on this panel.", name=judge.person.name), "judge")
    if role == PanelRole.CHIEF and any(seat.role == PanelRole.CHIEF for seat in seats):
        raise Conflict(_l("This event already has a chief judge."), "role")
    seat = PanelSeat(event_id=event.id, judge=judge, role=role)
    db.session.add(seat)
    audit_day(actor, "judge.seat", event, judge=judge.id, role=role)
    return seat


def unseat_judge(actor, event: Event, seat: PanelSeat) -> None:
    if event_day(event).marking_started_at is not None:
        raise Conflict(_l("Marking has started: the panel can no longer change."))
    db.session.execute(
        delete(StationJudge).where(StationJudge.event_id == event.id, StationJudge.judge_id == seat.judge_id)
    )
    db.session.delete(seat)
    audit_day(actor, "judge.unseat", event, judge=seat.judge_id)


def record_conflict(actor, judge: Judge, person: Person, reason: str) -> DeclaredConflict:
    if not reason.strip():
        raise InvalidInput(_l("Say what the conflict is (relative, teacher, colleague ...)."), "reason")
    exists = db.session.scalar(
        select(DeclaredConflict.id).where(
            DeclaredConflict.judge_id == judge.id, DeclaredConflict.person_id == person.id
        )
    )
    if exists is not None:
        raise Conflict(_l("This conflict is already recorded."), "id_number")
    conflict = DeclaredConflict(judge=judge, person=person, reason=reason.strip(), recorded_by_id=actor.id)
    db.session.add(conflict)
    audit.record(actor, "judge.conflict", conflict, after={"judge": judge.id, "person": person.id})
    return conflict


def declared_conflicts() -> list[DeclaredConflict]:
    return list(db.session.scalars(select(DeclaredConflict).order_by(DeclaredConflict.id)))


def _avoidance_inputs(event: Event):
    seats = [
        avoidance.StationSeat(
            entry.station_number,
            entry.registration.person_id,
            entry.registration.unit_id or entry.registration.person.unit_id,
        )
        for entry in entries(event)
        if entry.station_number is not None
    ]
    judges = [
        avoidance.PanelJudge(seat.judge_id, seat.judge.person.unit_id)
        for seat in panel(event)
        if seat.role == PanelRole.JUDGE
    ]
    conflicts = frozenset(
        (judge_id, person_id)
        for judge_id, person_id in db.session.execute(select(DeclaredConflict.judge_id, DeclaredConflict.person_id))
    )
    return sorted(seats, key=lambda seat: seat.station), judges, conflicts


def propose_station_judges(event: Event) -> avoidance.Proposal:
    """Judges per station that nobody has to stand aside from; stations it cannot staff are listed as blocked."""
    seats, judges, conflicts = _avoidance_inputs(event)
    if not seats:
        raise Conflict(_l("Stations are known after the second draw: draw them first."))
    return avoidance.propose(seats, judges, event.judges_per_station, conflicts)


def assign_station_judges(actor, event: Event, judges_by_station: dict[int, tuple[int, ...]]) -> None:
    """Replace the station assignment; refused when any judge would mark a station they must stand aside from."""
    if event_day(event).marking_started_at is not None:
        raise Conflict(_l("Marking has started: the station assignment can no longer change."))
    seats, judges, conflicts = _avoidance_inputs(event)
    if avoidance.violations(judges_by_station, seats, judges, conflicts):
        raise Conflict(_l("A judge would mark a station they must stand aside from: the assignment was not saved."))
    missing = {seat.station for seat in seats} - set(judges_by_station)
    if missing:
        raise Conflict(_l("Stations without judges: %(stations)s.", stations=", ".join(map(str, sorted(missing)))))
    db.session.execute(delete(StationJudge).where(StationJudge.event_id == event.id))
    for station, judge_ids in judges_by_station.items():
        for judge_id in judge_ids:
            db.session.add(StationJudge(event_id=event.id, station_number=station, judge_id=judge_id))
    # Station numbers and judge ids only: the trail must not unseal who sits where.
    audit_day(actor, "judge.assign_stations", event, stations={str(k): list(v) for k, v in judges_by_station.items()})


def station_judges(event: Event) -> dict[int, list[Judge]]:
    # Judges and their names come in the same query: the chief judge's matrix lists every station.
    rows = db.session.scalars(
        select(StationJudge)
        .options(joinedload(StationJudge.judge).joinedload(Judge.person))
        .where(StationJudge.event_id == event.id)
        .order_by(StationJudge.station_number, StationJudge.id)
    )
    assigned: dict[int, list[Judge]] = {}
    for row in rows:
        assigned.setdefault(row.station_number, []).append(row.judge)
    return assigned


# --- tablet links --------------------------------------------------------------------------------------------------


def link_expiry(event: Event) -> datetime:
    return datetime.combine(event.competition.ends_on, time(23, 59, 59))


def active_link(event: Event, judge: Judge) -> JudgeLink | None:
    return db.session.scalar(
        select(JudgeLink).where(
            JudgeLink.event_id == event.id, JudgeLink.judge_id == judge.id, JudgeLink.revoked_at.is_(None)
        )
    )


def issue_link(actor, event: Event, judge: Judge) -> JudgeLink:
    """A new private link for the judge's badge; any earlier one of this event stops working."""
    if not any(seat.judge_id == judge.id for seat in panel(event)):
        raise Conflict(_l("Put the judge on this event's panel first."))
    earlier = active_link(event, judge)
    if earlier is not None:
        earlier.revoked_at = utcnow()
    link = JudgeLink(event=event, judge=judge, expires_at=link_expiry(event))
    db.session.add(link)
    db.session.flush()
    audit_day(actor, "judge.link_issue", event, judge=judge.id, replaced=earlier.id if earlier else None)
    return link


def revoke_link(actor, link: JudgeLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        audit_day(actor, "judge.link_revoke", link.event, judge=link.judge_id)


def link_problem(link: JudgeLink | None, now: datetime | None = None):
    """Why a link cannot sign a tablet in (a translated message), or None when it can."""
    if link is None:
        return _l("This judge link is not valid. Ask the organizer for your badge.")
    if link.revoked_at is not None:
        return _l("This judge link was revoked. Ask the organizer for your new badge.")
    if (now or local_now()) > link.expires_at:
        return _l("This judge link has expired: the event is over.")
    return None


def link_by_token(token: str) -> JudgeLink | None:
    return db.session.scalar(select(JudgeLink).where(JudgeLink.token == (token or "")[:64]))


def record_link_sign_in(link: JudgeLink, device: str) -> None:
    audit_day(link.judge.user, "judge.link_sign_in", link.event, judge=link.judge_id, device=device[:120])


def record_refused_link(token: str, message: str) -> None:
    audit.record(None, "judge.link_refused", None, after={"token_start": (token or "")[:6], "reason": str(message)})


def stations_of(judge: Judge, event: Event) -> list[int]:
    return list(
        db.session.scalars(
            select(StationJudge.station_number)
            .where(StationJudge.event_id == event.id, StationJudge.judge_id == judge.id)
            .order_by(StationJudge.station_number)
        )
    )


def seat_of(judge: Judge, event: Event) -> PanelSeat | None:
    return db.session.scalar(select(PanelSeat).where(PanelSeat.event_id == event.id, PanelSeat.judge_id == judge.id))
