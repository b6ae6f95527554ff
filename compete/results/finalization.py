"""Finalization: refused while anything stands in the way, each named; final results reopen only formally."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from compete.audit import services as audit
from compete.columns import utcnow
from compete.competitions.models import Competition
from compete.errors import Conflict, InvalidInput
from compete.results.appeals import appeals_of
from compete.results.models import AppealStatus
from compete.results.services import computed_results, final_state, latest_publication, stale_events
from compete.venue import services as venue


def finalize_blockers(competition: Competition, now: datetime | None = None, computed=None) -> list[str]:
    """Everything that stands between these results and final ones, each named (DOMjudge-style)."""
    now = now or utcnow()
    computed = computed_results(competition) if computed is None else computed
    problems = []
    for event, results in computed:
        day = venue.event_day(event)
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
        for name in stale_events(competition, computed):
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
    # Certificates first, so that each says it fell with the reopening rather than with its outcome.
    from compete.certificates import services as certificates

    certificates.revoke_for_reopening(actor, competition, reason.strip())
    # Outcomes stand on final results only: withdrawn here, derived again when the results are final once more.
    from compete.honours import services as honours

    honours.withdraw_outcomes(actor, competition, reason.strip())
