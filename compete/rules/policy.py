"""Evaluating a promotion and honours policy against one competitor's standing: effects, each with its reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from compete.rules import awards, grades

# The policy types, loading and presets live in policy_schema; they are named here too, so that callers
# read one module.
from compete.rules.policy_schema import (
    GROUPS,
    Condition,
    Policy,
    PolicyError,
    Promotion,
    Rule,
    Switches,
    load,
    preset,
    presets,
    to_data,
)

__all__ = [
    "GROUPS",
    "Condition",
    "Effects",
    "Policy",
    "PolicyError",
    "Promotion",
    "Reason",
    "Rule",
    "Standing",
    "Switches",
    "evaluate",
    "load",
    "preset",
    "presets",
    "share_cutoff",
    "standing_of",
    "to_data",
]


@dataclass(frozen=True)
class Standing:
    """The facts of one competitor's result that a policy may use."""

    level: str
    group: str
    rank: int | None
    entrants: int
    grade: str = grades.NO_GRADE
    total: Decimal | None = None
    pass_mark: Decimal | None = None
    award: str | None = None
    team_size: int = 1
    promoted_this_year: bool = False

    @property
    def passed(self) -> bool:
        if self.pass_mark is None:
            return True
        return self.total is not None and self.total >= self.pass_mark


@dataclass(frozen=True)
class Reason:
    """Why an effect holds (or was held back): the rule or switch, and the facts it used."""

    rule: str
    text: str
    facts: dict = field(default_factory=dict)

    def describe(self) -> str:
        """One line for logs and the command line: the rule, its wording and the facts it used."""
        facts = ", ".join(f"{key}={value}" for key, value in self.facts.items())
        return f"{self.rule}: {self.text}" + (f" ({facts})" if facts else "")


@dataclass(frozen=True)
class Effects:
    titles: tuple[str, ...] = ()
    nominations: tuple[str, ...] = ()
    promotion: tuple[str, str] | None = None  # (from, to)
    proposed: bool = False
    reasons: tuple[Reason, ...] = ()


def share_cutoff(share: Decimal, entrants: int) -> int:
    """The last rank inside a top share: ⌊share × entrants⌋, rounded down (30 % of 25 is rank 7)."""
    return int((share * entrants).to_integral_value(rounding=ROUND_FLOOR))


def standing_of(
    policy: Policy, level, group, rank, entrants, grade, total=None, pass_mark="60", *, promoted_this_year=False
) -> Standing:
    """A standing from loose values (the command line), the award taken from the policy's own scheme."""
    try:
        total = None if total in (None, "") else Decimal(str(total))
        pass_mark = None if total is None or pass_mark in (None, "") else Decimal(str(pass_mark))
    except InvalidOperation:
        raise ValueError(f"not a number: {total!r} / {pass_mark!r}") from None
    passed = total is None or pass_mark is None or total >= pass_mark
    return Standing(
        level=level,
        group=group,
        rank=rank,
        entrants=entrants,
        grade=grade,
        total=total,
        pass_mark=pass_mark,
        award=awards.award(policy.award_scheme, rank, entrants, passed=passed),
        promoted_this_year=promoted_this_year,
    )


def _fires(when: Condition, standing: Standing) -> dict | None:
    """The facts a rule used when it fires for this standing, or None."""
    used: dict = {}
    if when.levels:
        if standing.level not in when.levels:
            return None
        used["level"] = standing.level
    if when.group:
        if standing.group != when.group:
            return None
        used["group"] = standing.group
    if when.team_size:
        if standing.team_size != when.team_size:
            return None
        used["team_size"] = standing.team_size
    if when.ranks:
        first, last = when.ranks
        if standing.rank < first or (last is not None and standing.rank > last):
            return None
        used["rank"] = standing.rank
    if when.top_share is not None:
        cutoff = share_cutoff(when.top_share, standing.entrants)
        if standing.rank > cutoff:
            return None
        used.update(rank=standing.rank, entrants=standing.entrants, cutoff=cutoff)
    if when.awards:
        if standing.award not in when.awards:
            return None
        used["award"] = standing.award
    if when.must_pass:
        if not standing.passed:
            return None
        used.update(total=str(standing.total), pass_mark=str(standing.pass_mark) if standing.pass_mark else None)
    return used


