"""Issuing certificates from final outcomes and approved rounds, revoking and reissuing them, finding them."""

import hashlib
import re
import secrets
from collections import Counter
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.audit import services as audit
from compete.certificates import designs
from compete.certificates.models import Certificate, CertificateKind, CertificateStatus, Issuer, Sequence
from compete.columns import utcnow
from compete.errors import Conflict, InvalidInput
from compete.extensions import db
from compete.honours.models import OutcomeKind, OutcomeStatus, RoundStage, TitleHolding
from compete.people.models import Person
from compete.registration.models import Registration
from compete.results.services import computed_results, is_final
from compete.rules import idcard, numbering
from compete.venue.models import Entry

TOKEN_BYTES = 24  # 192 bits: the verification address cannot be guessed or walked


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
        kind = {OutcomeKind.TITLE: CertificateKind.HONOUR, OutcomeKind.PROMOTION: CertificateKind.PROMOTION}.get(
            outcome.kind
        )
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
        wanted.append(Wanted(_outcome_key(kind, outcome), kind, outcome.person_id, event.id, event.code, facts))
    return wanted


def revoke_for_outcome(actor, outcome, reason: str) -> None:
    """A withdrawn title or promotion takes its certificate with it; a later outcome of the same kind for the
    same registration is issued anew and names the one it replaces."""
    kind = {OutcomeKind.TITLE: CertificateKind.HONOUR, OutcomeKind.PROMOTION: CertificateKind.PROMOTION}.get(
        outcome.kind
    )
    if kind is None:
        return
    certificate = db.session.scalar(
        select(Certificate).where(
            Certificate.held_key == _outcome_key(kind, outcome), Certificate.status == CertificateStatus.VALID
        )
    )
    if certificate is None:
        return
    certificate.status, certificate.held_key = CertificateStatus.REVOKED, None
    certificate.revoked_at, certificate.revoked_by_id = utcnow(), actor.id if actor is not None else None
    certificate.revoked_reason = reason
    audit.record(
        actor,
        "certificates.revoke",
        certificate,
        competition_id=certificate.competition_id,
        before={"status": "valid"},
        after={"status": "revoked", "reason": reason, "number": certificate.number},
    )


def _outcome_key(kind: CertificateKind, outcome) -> str:
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


def _content(issuer: Issuer, wanted: Wanted, *, issued_on) -> dict:
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


def _issued_on(issuer: Issuer):
    if issuer.issued_on is not None:
        return issuer.issued_on
    if issuer.competition is not None:
        return issuer.competition.ends_on
    return utcnow().date()


def _sequence_for_update(key: str) -> Sequence:
    sequence = db.session.scalar(
        select(Sequence).where(Sequence.key == key).with_for_update().execution_options(populate_existing=True)
    )
    if sequence is None:
        # Two first issues racing for a new sequence: the primary key lets one insert win; the other waits on it.
        dialect = db.session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        db.session.execute(insert(Sequence).values(key=key, last=0).on_conflict_do_nothing())
        sequence = db.session.scalar(
            select(Sequence).where(Sequence.key == key).with_for_update().execution_options(populate_existing=True)
        )
    return sequence


def _numbers(issuer: Issuer, batch: list[Wanted], year: int) -> list[str]:
    """Numbers for the batch, taken from their sequences in this transaction: a rollback leaves no gap."""
    by_key: dict[str, list[int]] = {}
    keys, parsed = [], {}
    for index, wanted in enumerate(batch):
        design = designs.design_of(issuer, wanted.kind)
        try:
            pattern = parsed.setdefault(design.number_pattern, numbering.parse(design.number_pattern))
            key = numbering.sequence_key(
                pattern, designs.pattern_values(issuer, wanted.kind, year=year, event_code=wanted.event_code)
            )
        except numbering.PatternError as error:
            raise InvalidInput(designs.pattern_message(error)) from error
        keys.append((key, pattern))
        by_key.setdefault(key, []).append(index)
    numbers = [""] * len(batch)
    sequences = {}
    for key in sorted(by_key):  # a fixed order of locks: two batches never wait on each other crosswise
        sequences[key] = sequence = _sequence_for_update(key)
        for offset, index in enumerate(by_key[key], start=1):
            numbers[index] = key.replace(numbering.SEQ_MARK, f"{sequence.last + offset:0{keys[index][1].seq_width}d}")
    # Checked before any counter moves, so a refused batch takes no number. Two patterns of this batch (say the
    # award's and the participation's) may give the same number as well as a pattern of another issuer.
    taken = db.session.scalars(select(Certificate.number).where(Certificate.number.in_(numbers))).all()
    twice = [number for number, count in Counter(numbers).items() if count > 1]
    if taken or twice:
        raise Conflict(
            _l(
                "The number %(number)s is already on another certificate (another pattern gives it too): change this "
                "pattern, e.g. by adding the competition code.",
                number=(taken or twice)[0],
            )
        )
    for key, sequence in sequences.items():
        sequence.last += len(by_key[key])
    return numbers


