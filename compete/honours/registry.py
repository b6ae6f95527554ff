"""What the talent registry shows of a person: competitions with their published lines, grades, titles."""

from dataclasses import dataclass

from sqlalchemy import select

from compete.competitions.models import Competition, Event
from compete.extensions import db
from compete.honours.derive import ACTIVE
from compete.honours.models import GradeChange, Outcome, OutcomeKind, TitleHolding
from compete.people.models import Person
from compete.registration.models import Registration
from compete.results.services import is_final, latest_publication
from compete.venue.models import Entry


@dataclass(frozen=True)
class HistoryLine:
    """One competition of a person's history: the registration, and the published line when there is one."""

    registration: Registration
    published: dict | None
    final: bool


def person_history(person: Person) -> list[HistoryLine]:
    registrations = db.session.scalars(
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .join(Competition, Competition.id == Event.competition_id)
        .where(Registration.person_id == person.id)
        .order_by(Competition.starts_on.desc(), Registration.id)
    ).all()
    entries = dict(
        db.session.execute(
            select(Entry.registration_id, Entry.id).where(Entry.registration_id.in_([r.id for r in registrations]))
        ).all()
    )
    lines = []
    for registration in registrations:
        event = registration.event
        publication = latest_publication(event.competition_id)
        published = None
        if publication is not None and registration.id in entries:
            rows = next((e["rows"] for e in publication.snapshot["events"] if e["code"] == event.code), [])
            published = next((row for row in rows if row.get("entry_id") == entries[registration.id]), None)
        lines.append(HistoryLine(registration, published, is_final(event.competition_id)))
    return lines


def grade_history(person: Person) -> list[GradeChange]:
    return db.session.scalars(
        select(GradeChange).where(GradeChange.person_id == person.id).order_by(GradeChange.changed_on, GradeChange.id)
    ).all()


def titles_of(person: Person) -> list[TitleHolding]:
    return db.session.scalars(
        select(TitleHolding).where(TitleHolding.person_id == person.id).order_by(TitleHolding.awarded_on)
    ).all()


def nominations_of(person: Person) -> list[Outcome]:
    return db.session.scalars(
        select(Outcome).where(
            Outcome.person_id == person.id, Outcome.kind == OutcomeKind.NOMINATION, Outcome.status.in_(ACTIVE)
        )
    ).all()
