"""Promotion and honours policies as data: the rule types, loading and checking them, the shipped presets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import yaml

from compete.rules import awards, grades
from compete.rules.levels import LEVEL_CODES

__all__ = [
    "ALREADY",
    "GROUPS",
    "Condition",
    "Policy",
    "PolicyError",
    "Promotion",
    "Rule",
    "Switches",
    "load",
    "preset",
    "presets",
    "to_data",
]

GROUPS = ("worker", "student")
ALREADY = ("next", "nothing")
PRESETS_FOLDER = Path(__file__).with_name("presets")
_POLICY_KEYS = {"id", "name", "version", "source", "citation", "template", "award_scheme", "switches", "rules"}
_SWITCH_KEYS = {"cap", "one_promotion_per_year", "already_holds", "student_one_less", "proposed"}
_RULE_KEYS = {"id", "text", "when", "grant", "nominate", "promote", "precedence"}
_WHEN_KEYS = {"levels", "group", "ranks", "top_share", "awards", "must_pass", "team_size"}
_PROMOTE_KEYS = {"to", "steps", "already"}


class PolicyError(ValueError):
    """A policy that cannot be used: ``code`` names the problem, ``path`` the item, ``facts`` fill the message."""

    def __init__(self, code: str, path: str, **facts):
        super().__init__(f"{path}: {code} {facts}")
        self.code, self.path, self.facts = code, path, facts


@dataclass(frozen=True)
class Condition:
    """When a rule fires; an empty field does not restrict."""

    levels: tuple[str, ...] = ()
    group: str | None = None
    ranks: tuple[int, int | None] | None = None  # inclusive; None as the upper bound: no limit
    top_share: Decimal | None = None  # rank ≤ ⌊share × entrants⌋
    awards: tuple[str, ...] = ()
    must_pass: bool = False
    team_size: int | None = None


@dataclass(frozen=True)
class Promotion:
    to: str | None = None  # "to X" ...
    steps: int = 0  # ... or "+n levels"
    already: str | None = None  # for holders of X: "next" or "nothing"; None: the policy's switch


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    when: Condition
    grant: tuple[str, ...] = ()
    nominate: tuple[str, ...] = ()
    promote: Promotion | None = None
    precedence: int | None = None  # lower wins when promotion rules overlap


@dataclass(frozen=True)
class Switches:
    """The recurring constraints of DOMAIN.md section 7, each a switch."""

    cap: str | None = grades.COMPETITION_CAP
    one_promotion_per_year: bool = False
    already_holds: str = "next"
    student_one_less: bool = False
    proposed: bool = False


@dataclass(frozen=True)
class Policy:
    id: str
    name_zh: str
    name_en: str
    version: str
    source: str
    citation: str
    template: bool
    award_scheme: str
    switches: Switches
    rules: tuple[Rule, ...]


def _keys(data, allowed: set[str], path: str) -> dict:
    if not isinstance(data, dict):
        raise PolicyError("not_a_mapping", path)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise PolicyError("unknown_key", f"{path}.{unknown[0]}", key=unknown[0])
    return data


def _text(value, path: str, *, required: bool = True) -> str:
    # An optional text may be empty: ``to_data`` writes "" for one that was left out.
    if not required and (value is None or value == ""):
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
        raise PolicyError("required", path)
    return str(value).strip()


def _int(value, path: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PolicyError("bad_number", path, minimum=minimum)
    return value


def _flag(value, path: str) -> bool:
    if not isinstance(value, bool):
        raise PolicyError("not_a_flag", path)
    return value


def _grade(value, path: str, *, allow_none: bool = False) -> str | None:
    if value is None and allow_none:
        return None
    if not grades.is_grade_code(value) or value == grades.NO_GRADE:
        raise PolicyError("unknown_grade", path, grade=value)
    return value


def _titles(value, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise PolicyError("not_a_list", path)
    return tuple(dict.fromkeys(_text(title, f"{path}[{i}]") for i, title in enumerate(value)))


def _condition(data, path: str) -> Condition:
    data = _keys(data or {}, _WHEN_KEYS, path)
    levels = tuple(data.get("levels") or ())
    for i, level in enumerate(levels):
        if level not in LEVEL_CODES:
            raise PolicyError("unknown_level", f"{path}.levels[{i}]", level=level)
    group = data.get("group")
    if group is not None and group not in GROUPS:
        raise PolicyError("unknown_group", f"{path}.group", group=group)
    ranks = None
    if data.get("ranks") is not None:
        bounds = data["ranks"]
        if not isinstance(bounds, list | tuple) or len(bounds) != 2:
            raise PolicyError("bad_ranks", f"{path}.ranks")
        first = _int(bounds[0], f"{path}.ranks[0]")
        last = None if bounds[1] is None else _int(bounds[1], f"{path}.ranks[1]")
        if last is not None and last < first:
            raise PolicyError("empty_ranks", f"{path}.ranks", first=first, last=last)
        ranks = (first, last)
    share = None
    if data.get("top_share") is not None:
        try:
            share = Decimal(str(data["top_share"]))
        except InvalidOperation:
            share = Decimal(-1)
        if not Decimal(0) < share <= Decimal(1):
            raise PolicyError("bad_share", f"{path}.top_share", share=data["top_share"])
    listed_awards = tuple(data.get("awards") or ())
    known = {name for names in awards.AWARD_NAMES.values() for name in names}
    for i, name in enumerate(listed_awards):
        if name not in known:
            raise PolicyError("unknown_award", f"{path}.awards[{i}]", award=name)
    team_size = None if data.get("team_size") is None else _int(data["team_size"], f"{path}.team_size")
    return Condition(
        levels=levels,
        group=group,
        ranks=ranks,
        top_share=share,
        awards=listed_awards,
        must_pass=_flag(data.get("must_pass", False), f"{path}.must_pass"),
        team_size=team_size,
    )


def _promotion(data, path: str, cap: str | None) -> Promotion | None:
    if data is None:
        return None
    data = _keys(data, _PROMOTE_KEYS, path)
    target = _grade(data.get("to"), f"{path}.to", allow_none=True)
    steps = 0 if data.get("steps") is None else _int(data["steps"], f"{path}.steps")
    if (target is None) == (steps == 0):
        raise PolicyError("to_or_steps", path)
    already = data.get("already")
    if already is not None and already not in ALREADY:
        raise PolicyError("bad_already", f"{path}.already", value=already)
    if target is not None and cap is not None and grades.compare(target, cap) > 0:
        raise PolicyError("beyond_cap", f"{path}.to", grade=target, cap=cap)
    return Promotion(to=target, steps=steps, already=already)


def _switches(data, path: str) -> Switches:
    data = _keys(data or {}, _SWITCH_KEYS, path)
    already = data.get("already_holds", "next")
    if already not in ALREADY:
        raise PolicyError("bad_already", f"{path}.already_holds", value=already)
    return Switches(
        cap=_grade(data.get("cap", grades.COMPETITION_CAP), f"{path}.cap", allow_none=True),
        one_promotion_per_year=_flag(data.get("one_promotion_per_year", False), f"{path}.one_promotion_per_year"),
        already_holds=already,
        student_one_less=_flag(data.get("student_one_less", False), f"{path}.student_one_less"),
        proposed=_flag(data.get("proposed", False), f"{path}.proposed"),
    )


def _rule(data, path: str, cap: str | None) -> Rule:
    data = _keys(data, _RULE_KEYS, path)
    rule = Rule(
        id=_text(data.get("id"), f"{path}.id"),
        text=_text(data.get("text"), f"{path}.text"),
        when=_condition(data.get("when"), f"{path}.when"),
        grant=_titles(data.get("grant"), f"{path}.grant"),
        nominate=_titles(data.get("nominate"), f"{path}.nominate"),
        promote=_promotion(data.get("promote"), f"{path}.promote", cap),
        precedence=None if data.get("precedence") is None else _int(data["precedence"], f"{path}.precedence"),
    )
    if not (rule.grant or rule.nominate or rule.promote):
        raise PolicyError("no_effect", path, rule=rule.id)
    return rule


def _rank_span(when: Condition) -> tuple[int, float]:
    """The ranks a rule may reach; a share or an award condition may reach any rank."""
    if when.ranks is None or when.top_share is not None or when.awards:
        return (1, float("inf"))
    first, last = when.ranks
    return (first, float("inf") if last is None else last)


def _may_overlap(a: Condition, b: Condition) -> bool:
    if a.group and b.group and a.group != b.group:
        return False
    if a.levels and b.levels and not set(a.levels) & set(b.levels):
        return False
    if a.team_size and b.team_size and a.team_size != b.team_size:
        return False
    (a_first, a_last), (b_first, b_last) = _rank_span(a), _rank_span(b)
    return a_first <= b_last and b_first <= a_last


def _check_precedence(rules: tuple[Rule, ...]) -> None:
    """Two promotion rules that can fire for the same person need distinct precedences: no silent choice."""
    promoting = [(i, rule) for i, rule in enumerate(rules) if rule.promote]
    for position, (_, first) in enumerate(promoting):
        for j, second in promoting[position + 1 :]:
            stated = first.precedence is not None and second.precedence is not None
            if _may_overlap(first.when, second.when) and not (stated and first.precedence != second.precedence):
                raise PolicyError("overlap", f"rules[{j}]", first=first.id, second=second.id)


def load(data) -> Policy:
    """A policy from its plain data (a preset's YAML or an organizer's copy); PolicyError names what is wrong."""
    data = _keys(data, _POLICY_KEYS, "$")
    names = _keys(data.get("name") or {}, {"zh", "en"}, "$.name")
    switches = _switches(data.get("switches"), "$.switches")
    scheme = data.get("award_scheme", "medals")
    if scheme not in awards.AWARD_SCHEMES:
        raise PolicyError("unknown_award_scheme", "$.award_scheme", scheme=scheme)
    listed = data.get("rules")
    if not isinstance(listed, list) or not listed:
        raise PolicyError("no_rules", "$.rules")
    rules = tuple(_rule(item, f"rules[{i}]", switches.cap) for i, item in enumerate(listed))
    seen = set()
    for i, rule in enumerate(rules):
        if rule.id in seen:
            raise PolicyError("duplicate_rule", f"rules[{i}].id", rule=rule.id)
        seen.add(rule.id)
    _check_precedence(rules)
    return Policy(
        id=_text(data.get("id"), "$.id"),
        name_zh=_text(names.get("zh"), "$.name.zh"),
        name_en=_text(names.get("en"), "$.name.en"),
        version=_text(data.get("version"), "$.version"),
        source=_text(data.get("source"), "$.source", required=False),
        citation=_text(data.get("citation"), "$.citation", required=False),
        template=_flag(data.get("template", False), "$.template"),
        award_scheme=scheme,
        switches=switches,
        rules=rules,
    )


def to_data(policy: Policy) -> dict:
    """The plain data of a policy, as ``load`` reads it: how an organizer's copy is stored."""

    def when(c: Condition) -> dict:
        data = {
            "levels": list(c.levels),
            "group": c.group,
            "ranks": list(c.ranks) if c.ranks else None,
            "top_share": str(c.top_share) if c.top_share is not None else None,
            "awards": list(c.awards),
            "must_pass": c.must_pass,
            "team_size": c.team_size,
        }
        return {key: value for key, value in data.items() if value not in (None, [], False)}

    def rule(r: Rule) -> dict:
        data = {"id": r.id, "text": r.text, "when": when(r.when)}
        if r.grant:
            data["grant"] = list(r.grant)
        if r.nominate:
            data["nominate"] = list(r.nominate)
        if r.promote:
            promote = {"to": r.promote.to, "steps": r.promote.steps or None, "already": r.promote.already}
            data["promote"] = {key: value for key, value in promote.items() if value is not None}
        if r.precedence is not None:
            data["precedence"] = r.precedence
        return data

    s = policy.switches
    return {
        "id": policy.id,
        "name": {"zh": policy.name_zh, "en": policy.name_en},
        "version": policy.version,
        "source": policy.source,
        "citation": policy.citation,
        "template": policy.template,
        "award_scheme": policy.award_scheme,
        "switches": {
            "cap": s.cap,
            "one_promotion_per_year": s.one_promotion_per_year,
            "already_holds": s.already_holds,
            "student_one_less": s.student_one_less,
            "proposed": s.proposed,
        },
        "rules": [rule(r) for r in policy.rules],
    }


@cache
def presets() -> tuple[Policy, ...]:
    """The shipped presets, in file-name order of their ``order`` prefix."""
    loaded = []
    for path in sorted(PRESETS_FOLDER.glob("*.yaml")):
        with path.open(encoding="utf-8") as file:
            loaded.append(load(yaml.safe_load(file)))
    return tuple(loaded)


def preset(preset_id: str) -> Policy:
    for policy in presets():
        if policy.id == preset_id:
            return policy
    raise KeyError(preset_id)
