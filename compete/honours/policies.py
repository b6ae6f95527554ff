"""Organizers' own policies: copies of presets, edited and validated, and the "rank → outcome" preview."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.accounts.models import Role
from compete.audit import services as audit
from compete.columns import utcnow
from compete.errors import InvalidInput, NotFound
from compete.extensions import db
from compete.honours.models import OwnPolicy
from compete.rules import policy as policies

OWN_PREFIX = "own-"

# PolicyError codes as the organizer reads them; %(where)s names the rule or setting.
ERROR_MESSAGES = {
    "unknown_key": _l("%(where)s: unknown setting."),
    "not_a_mapping": _l("%(where)s: not a set of settings."),
    "required": _l("%(where)s: this is required."),
    "bad_number": _l("%(where)s: enter a whole number of at least %(minimum)s."),
    "not_a_flag": _l("%(where)s: answer yes or no."),
    "unknown_grade": _l("%(where)s: choose a grade from the list."),
    "not_a_list": _l("%(where)s: give a list."),
    "unknown_level": _l("%(where)s: choose a competition level from the list."),
    "unknown_group": _l("%(where)s: choose the worker or the student group."),
    "bad_ranks": _l("%(where)s: give the first and the last rank."),
    "empty_ranks": _l("%(where)s: the rank range %(first)s–%(last)s is empty: the last rank is before the first."),
    "bad_share": _l("%(where)s: the top share must be more than 0 %% and at most 100 %%."),
    "unknown_award": _l("%(where)s: choose awards from the list."),
    "to_or_steps": _l("%(where)s: promote either to a grade or by a number of levels, not both or neither."),
    "bad_already": _l("%(where)s: choose what holders of the target grade get."),
    "beyond_cap": _l("%(where)s: promotion to %(grade)s is beyond the competition cap %(cap)s."),
    "no_effect": _l("%(where)s: the rule grants, nominates or promotes nothing."),
    "duplicate_rule": _l("%(where)s: another rule has the same name %(rule)s."),
    "overlap": _l(
        "%(where)s: promotion rules %(first)s and %(second)s can fire for the same group and rank; "
        "give them different precedences."
    ),
    "unknown_award_scheme": _l("%(where)s: choose an award scheme from the list."),
    "no_rules": _l("%(where)s: a policy needs at least one rule."),
}


def _where(path: str) -> str:
    """rules[2].when.ranks → "Rule 3"; the policy's own settings → "Policy"."""
    if path.startswith("rules["):
        number = int(path[len("rules[") : path.index("]")]) + 1
        return str(_l("Rule %(number)d", number=number))
    return str(_l("Policy"))


def error_message(error: policies.PolicyError) -> str:
    template = ERROR_MESSAGES.get(error.code, _l("%(where)s: not valid."))
    facts = {key: ("—" if value is None else value) for key, value in error.facts.items()}
    return str(template) % {"where": _where(error.path), **facts}


def check(data: dict) -> policies.Policy:
    """The policy of this data, or InvalidInput with the organizer's message."""
    try:
        return policies.load(data)
    except policies.PolicyError as error:
        raise InvalidInput(error_message(error), error.path) from error


def own_policies(actor) -> list[OwnPolicy]:
    query = select(OwnPolicy).order_by(OwnPolicy.id)
    if actor.role != Role.ADMIN:
        query = query.where(OwnPolicy.owner_id == actor.id)
    return db.session.scalars(query).all()


def own_policy(actor, policy_id: int) -> OwnPolicy:
    """An organizer's policy, found only by its owner (or an admin)."""
    own = db.session.get(OwnPolicy, policy_id)
    if own is None or (actor.role != Role.ADMIN and own.owner_id != actor.id):
        raise NotFound(_l("No such policy."))
    return own


def copy_preset(actor, preset_id: str) -> OwnPolicy:
    try:
        source = policies.preset(preset_id)
    except KeyError:
        raise NotFound(_l("No such preset.")) from None
    data = policies.to_data(source)
    data.update(
        id=f"{source.id}-copy",
        name={"zh": f"{source.name_zh}(副本)", "en": f"{source.name_en} (copy)"},
        version="1",
        template=False,
    )
    own = OwnPolicy(owner_id=actor.id, based_on=source.id, version=1, data=data)
    db.session.add(own)
    db.session.flush()
    audit.record(actor, "policy.copy", own, after={"preset": source.id, "version": source.version})
    return own


def save_policy(actor, own: OwnPolicy, data: dict) -> None:
    """A validated change is a new version; competitions that use the policy cite the version they applied."""
    data = {**data, "id": own.data["id"], "version": str(own.version + 1)}
    checked = check(data)
    stored = policies.to_data(checked)
    if stored == {**own.data, "version": stored["version"]}:
        return
    before = {"version": own.version, "data": own.data}
    own.data, own.version, own.updated_at = stored, own.version + 1, utcnow()
    audit.record(actor, "policy.update", own, before=before, after={"version": own.version, "data": stored})


def resolve(key: str) -> tuple[policies.Policy, str]:
    """The policy a competition names (a preset id or own-N) and the version its outcomes cite."""
    if key.startswith(OWN_PREFIX):
        own = db.session.get(OwnPolicy, int(key.removeprefix(OWN_PREFIX)))
        if own is None:
            raise NotFound(_l("No such policy."))
        return check(own.data), f"{own.key} v{own.version}"
    try:
        chosen = policies.preset(key)
    except KeyError:
        raise NotFound(_l("No such preset.")) from None
    return chosen, f"{chosen.id} v{chosen.version}"


def may_use(actor, key: str) -> bool:
    """A competition may use any preset, or one of its owner's own policies."""
    if not key.startswith(OWN_PREFIX):
        return key in {p.id for p in policies.presets()}
    suffix = key.removeprefix(OWN_PREFIX)
    own = db.session.get(OwnPolicy, int(suffix)) if suffix.isdigit() else None
    return own is not None and (actor is None or actor.role == Role.ADMIN or own.owner_id == actor.id)


@dataclass(frozen=True)
class PreviewLine:
    rank: int
    award: str | None
    effects: policies.Effects


def preview_table(chosen: policies.Policy, *, level: str, group: str, entrants: int, grade: str) -> list[PreviewLine]:
    """What each rank 1…N gets under the policy, for one group, entrant count and grade held (everyone passes)."""
    lines = []
    for rank in range(1, entrants + 1):
        standing = policies.standing_of(chosen, level, group, rank, entrants, grade)
        lines.append(PreviewLine(rank, standing.award, policies.evaluate(chosen, standing)))
    return lines
