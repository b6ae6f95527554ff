"""What certificates a source calls for: final results and confirmed outcomes of a competition, titles an
approved selection round awarded, and a sample for previews; with the facts each prints."""

import hashlib
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.certificates import designs
from compete.certificates.models import CertificateKind, Issuer
from compete.columns import utcnow
from compete.errors import Conflict
from compete.extensions import db
from compete.honours.models import OutcomeKind, OutcomeStatus, RoundStage, TitleHolding
from compete.people.models import Person
from compete.registration.models import Registration
from compete.results.services import computed_results, is_final
from compete.rules import idcard
from compete.venue.models import Entry

# The outcomes that earn a certificate; a nomination does not (its selection round issues one, if it is won).
OUTCOME_CERTIFICATES = {OutcomeKind.TITLE: CertificateKind.HONOUR, OutcomeKind.PROMOTION: CertificateKind.PROMOTION}


@dataclass(frozen=True)
class Wanted:
    """A certificate a source calls for: what it certifies (the key), for whom, and the facts it prints."""

    key: str
    kind: CertificateKind
    person_id: int
    event_id: int | None
    event_code: str | None
    facts: dict


def _person_facts(person: Person) -> dict:
    return {"name": person.name, "id_number": idcard.mask(person.id_number) if person.id_number else ""}


def _entry_people(event_ids) -> dict[int, int]:
    """entry id → person id."""
    rows = db.session.execute(
        select(Entry.id, Registration.person_id)
        .join(Registration, Registration.id == Entry.registration_id)
        .where(Entry.event_id.in_(event_ids))
    ).all()
    return dict(rows)


def competition_wanted(competition) -> list[Wanted]:
    """Every certificate the final results call for: awards (or participation) by event, then titles and
    promotions the organizer confirmed, in the order of the results."""
    if not is_final(competition.id):
        raise Conflict(_l("Certificates are issued from final results only: finalize the results first."))
    issuer = designs.issuer_of_competition(competition)
    enabled = {kind for kind in CertificateKind if designs.design_of(issuer, kind).enabled}
    computed = computed_results(competition)
    entry_people = _entry_people([event.id for event, _ in computed])
    people = {
        person.id: person
        for person in db.session.scalars(select(Person).where(Person.id.in_(set(entry_people.values()))))
    }
    base = {"competition": competition.name, "year": competition.year}
    wanted, event_facts = [], {}
    for event, results in computed:
        facts_of_event = {**base, "event": event.name, "occupation": event.occupation, "group": str(event.group)}
        event_facts[event.id] = (event, facts_of_event)
        for row in results.rows:
            if row.status != "present" or row.rank is None:
                continue
            person = people[entry_people[row.entry_id]]
            kind = CertificateKind.AWARD if row.award else CertificateKind.PARTICIPATION
            if kind not in enabled:
                continue
            facts = {**facts_of_event, **_person_facts(person), "rank": row.rank, "award": row.award}
            wanted.append(Wanted(f"{kind}:entry:{row.entry_id}", kind, person.id, event.id, event.code, facts))
    from compete.honours.derive import active_outcomes

    for outcome in active_outcomes(competition, (OutcomeStatus.CONFIRMED,)):
        kind = OUTCOME_CERTIFICATES.get(outcome.kind)
        if kind is None or kind not in enabled:
            continue  # a nomination is not an award: its selection round issues the certificate, if it is won
        event, facts_of_event = event_facts.get(
            outcome.event_id, (outcome.event, {**base, "event": outcome.event.name})
        )
        facts = {
            **facts_of_event,
            **_person_facts(outcome.person),
            "rank": outcome.basis.get("rank"),
            "award": outcome.basis.get("award"),
            "title": outcome.title or "",
            "grade_from": outcome.grade_from or "",
            "grade_to": outcome.grade_to or "",
        }
        wanted.append(Wanted(outcome_key(kind, outcome), kind, outcome.person_id, event.id, event.code, facts))
    return wanted


def outcome_key(kind: CertificateKind, outcome) -> str:
    """A key that outlives the outcome: reopening withdraws outcomes and derives new ones, and the certificate
    issued after it must still find (and name) the one it replaces."""
    if kind == CertificateKind.PROMOTION:
        return f"promotion:registration:{outcome.registration_id}"
    digest = hashlib.sha256((outcome.title or "").encode()).hexdigest()[:12]  # keys are short; titles need not be
    return f"honour:registration:{outcome.registration_id}:{digest}"


def round_wanted(selection_round) -> list[Wanted]:
    """An honour certificate for each title an approved selection round awarded."""
    if selection_round.stage != RoundStage.CLOSED:
        raise Conflict(_l("Certificates are issued once the round's approval is recorded."))
    issuer = designs.issuer_of_round(selection_round)
    if not designs.design_of(issuer, CertificateKind.HONOUR).enabled:
        return []
    holdings = db.session.scalars(
        select(TitleHolding)
        .where(TitleHolding.round_id == selection_round.id, TitleHolding.withdrawn_at.is_(None))
        .order_by(TitleHolding.id)
    ).all()
    people = {
        person.id: person
        for person in db.session.scalars(select(Person).where(Person.id.in_({h.person_id for h in holdings})))
    }
    return [
        Wanted(
            f"holding:{holding.id}",
            CertificateKind.HONOUR,
            holding.person_id,
            None,
            None,
            {
                **_person_facts(people[holding.person_id]),
                "title": holding.title,
                "year": selection_round.year,
                "from_round": True,
            },
        )
        for holding in holdings
    ]


def wanted_of(issuer: Issuer) -> list[Wanted]:
    """Everything the issuer's source calls for now; Conflict while it is not final (or not approved)."""
    if issuer.competition is not None:
        return competition_wanted(issuer.competition)
    return round_wanted(issuer.round)


def sample(issuer: Issuer, kind: CertificateKind) -> Wanted:
    """The first real certificate of this kind the source calls for, else the real competition (or round) with a
    sample competitor: what a preview shows before results are final."""
    try:
        real = next((item for item in wanted_of(issuer) if item.kind == kind), None)
    except Conflict:
        real = None
    if real is not None:
        return real
    facts = dict(designs.SAMPLE_FACTS)
    event = None
    if issuer.competition is not None:
        competition = issuer.competition
        facts.update(competition=competition.name, year=competition.year)
        event = competition.events[0] if competition.events else None
        if event is not None:
            facts.update(event=event.name, occupation=event.occupation, group=str(event.group))
    else:
        facts.update(competition="", title=issuer.round.title.name, year=issuer.round.year, from_round=True)
    facts.update(
        rank=1,
        award="first" if kind == CertificateKind.AWARD else None,
        grade_from="g3",
        grade_to="g2",
        id_number="3213**********0019",
    )
    return Wanted("preview", kind, 0, None, event.code if event is not None else "E1", facts)


def content(issuer: Issuer, wanted: Wanted, *, issued_on) -> dict:
    design = designs.design_of(issuer, wanted.kind)
    return {
        "facts": wanted.facts,
        "title": design.title,
        "wording": design.wording,
        "layout": design.layout,
        "design_version": design.version,
        "authority": issuer.authority,
        "seal_id": issuer.seal_id,
        "issued_on": issued_on.isoformat(),
    }


def issued_on(issuer: Issuer):
    if issuer.issued_on is not None:
        return issuer.issued_on
    if issuer.competition is not None:
        return issuer.competition.ends_on
    return utcnow().date()
