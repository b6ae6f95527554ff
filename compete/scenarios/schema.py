"""The scenario file's shape, checked whole before anything is loaded; every problem names its path."""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from compete.rules import grades
from compete.rules.ranking import TIE_BREAK_KEYS

GROUPS = ("worker", "student")
AGGREGATIONS = ("mean", "trimmed_mean", "median")
AWARD_SCHEMES = ("places", "medals", "prize_shares")
KINDS = ("measurement", "judgement")
STATUSES = ("present", "absent", "disqualified")

COMPETITION_KEYS = {"name": True, "level": True, "year": True, "date": True, "organizer": True, "policy": True}
EVENT_KEYS = {
    "code": True,
    "name": True,
    "occupation": True,
    "group": True,
    "weights": True,
    "aggregate": True,
    "tie_breaks": True,
    "award_scheme": True,
    "pass_mark": False,
    "shared_ranks": False,
    "criteria": True,
    "judges": False,
    "competitors": False,
    "marks": False,
}
CRITERION_KEYS = {"code": True, "name": True, "kind": True, "max": True, "step": False}
JUDGE_KEYS = {"name": True, "unit": True, "id_number": False}
COMPETITOR_KEYS = {
    "name": True,
    "id_number": True,
    "unit": True,
    "grade": False,
    "theory": False,
    "minutes": False,
    "status": False,
}
MARK_KEYS = {"id_number": True, "judge": True, "criterion": True, "value": True}


class ScenarioError(ValueError):
    """A scenario file that cannot be loaded: `path` names the offending item, e.g. events[0].marks[12].criterion."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path, self.message = path, message


@dataclass
class Problems:
    found: list[ScenarioError] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.found.append(ScenarioError(path, message))


def _object(value, path: str, keys: dict[str, bool], problems: Problems) -> bool:
    if not isinstance(value, dict):
        problems.add(path, "must be an object")
        return False
    for key in value:
        if key not in keys:
            problems.add(f"{path}.{key}", "unknown key")
    for key, required in keys.items():
        if required and key not in value:
            problems.add(f"{path}.{key}", "is required")
    return True


def _list(value, path: str, problems: Problems) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(path, "must be a list")
        return []
    return value


def decimal(value, path: str, problems: Problems, *, low=None, high=None) -> Decimal | None:
    """Numbers as strings are exact; a JSON number is read by its text too, never as a float's binary value."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        problems.add(path, "must be a number or a number as a string")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        problems.add(path, "is not a number")
        return None
    if not number.is_finite() or (low is not None and number < low) or (high is not None and number > high):
        problems.add(path, f"must be between {low} and {high}" if high is not None else "is out of range")
        return None
    return number


def _text(value, path: str, problems: Problems) -> None:
    if not isinstance(value, str) or not value.strip():
        problems.add(path, "must be a non-empty text")


def _choice(value, path: str, choices, problems: Problems) -> None:
    if value not in choices:
        problems.add(path, f"must be one of {', '.join(choices)}")