def _target(promotion: Promotion, held: str, already: str, less: int) -> str | None:
    """The grade a holder of ``held`` reaches under one promotion rule, before the cap; ``less`` rungs lower."""
    if promotion.steps:
        steps = promotion.steps - less
        reached = held
        for _ in range(steps):
            reached = grades.next_grade(reached) or reached
        return reached if steps > 0 and grades.compare(reached, held) > 0 else None
    goal = promotion.to
    for _ in range(less):
        lower = next((g.code for g in grades.LADDER if g.order == grades.order(goal) - 1), None)
        if lower is None:
            return None
        goal = lower
    order_held, order_goal = grades.order(held), grades.order(goal)
    if order_held < order_goal:
        return goal
    if order_held == order_goal and already == "next":
        return grades.next_grade(goal)
    return None


def _promotion_effect(policy: Policy, standing: Standing, fired: list[tuple[Rule, dict]]) -> tuple[tuple | None, list]:
    promoting = [(rule, used) for rule, used in fired if rule.promote]
    if not promoting:
        return None, []
    rule, _used = min(promoting, key=lambda pair: (pair[0].precedence is None, pair[0].precedence or 0))
    switches = policy.switches
    reasons = []
    if not standing.passed:
        # DOMAIN.md section 6: below a required pass mark a competitor is ranked but gets no promotion.
        facts = {"total": None if standing.total is None else str(standing.total), "pass_mark": str(standing.pass_mark)}
        reasons.append(Reason("below_pass_mark", "below the pass mark: no promotion", facts))
        return None, reasons
    if switches.one_promotion_per_year and standing.promoted_this_year:
        reasons.append(Reason("one_promotion_per_year", "one competition promotion per person per calendar year"))
        return None, reasons
    less = 1 if switches.student_one_less and standing.group == "student" and rule.when.group != "student" else 0
    if less:
        reasons.append(Reason("student_one_less", "student groups get one grade less", {"group": standing.group}))
    already = rule.promote.already or switches.already_holds
    reached = _target(rule.promote, standing.grade, already, less)
    if reached is None:
        reasons.append(Reason(rule.id, "holds the target grade or above", {"grade": standing.grade}))
        return None, reasons
    if switches.cap is not None and grades.compare(reached, switches.cap) > 0:
        if grades.compare(standing.grade, switches.cap) >= 0:
            reasons.append(Reason("cap", "competition promotion stops at the cap", {"cap": switches.cap}))
            return None, reasons
        reasons.append(Reason("cap", "promotion held at the cap", {"cap": switches.cap}))
        reached = switches.cap
    return (standing.grade, reached), reasons


def evaluate(policy: Policy, standing: Standing) -> Effects:
    """The titles, nominations and promotion this policy gives one standing, each with the reasons it holds.

    Unranked competitors (absent, disqualified) get nothing. A title both granted and nominated is granted.
    Of several promotion rules that fire, the lowest precedence number wins (``load`` refuses a policy where
    two could fire for the same person without distinct precedences).
    """
    if standing.rank is None:
        return Effects(reasons=(Reason("unranked", "not ranked: absent or disqualified"),))
    fired = [(rule, used) for rule in policy.rules if (used := _fires(rule.when, standing)) is not None]
    if not fired:
        return Effects(reasons=(Reason("no_rule", "no rule of this policy applies", {"rank": standing.rank}),))
    titles = tuple(dict.fromkeys(title for rule, _ in fired for title in rule.grant))
    nominations = tuple(dict.fromkeys(title for rule, _ in fired for title in rule.nominate if title not in titles))
    promotion, held_back = _promotion_effect(policy, standing, fired)
    reasons = tuple(Reason(rule.id, rule.text, used) for rule, used in fired) + tuple(held_back)
    return Effects(
        titles=titles,
        nominations=nominations,
        promotion=promotion,
        proposed=promotion is not None and policy.switches.proposed,
        reasons=reasons,
    )
