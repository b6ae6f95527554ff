"""Applying a competition's policy to its final results: outcomes with their basis, grade history and titles."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.audit import services as audit
from compete.columns import utcnow
from compete.competitions.models import Competition, Event
from compete.errors import Conflict, InvalidInput
from compete.extensions import db
from compete.honours.derive import DECIDED, PreviewRow, Wanted, active_outcomes, policy_of, preview
from compete.honours.models import (
    GradeChange,
    Outcome,
    OutcomeKind,
    OutcomeStatus,
    TitleHolding,
)
from compete.results.services import is_final
from compete.rules import policy as policies
from compete.venue.models import Entry


def _fired_for(chosen: policies.Policy, wanted: Wanted, reasons) -> list:
    """The reasons behind one effect: the rules that gave it, and any switch that shaped it."""
    rules = {rule.id: rule for rule in chosen.rules}

    def gave(rule) -> bool:
        if wanted.kind == OutcomeKind.PROMOTION:
            return rule.promote is not None
        return wanted.title in (rule.grant if wanted.kind == OutcomeKind.TITLE else rule.nominate)

    return [
        r for r in reasons if (r.rule in rules and gave(rules[r.rule])) or (r.rule not in rules and wanted.grade_to)
    ]


def _basis(competition: Competition, item: PreviewRow, wanted: Wanted, policy_version: tuple) -> dict:
    chosen, version = policy_version
    return {
        "competition": competition.name,
        "competition_id": competition.id,
        "event": item.event.name,
        "event_code": item.event.code,
        "rank": item.row.rank,
        "entrants": item.entrants,
        "total": None if item.row.total is None else str(item.row.total),
        "award": item.row.award,
        "policy": version,
        "policy_name": chosen.name_zh,
        "reasons": [
            {"rule": r.rule, "text": r.text, "facts": dict(r.facts)}
            for r in _fired_for(chosen, wanted, item.effects.reasons)
        ],
    }


def basis_lines(outcome: Outcome) -> list[str]:
    """The basis as the sentences an auditor reads: the policy version, then each rule with its facts."""
    basis = outcome.basis
    lines = [f"{basis['policy']}"]
    for reason in basis["reasons"]:
        facts = ", ".join(f"{key}={value}" for key, value in reason["facts"].items())
        lines.append(f"{reason['rule']}: {reason['text']}" + (f" ({facts})" if facts else ""))
    return lines


def _basis_text(outcome: Outcome) -> str:
    """The basis as the registry keeps it, in the words of a paper record (in Chinese, as the documents are)."""
    basis = outcome.basis
    total = f"(总成绩{basis['total']})" if basis["total"] else ""
    rules = ";".join(reason["text"] for reason in basis["reasons"])
    return (
        f"{basis['competition']}{basis['event']}第{basis['rank']}名{total},"
        f"依据《{basis.get('policy_name', basis['policy'])}》({basis['policy']}):{rules}"
    )


def _record_grade(actor, outcome: Outcome) -> None:
    person = outcome.person
    before = person.grade
    person.grade = outcome.grade_to
    db.session.add(
        GradeChange(
            person_id=person.id,
            grade_from=outcome.grade_from,
            grade_to=outcome.grade_to,
            changed_on=outcome.competition.ends_on,
            basis=_basis_text(outcome),
            outcome=outcome,
            created_by_id=actor.id,
        )
    )
    audit.record(
        actor,
        "honours.promote",
        person,
        competition_id=outcome.competition_id,
        before={"grade": before},
        after={"grade": outcome.grade_to, "outcome": outcome.id},
    )


def _record(actor, competition: Competition, item: PreviewRow, wanted: Wanted, policy_version: tuple):
    proposed = policy_version[0].switches.proposed
    status = OutcomeStatus.PROPOSED if wanted.kind == OutcomeKind.PROMOTION and proposed else OutcomeStatus.CONFIRMED
    outcome = Outcome(
        competition_id=competition.id,
        event_id=item.event.id,
        registration_id=item.registration_id,
        person_id=item.person_id,
        kind=wanted.kind,
        title=wanted.title,
        grade_from=wanted.grade_from,
        grade_to=wanted.grade_to,
        status=status,
        basis=_basis(competition, item, wanted, policy_version),
        created_by_id=actor.id,
    )
    db.session.add(outcome)
    db.session.flush()
    if status == OutcomeStatus.CONFIRMED:
        _take_effect(actor, outcome)
    return outcome


def _take_effect(actor, outcome: Outcome) -> None:
    outcome.confirmed_at, outcome.confirmed_by_id = utcnow(), actor.id
    if outcome.kind == OutcomeKind.PROMOTION:
        _record_grade(actor, outcome)
    elif outcome.kind == OutcomeKind.TITLE:
        db.session.add(
            TitleHolding(
                person_id=outcome.person_id,
                title=outcome.title,
                awarded_on=outcome.competition.ends_on,
                basis=_basis_text(outcome),
                outcome_id=outcome.id,
            )
        )
    else:
        from compete.honours import selection  # a nomination joins its title's open round, if there is one

        selection.take_nomination(actor, outcome)


def _withdraw(actor, outcome: Outcome, reason: str) -> None:
    """Undo an outcome's effect and keep it, marked withdrawn, for the trail."""
    if outcome.status == OutcomeStatus.CONFIRMED:
        if outcome.kind == OutcomeKind.PROMOTION:
            change = db.session.scalar(
                select(GradeChange).where(GradeChange.outcome_id == outcome.id, GradeChange.withdrawn_at.is_(None))
            )
            if change is not None:
                change.withdrawn_at, change.withdrawn_reason = utcnow(), reason
            # A later change of grade (another competition, a certificate) is not undone by this one.
            if outcome.person.grade == outcome.grade_to:
                outcome.person.grade = outcome.grade_from
        elif outcome.kind == OutcomeKind.TITLE:
            for holding in db.session.scalars(
                select(TitleHolding).where(TitleHolding.outcome_id == outcome.id, TitleHolding.withdrawn_at.is_(None))
            ):
                holding.withdrawn_at, holding.withdrawn_reason = utcnow(), reason
        else:
            from compete.honours import selection

            selection.drop_nomination(actor, outcome)
        from compete.certificates import services as certificates

        certificates.revoke_for_outcome(actor, outcome, reason)
    outcome.status, outcome.withdrawn_at, outcome.withdrawn_reason = OutcomeStatus.WITHDRAWN, utcnow(), reason
    audit.record(
        actor,
        "honours.withdraw",
        outcome,
        competition_id=outcome.competition_id,
        before={"kind": outcome.kind, "title": outcome.title, "to": outcome.grade_to},
        after={"reason": reason},
    )


