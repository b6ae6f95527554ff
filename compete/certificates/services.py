"""Issuing certificates from final outcomes and approved rounds, revoking and reissuing them, finding them."""

import re
import secrets
from collections import Counter

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.audit import services as audit
from compete.certificates import designs, sources
from compete.certificates.models import Certificate, CertificateKind, CertificateStatus, Issuer, Sequence
from compete.certificates.sources import Wanted
from compete.columns import utcnow
from compete.errors import Conflict, InvalidInput
from compete.extensions import db
from compete.rules import numbering

TOKEN_BYTES = 24  # 192 bits: the verification address cannot be guessed or walked


def revoke_for_outcome(actor, outcome, reason: str) -> None:
    """A withdrawn title or promotion takes its certificate with it; a later outcome of the same kind for the
    same registration is issued anew and names the one it replaces."""
    kind = sources.OUTCOME_CERTIFICATES.get(outcome.kind)
    if kind is None:
        return
    certificate = db.session.scalar(
        select(Certificate).where(
            Certificate.held_key == sources.outcome_key(kind, outcome), Certificate.status == CertificateStatus.VALID
        )
    )
    if certificate is not None:
        _revoke(actor, certificate, reason, release=True)
        _record_revocation(actor, certificate)


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


def _sequence_key(issuer: Issuer, wanted: Wanted) -> tuple[str, numbering.Pattern]:
    """The sequence a certificate's number comes from, and the pattern that writes it."""
    design = designs.design_of(issuer, wanted.kind)
    try:
        pattern = numbering.parse(design.number_pattern)
        values = designs.pattern_values(issuer, wanted.kind, year=issuer.year, event_code=wanted.event_code)
        return numbering.sequence_key(pattern, values), pattern
    except numbering.PatternError as error:
        raise InvalidInput(designs.pattern_message(error)) from error


def _numbers(issuer: Issuer, batch: list[Wanted]) -> list[str]:
    """Numbers for the batch, taken from their sequences in this transaction: a rollback leaves no gap."""
    by_key: dict[str, list[int]] = {}
    keys = []
    for index, wanted in enumerate(batch):
        key, pattern = _sequence_key(issuer, wanted)
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


def _issue(actor, issuer: Issuer, wanted: list[Wanted]) -> list[Certificate]:
    held = {
        certificate.held_key: certificate
        for certificate in db.session.scalars(
            select(Certificate).where(Certificate.issuer_id == issuer.id, Certificate.held_key.is_not(None))
        )
    }
    new = [item for item in wanted if item.key not in held]
    if new:
        issued_on = sources.issued_on(issuer)
        previous = _latest_released({item.key for item in new}, issuer)
        numbers = _numbers(issuer, new)
        for item, number in zip(new, numbers, strict=True):
            certificate = Certificate(
                number=number,
                token=secrets.token_urlsafe(TOKEN_BYTES),
                kind=item.kind,
                source_key=item.key,
                held_key=item.key,
                issuer=issuer,
                competition_id=issuer.competition_id,
                round_id=issuer.round_id,
                event_id=item.event_id,
                person_id=item.person_id,
                content=sources.content(issuer, item, issued_on=issued_on),
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
            competition_id=issuer.competition_id,
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
    wanted = sources.competition_wanted(competition)
    return _issue(actor, designs.issuer_of_competition(competition), wanted)


def issue_round_certificates(actor, selection_round) -> list[Certificate]:
    wanted = sources.round_wanted(selection_round)
    return _issue(actor, designs.issuer_of_round(selection_round), wanted)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_l("Give the reason: it is shown on the verification page."), "reason")
    if len(reason) > 500:
        raise InvalidInput(_l("The reason is too long: at most 500 characters."), "reason")
    return reason


def _revoke(actor, certificate: Certificate, reason: str, *, release: bool, status=CertificateStatus.REVOKED) -> None:
    """Mark a certificate no longer valid, with when, by whom and why. ``release`` lets its source be issued
    anew (a reissue, a withdrawn outcome, reopened results); a certificate revoked by hand keeps it, so batches
    do not issue it again."""
    certificate.status = status
    certificate.revoked_at, certificate.revoked_reason = utcnow(), reason
    certificate.revoked_by_id = actor.id if actor is not None else None
    if release:
        certificate.held_key = None


def _record_revocation(actor, certificate: Certificate) -> None:
    audit.record(
        actor,
        "certificates.revoke",
        certificate,
        competition_id=certificate.competition_id,
        before={"status": "valid"},
        after={"status": "revoked", "reason": certificate.revoked_reason, "number": certificate.number},
    )


def _still_valid(certificate: Certificate) -> None:
    if certificate.status != CertificateStatus.VALID:
        raise Conflict(_l("Certificate %(number)s is no longer valid.", number=certificate.number))


def revoke(actor, certificate: Certificate, reason: str) -> None:
    """Revoked for good: the verification page says so with the date and reason; batches do not issue it again."""
    reason = _reason(reason)
    _still_valid(certificate)
    _revoke(actor, certificate, reason, release=False)
    _record_revocation(actor, certificate)


def reissue(actor, certificate: Certificate, reason: str) -> Certificate:
    """A new certificate (new number) from today's data, e.g. after a misspelt name was corrected in the registry;
    the old number shows as superseded by the new one."""
    reason = _reason(reason)
    _still_valid(certificate)
    issuer = certificate.issuer
    item = next((item for item in sources.wanted_of(issuer) if item.key == certificate.source_key), None)
    if item is None:
        raise Conflict(_l("The results no longer call for this certificate: revoke it instead."))
    _revoke(actor, certificate, reason, release=True, status=CertificateStatus.SUPERSEDED)
    db.session.flush()  # releases the source before the new certificate takes it
    (new,) = _issue(actor, issuer, [item])
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
    printed_reason = str(_l("The results were reopened: %(reason)s", reason=reason))
    for certificate in valid:
        _revoke(actor, certificate, printed_reason, release=True)
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


def certificates_of(
    *, competition_id=None, round_id=None, person_id=None, event_id=None, valid_only: bool = False
) -> list[Certificate]:
    """In the order they were issued (the results'); given ids narrow the choice."""
    query = select(Certificate).order_by(Certificate.id)
    for column, value in (
        (Certificate.competition_id, competition_id),
        (Certificate.round_id, round_id),
        (Certificate.person_id, person_id),
        (Certificate.event_id, event_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if valid_only:
        query = query.where(Certificate.status == CertificateStatus.VALID)
    return db.session.scalars(query).all()


def valid_certificates(*, competition_id=None, round_id=None, event_id=None) -> list[Certificate]:
    """What a batch prints: the valid certificates, by event and in the order they were issued (the results')."""
    return certificates_of(competition_id=competition_id, round_id=round_id, event_id=event_id, valid_only=True)


def preview_content(issuer: Issuer, kind: CertificateKind) -> tuple[dict, str]:
    """What the next certificate of this kind would print, with real data where the source has some yet, and the
    number it would get; nothing is taken or written."""
    wanted = sources.sample(issuer, kind)
    key, pattern = _sequence_key(issuer, wanted)
    last = db.session.scalar(select(Sequence.last).where(Sequence.key == key)) or 0
    number = key.replace(numbering.SEQ_MARK, f"{last + 1:0{pattern.seq_width}d}")
    return sources.content(issuer, wanted, issued_on=sources.issued_on(issuer)), number