def _event(event: dict, path: str, problems: Problems) -> None:
    for key in ("code", "name", "occupation"):
        if key in event:
            _text(event[key], f"{path}.{key}", problems)
    _choice(event.get("group"), f"{path}.group", GROUPS, problems)
    _choice(event.get("aggregate"), f"{path}.aggregate", AGGREGATIONS, problems)
    _choice(event.get("award_scheme"), f"{path}.award_scheme", AWARD_SCHEMES, problems)
    weights = event.get("weights")
    if _object(weights, f"{path}.weights", {"theory": True, "practical": True}, problems):
        theory = decimal(weights.get("theory"), f"{path}.weights.theory", problems, low=0, high=1)
        practical = decimal(weights.get("practical"), f"{path}.weights.practical", problems, low=0, high=1)
        if theory is not None and practical is not None and theory + practical != 1:
            problems.add(f"{path}.weights", f"theory and practical must add up to 1, not {theory + practical}")
    chain = event.get("tie_breaks")
    if not isinstance(chain, list) or not chain or len(set(map(str, chain))) != len(chain):
        problems.add(f"{path}.tie_breaks", "must be a list of distinct keys")
    else:
        for index, key in enumerate(chain):
            _choice(key, f"{path}.tie_breaks[{index}]", TIE_BREAK_KEYS, problems)
    if "pass_mark" in event and event["pass_mark"] is not None:
        decimal(event["pass_mark"], f"{path}.pass_mark", problems, low=0, high=100)
    if "shared_ranks" in event and not isinstance(event["shared_ranks"], bool):
        problems.add(f"{path}.shared_ranks", "must be true or false")
    criteria = {}
    for index, criterion in enumerate(_list(event.get("criteria"), f"{path}.criteria", problems)):
        where = f"{path}.criteria[{index}]"
        if not _object(criterion, where, CRITERION_KEYS, problems):
            continue
        _choice(criterion.get("kind"), f"{where}.kind", KINDS, problems)
        decimal(criterion.get("max"), f"{where}.max", problems, low=Decimal("0.01"), high=Decimal("1000"))
        if "step" in criterion:
            decimal(criterion["step"], f"{where}.step", problems, low=Decimal("0.01"), high=Decimal("100"))
        if criterion.get("code") in criteria:
            problems.add(f"{where}.code", "appears twice in this event")
        criteria[criterion.get("code")] = criterion
    judges = set()
    for index, judge in enumerate(_list(event.get("judges"), f"{path}.judges", problems)):
        where = f"{path}.judges[{index}]"
        if _object(judge, where, JUDGE_KEYS, problems):
            _text(judge.get("name"), f"{where}.name", problems)
            _text(judge.get("unit"), f"{where}.unit", problems)
            if judge.get("name") in judges:
                problems.add(f"{where}.name", "appears twice in this event")
            judges.add(judge.get("name"))
    competitors = set()
    for index, competitor in enumerate(_list(event.get("competitors"), f"{path}.competitors", problems)):
        where = f"{path}.competitors[{index}]"
        if not _object(competitor, where, COMPETITOR_KEYS, problems):
            continue
        _text(competitor.get("name"), f"{where}.name", problems)
        _text(competitor.get("unit"), f"{where}.unit", problems)
        if competitor.get("id_number") in competitors:
            problems.add(f"{where}.id_number", "appears twice in this event")
        competitors.add(competitor.get("id_number"))
        if "grade" in competitor:
            _choice(competitor["grade"], f"{where}.grade", grades.GRADE_CODES, problems)
        if "status" in competitor:
            _choice(competitor["status"], f"{where}.status", STATUSES, problems)
        if competitor.get("theory") is not None:
            decimal(competitor["theory"], f"{where}.theory", problems, low=0, high=100)
        if competitor.get("minutes") is not None:
            decimal(competitor["minutes"], f"{where}.minutes", problems, low=0, high=100000)
    seen = set()
    for index, mark in enumerate(_list(event.get("marks"), f"{path}.marks", problems)):
        where = f"{path}.marks[{index}]"
        if not _object(mark, where, MARK_KEYS, problems):
            continue
        if mark.get("id_number") not in competitors:
            problems.add(f"{where}.id_number", "is not a competitor of this event")
        if mark.get("judge") not in judges:
            problems.add(f"{where}.judge", "is not a judge of this event")
        if mark.get("criterion") not in criteria:
            problems.add(f"{where}.criterion", "is not a criterion of this event")
        decimal(mark.get("value"), f"{where}.value", problems, low=0)
        identity = (mark.get("id_number"), mark.get("judge"), mark.get("criterion"))
        if identity in seen:
            problems.add(where, "a second mark by the same judge for the same competitor and criterion")
        seen.add(identity)


def check(scenario) -> None:
    """Raise the first ScenarioError of the file (all are collected; the first is the one a person fixes first)."""
    problems = Problems()
    if _object(scenario, "$", {"competition": True, "events": True}, problems):
        competition = scenario.get("competition")
        if _object(competition, "competition", COMPETITION_KEYS, problems):
            _text(competition.get("name"), "competition.name", problems)
            if not isinstance(competition.get("year"), int) or isinstance(competition.get("year"), bool):
                problems.add("competition.year", "must be a whole number")
        codes = set()
        for index, event in enumerate(_list(scenario.get("events"), "events", problems)):
            if _object(event, f"events[{index}]", EVENT_KEYS, problems):
                _event(event, f"events[{index}]", problems)
                if event.get("code") in codes:
                    problems.add(f"events[{index}].code", "appears twice in this competition")
                codes.add(event.get("code"))
    if problems.found:
        raise problems.found[0]