@dataclass(frozen=True)
class Applied:
    recorded: int
    kept: int
    withdrawn: int


def apply_policy(actor, competition: Competition) -> Applied:
    """Record every competitor's outcomes from final results; applying again changes only what differs."""
    if not is_final(competition.id):
        raise Conflict(_l("The policy is applied to final results only: finalize the results first."))
    chosen, version = policy_of(competition)
    existing: dict[tuple, Outcome] = {}
    for outcome in active_outcomes(competition, DECIDED):
        key = (outcome.registration_id, str(outcome.kind), outcome.title, outcome.grade_from, outcome.grade_to)
        existing[key] = outcome
    recorded = kept = 0
    for item in preview(competition):
        for wanted in item.wanted:
            if existing.pop((item.registration_id, *wanted.key), None) is not None:
                kept += 1
                continue
            _record(actor, competition, item, wanted, (chosen, version))
            recorded += 1
    for stale in existing.values():
        _withdraw(actor, stale, str(_l("The policy applied again gives another outcome.")))
    applied = Applied(recorded, kept, len(existing))
    audit.record(
        actor,
        "honours.apply",
        competition,
        competition_id=competition.id,
        after={"policy": version, "recorded": recorded, "kept": kept, "withdrawn": applied.withdrawn},
    )
    return applied