def _issue(
    actor, issuer: Issuer, wanted: list[Wanted], *, competition_id=None, round_id=None, year: int
) -> list[Certificate]:
    held = {
        certificate.held_key: certificate
        for certificate in db.session.scalars(
            select(Certificate).where(Certificate.issuer_id == issuer.id, Certificate.held_key.is_not(None))
        )
    }
    new = [item for item in wanted if item.key not in held]
    if new:
        issued_on = _issued_on(issuer)
        previous = _latest_released({item.key for item in new}, issuer)
        numbers = _numbers(issuer, new, year)
        for item, number in zip(new, numbers, strict=True):
            certificate = Certificate(
                number=number,
                token=secrets.token_urlsafe(TOKEN_BYTES),
                kind=item.kind,
                source_key=item.key,
                held_key=item.key,
                issuer=issuer,
                competition_id=competition_id,
                round_id=round_id,
                event_id=item.event_id,
                person_id=item.person_id,
                content=_content(issuer, item, issued_on=issued_on),
                issued_by_id=actor.id if actor is not None else None,
                supersedes=previous.get(item.key),
            )
            db.session.add(certificate)
            held[item.key] = certificate
        db.session.flush()
        for certificate in previous.values():
            if certificate.superseded_by_id is None and certificate.source_key in held:
                certificate.superseded_by = held[certificate.source_key]
        audit.record(
            actor,
            "certificates.issue",
            issuer,
            competition_id=competition_id,
            after={"issued": len(new), "first": numbers[0], "last": numbers[-1]},
        )
    return [held[item.key] for item in wanted]


def _latest_released(keys: set[str], issuer: Issuer) -> dict[str, Certificate]:
    """For sources issued before and since released (results reopened), the last certificate: the new one names it."""
    found = db.session.scalars(
        select(Certificate)
        .where(Certificate.issuer_id == issuer.id, Certificate.held_key.is_(None), Certificate.source_key.in_(keys))
        .order_by(Certificate.id)
    ).all()
    return {certificate.source_key: certificate for certificate in found}


def issue_certificates(actor, competition) -> list[Certificate]:
    """The certificate of every final outcome of the competition; issuing again returns the same certificates."""
    wanted = competition_wanted(competition)
    issuer = designs.issuer_of_competition(competition)
    return _issue(actor, issuer, wanted, competition_id=competition.id, year=competition.year)


def issue_round_certificates(actor, selection_round) -> list[Certificate]:
    wanted = round_wanted(selection_round)
    issuer = designs.issuer_of_round(selection_round)
    return _issue(actor, issuer, wanted, round_id=selection_round.id, year=selection_round.year)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_l("Give the reason: it is shown on the verification page."), "reason")
    if len(reason) > 500:
        raise InvalidInput(_l("The reason is too long: at most 500 characters."), "reason")
    return reason


def revoke(actor, certificate: Certificate, reason: str) -> None:
    """Revoked for good: the verification page says so with the date and reason; batches do not issue it again."""
    reason = _reason(reason)
    if certificate.status != CertificateStatus.VALID:
        raise Conflict(_l("Certificate %(number)s is no longer valid.", number=certificate.number))
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at, certificate.revoked_by_id, certificate.revoked_reason = utcnow(), actor.id, reason
    audit.record(
        actor,
        "certificates.revoke",
        certificate,
        competition_id=certificate.competition_id,
        before={"status": "valid"},
        after={"status": "revoked", "reason": reason, "number": certificate.number},
    )


def reissue(actor, certificate: Certificate, reason: str) -> Certificate:
    """A new certificate (new number) from today's data, e.g. after a misspelt name was corrected in the registry;
    the old number shows as superseded by the new one."""
    reason = _reason(reason)
    if certificate.status != CertificateStatus.VALID:
        raise Conflict(_l("Certificate %(number)s is no longer valid.", number=certificate.number))
    issuer = certificate.issuer
    if issuer.competition is not None:
        wanted, year = competition_wanted(issuer.competition), issuer.competition.year
    else:
        wanted, year = round_wanted(issuer.round), issuer.round.year
    item = next((item for item in wanted if item.key == certificate.source_key), None)
    if item is None:
        raise Conflict(_l("The results no longer call for this certificate: revoke it instead."))
    certificate.status, certificate.held_key = CertificateStatus.SUPERSEDED, None
    certificate.revoked_at, certificate.revoked_by_id, certificate.revoked_reason = utcnow(), actor.id, reason
    db.session.flush()  # releases the source before the new certificate takes it
    (new,) = _issue(
        actor, issuer, [item], competition_id=certificate.competition_id, round_id=certificate.round_id, year=year
    )
    audit.record(
        actor,
        "certificates.reissue",
        certificate,
        competition_id=certificate.competition_id,
        before={"number": certificate.number},
        after={"number": new.number, "reason": reason},
    )
    return new


def revoke_for_reopening(actor, competition, reason: str) -> int:
    """Final results reopened: what was issued from them stands no more; issuing after the new finalization
    gives new numbers, each naming the certificate it replaces."""
    valid = db.session.scalars(
        select(Certificate).where(
            Certificate.competition_id == competition.id, Certificate.status == CertificateStatus.VALID
        )
    ).all()
    now = utcnow()
    for certificate in valid:
        certificate.status, certificate.held_key = CertificateStatus.REVOKED, None
        certificate.revoked_at, certificate.revoked_by_id = now, actor.id
        certificate.revoked_reason = str(_l("The results were reopened: %(reason)s", reason=reason))
    if valid:
        audit.record(
            actor,
            "certificates.revoke_all",
            competition,
            competition_id=competition.id,
            after={"revoked": len(valid), "reason": reason},
        )
    return len(valid)


def by_token(token: str) -> Certificate | None:
    # Tokens are URL-safe base64; anything else (a NUL byte, which PostgreSQL refuses outright) finds nothing.
    if not token or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", token):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.token == token))


def by_number(number: str) -> Certificate | None:
    number = (number or "").strip()
    if not number or "\x00" in number or len(number) > 60:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def certificates_of(*, competition_id=None, round_id=None, person_id=None, event_id=None) -> list[Certificate]:
    query = select(Certificate).order_by(Certificate.id)
    if competition_id is not None:
        query = query.where(Certificate.competition_id == competition_id)
    if round_id is not None:
        query = query.where(Certificate.round_id == round_id)
    if person_id is not None:
        query = query.where(Certificate.person_id == person_id)
    if event_id is not None:
        query = query.where(Certificate.event_id == event_id)
    return db.session.scalars(query).all()


def valid_certificates(*, competition_id=None, round_id=None, event_id=None) -> list[Certificate]:
    """What a batch prints: the valid certificates, by event and in the order they were issued (the results')."""
    query = select(Certificate).where(Certificate.status == CertificateStatus.VALID).order_by(Certificate.id)
    if competition_id is not None:
        query = query.where(Certificate.competition_id == competition_id)
    if round_id is not None:
        query = query.where(Certificate.round_id == round_id)
    if event_id is not None:
        query = query.where(Certificate.event_id == event_id)
    return db.session.scalars(query).all()


def preview_content(issuer: Issuer, kind: CertificateKind) -> tuple[dict, str]:
    """What the next certificate of this kind would print, with real data where the source has some yet, and the
    number it would get; nothing is taken or written."""
    try:
        if issuer.competition is not None:
            source = competition_wanted(issuer.competition)
        else:
            source = round_wanted(issuer.round)
    except Conflict:
        source = []  # not final yet: the real competition with a sample competitor
    wanted = next((item for item in source if item.kind == kind), None)
    if wanted is None:
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
        wanted = Wanted("preview", kind, 0, None, event.code if event is not None else "E1", facts)
    year = issuer.competition.year if issuer.competition is not None else issuer.round.year
    design = designs.design_of(issuer, kind)
    try:
        pattern = numbering.parse(design.number_pattern)
        key = numbering.sequence_key(
            pattern, designs.pattern_values(issuer, kind, year=year, event_code=wanted.event_code)
        )
    except numbering.PatternError as error:
        raise InvalidInput(designs.pattern_message(error)) from error
    last = db.session.scalar(select(Sequence.last).where(Sequence.key == key)) or 0
    number = key.replace(numbering.SEQ_MARK, f"{last + 1:0{pattern.seq_width}d}")
    return _content(issuer, wanted, issued_on=_issued_on(issuer)), number