def confirm_promotion(actor, outcome: Outcome) -> None:
    """The organizer confirms a proposed promotion (the winner also meets the ordinary conditions)."""
    if outcome.kind != OutcomeKind.PROMOTION or outcome.status != OutcomeStatus.PROPOSED:
        raise Conflict(_l("Only a proposed promotion can be confirmed."))
    if not is_final(outcome.competition_id):
        raise Conflict(_l("The results were reopened: apply the policy again once they are final."))
    outcome.status = OutcomeStatus.CONFIRMED
    _take_effect(actor, outcome)
    audit.record(
        actor, "honours.confirm", outcome, competition_id=outcome.competition_id, after={"to": outcome.grade_to}
    )


def confirm_all(actor, competition: Competition) -> int:
    proposed = [o for o in active_outcomes(competition) if o.status == OutcomeStatus.PROPOSED]
    for outcome in proposed:
        confirm_promotion(actor, outcome)
    return len(proposed)


def decline_promotion(actor, outcome: Outcome, reason: str) -> None:
    """A proposed promotion the winner cannot take (the ordinary conditions are not met): withdrawn with the reason."""
    if outcome.kind != OutcomeKind.PROMOTION or outcome.status != OutcomeStatus.PROPOSED:
        raise Conflict(_l("Only a proposed promotion can be declined."))
    if not reason.strip():
        raise InvalidInput(_l("Give the reason for declining the promotion."), "reason")
    outcome.status, outcome.withdrawn_at, outcome.withdrawn_reason = OutcomeStatus.DECLINED, utcnow(), reason.strip()
    audit.record(
        actor, "honours.decline", outcome, competition_id=outcome.competition_id, after={"reason": reason.strip()}
    )


def withdraw_outcomes(actor, competition: Competition, reason: str) -> int:
    """A reopening of results withdraws every outcome; the policy is applied again once they are final."""
    outcomes = active_outcomes(competition)
    for outcome in outcomes:
        _withdraw(actor, outcome, reason)
    return len(outcomes)


def export_fields(competition: Competition) -> dict[int, dict]:
    """Per entry: the titles, nominations, promotion and basis of the results export."""
    entry_of = dict(
        db.session.execute(
            select(Entry.registration_id, Entry.id)
            .join(Event, Event.id == Entry.event_id)
            .where(Event.competition_id == competition.id)
        ).all()
    )
    fields: dict[int, dict] = {}
    for outcome in active_outcomes(competition):
        entry = fields.setdefault(
            entry_of[outcome.registration_id], {"titles": [], "nominations": [], "promotion": None, "basis": []}
        )
        if outcome.status != OutcomeStatus.CONFIRMED:
            continue
        if outcome.kind == OutcomeKind.TITLE:
            entry["titles"].append(outcome.title)
        elif outcome.kind == OutcomeKind.NOMINATION:
            entry["nominations"].append(outcome.title)
        else:
            entry["promotion"] = {"from": outcome.grade_from, "to": outcome.grade_to}
        for line in basis_lines(outcome):
            if line not in entry["basis"]:
                entry["basis"].append(line)
    return fields


def recorded_outcomes(competition: Competition) -> list[Outcome]:
    """Every outcome recorded for the competition, withdrawn ones included (the trail)."""
    return db.session.scalars(
        select(Outcome).where(Outcome.competition_id == competition.id).order_by(Outcome.event_id, Outcome.id)
    ).all()


def by_registration(outcomes) -> dict[int, list[Outcome]]:
    grouped: dict[int, list[Outcome]] = {}
    for outcome in outcomes:
        grouped.setdefault(outcome.registration_id, []).append(outcome)
    return grouped
