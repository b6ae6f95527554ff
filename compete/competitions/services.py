"""Setting up competitions, events and marking schemes; copying them from earlier years."""

from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.audit import services as audit
from compete.competitions.models import (
    COMPETITION_FIELDS,
    EVENT_FIELDS,
    TIE_BREAK_KEYS,
    Aggregation,
    AwardScheme,
    Competition,
    Criterion,
    CriterionKind,
    Event,
    Group,
)
from compete.errors import InvalidInput
from compete.extensions import db
from compete.rules import grades
from compete.rules.levels import LEVEL_CODES

CRITERION_FIELDS = ("code", "name", "kind", "max_mark", "step")
ONE = Decimal(1)


def _decimal_places_at_most(value: Decimal, places: int) -> bool:
    return value == value.quantize(Decimal(1).scaleb(-places))


def check_competition_values(actor, values: dict) -> None:
    from compete.honours import policies  # an organizer's own policies live with the honours

    if values["level"] not in LEVEL_CODES:
        raise InvalidInput(_l("Choose a competition level from the list."), "level")
    if not policies.may_use(actor, values["policy_preset"] or ""):
        raise InvalidInput(_l("Choose a policy from the list."), "policy_preset")
    if values["ends_on"] < values["starts_on"]:
        raise InvalidInput(_l("The competition cannot end before it starts."), "ends_on")
    if not 2000 <= values["year"] <= 2100:
        raise InvalidInput(_l("Enter a year between 2000 and 2100."), "year")


def create_competition(actor, values: dict) -> Competition:
    check_competition_values(actor, values)
    competition = Competition(owner=actor, **{key: values[key] for key in COMPETITION_FIELDS})
    db.session.add(competition)
    db.session.flush()
    audit.record(
        actor,
        "competition.create",
        competition,
        competition_id=competition.id,
        after=audit.snapshot(competition, COMPETITION_FIELDS),
    )
    return competition


def update_competition(actor, competition: Competition, values: dict) -> None:
    check_competition_values(actor, values)
    before = audit.snapshot(competition, COMPETITION_FIELDS)
    for key in COMPETITION_FIELDS:
        setattr(competition, key, values[key])
    old, new = audit.changes(before, audit.snapshot(competition, COMPETITION_FIELDS))
    if new:
        audit.record(actor, "competition.update", competition, before=old, after=new, competition_id=competition.id)


def set_announced(actor, competition: Competition, announced: bool) -> None:
    if competition.announced != announced:
        competition.announced = announced
        audit.record(
            actor,
            "competition.announce" if announced else "competition.withdraw",
            competition,
            after={"announced": announced},
            competition_id=competition.id,
        )


def check_event_values(competition: Competition, values: dict, event: Event | None = None) -> None:
    """Every rule an event's settings must keep, whichever screen or file they come from."""
    _check_event_identity(competition, values, event)
    _check_weights(values["theory_weight"], values["practical_weight"])
    _check_tie_breaks(values["tie_breaks"])
    if values["pass_mark"] is not None and not Decimal(0) <= values["pass_mark"] <= Decimal(100):
        raise InvalidInput(_l("The pass mark is a total score between 0 and 100."), "pass_mark")
    if not 1 <= values["judges_per_station"] <= 15:
        raise InvalidInput(_l("Between 1 and 15 judges mark each station."), "judges_per_station")
    if not 1 <= values["discrepancy_percent"] <= 100:
        message = _l("The discrepancy threshold is between 1 and 100 percent of a criterion's maximum.")
        raise InvalidInput(message, "discrepancy_percent")
    if values["aggregation"] == Aggregation.TRIMMED_MEAN and values["judges_per_station"] < 3:
        raise InvalidInput(
            _l("A trimmed mean drops the highest and lowest mark, so it needs at least 3 judges."), "judges_per_station"
        )
    if values["capacity"] is not None and values["capacity"] < 1:
        raise InvalidInput(_l("The capacity is at least 1 competitor (leave it empty for no limit)."), "capacity")
    _check_registration_window(competition, values["registration_opens_at"], values["registration_closes_at"])
    _check_eligibility(values)


def _check_event_identity(competition, values, event):
    clash = db.session.scalar(
        select(Event.id).where(Event.competition_id == competition.id, Event.code == values["code"])
    )
    if clash is not None and (event is None or clash != event.id):
        raise InvalidInput(
            _l("The event code %(code)s is already used in this competition.", code=values["code"]), "code"
        )
    if values["group"] not in set(Group):
        raise InvalidInput(_l("Choose a group from the list."), "group")
    if values["aggregation"] not in set(Aggregation):
        raise InvalidInput(_l("Choose an aggregation rule from the list."), "aggregation")
    if values["award_scheme"] not in set(AwardScheme):
        raise InvalidInput(_l("Choose an award scheme from the list."), "award_scheme")


def _check_weights(theory: Decimal, practical: Decimal) -> None:
    for field, weight in (("theory_weight", theory), ("practical_weight", practical)):
        if not Decimal(0) <= weight <= ONE:
            raise InvalidInput(_l("A weight lies between 0 and 1, e.g. 0.3."), field)
        if not _decimal_places_at_most(weight, 3):
            raise InvalidInput(_l("Give a weight with at most 3 decimal places."), field)
    if theory + practical != ONE:
        raise InvalidInput(
            _l("The theory and practical weights must add up to 1; they add up to %(sum)s.", sum=theory + practical),
            "practical_weight",
        )


def _check_tie_breaks(tie_breaks: str) -> None:
    keys = [key for key in tie_breaks.split(",") if key]
    if not keys or any(key not in TIE_BREAK_KEYS for key in keys):
        raise InvalidInput(_l("Choose tie-break keys from the list."), "tie_breaks")
    if len(set(keys)) != len(keys):
        raise InvalidInput(_l("Each tie-break key may be used only once."), "tie_breaks")


def _check_registration_window(competition, opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at and closes_at and closes_at <= opens_at:
        raise InvalidInput(_l("Registration must close after it opens."), "registration_closes_at")
    if closes_at and closes_at.date() > competition.starts_on:
        raise InvalidInput(
            _l(
                "Registration must close by the first day of the competition (%(day)s).",
                day=competition.starts_on.isoformat(),
            ),
            "registration_closes_at",
        )


def _check_eligibility(values: dict) -> None:
    for field in ("min_age", "max_age"):
        if values[field] is not None and not 14 <= values[field] <= 80:
            raise InvalidInput(_l("An age limit lies between 14 and 80 years."), field)
    if values["min_age"] and values["max_age"] and values["max_age"] < values["min_age"]:
        raise InvalidInput(_l("The maximum age cannot be below the minimum age."), "max_age")
    if values["required_grade"] is not None and not grades.is_grade_code(values["required_grade"]):
        raise InvalidInput(_l("Choose a grade from the list."), "required_grade")


def create_event(actor, competition: Competition, values: dict, regions=()) -> Event:
    check_event_values(competition, values)
    event = Event(competition=competition, **{key: values[key] for key in EVENT_FIELDS})
    event.eligible_regions = list(regions)
    db.session.add(event)
    audit.record(
        actor,
        "event.create",
        event,
        competition_id=competition.id,
        after=audit.snapshot(event, EVENT_FIELDS) | {"regions": [r.code for r in regions]},
    )
    return event


def update_event(actor, event: Event, values: dict, regions=()) -> None:
    check_event_values(event.competition, values, event)
    before = audit.snapshot(event, EVENT_FIELDS) | {"regions": [r.code for r in event.eligible_regions]}
    for key in EVENT_FIELDS:
        setattr(event, key, values[key])
    event.eligible_regions = list(regions)
    after = audit.snapshot(event, EVENT_FIELDS) | {"regions": [r.code for r in event.eligible_regions]}
    old, new = audit.changes(before, after)
    if new:
        audit.record(actor, "event.update", event, before=old, after=new, competition_id=event.competition_id)


def check_scheme_rows(rows: list[dict]) -> None:
    """A marking scheme: at least one criterion, unique codes, positive maxima reachable by the step."""
    if not rows:
        raise InvalidInput(_l("A marking scheme needs at least one criterion."))
    seen = set()
    for index, row in enumerate(rows):
        if row["code"] in seen:
            raise InvalidInput(
                _l("The criterion code %(code)s appears twice.", code=row["code"]), f"criteria.{index}.code"
            )
        seen.add(row["code"])
        if row["kind"] not in set(CriterionKind):
            raise InvalidInput(_l("Choose measurement or judgement."), f"criteria.{index}.kind")
        if row["max_mark"] <= 0:
            raise InvalidInput(_l("The maximum mark must be greater than 0."), f"criteria.{index}.max_mark")
        if not _decimal_places_at_most(row["max_mark"], 2):
            raise InvalidInput(_l("Give the maximum mark with at most 2 decimal places."), f"criteria.{index}.max_mark")
        if row["step"] <= 0 or not _decimal_places_at_most(row["step"], 2):
            raise InvalidInput(_l("The step is a positive number such as 0.5 or 0.01."), f"criteria.{index}.step")
        if row["kind"] == CriterionKind.MEASUREMENT and row["max_mark"] % row["step"] != 0:
            raise InvalidInput(_l("The maximum mark must be a multiple of the step."), f"criteria.{index}.max_mark")


def replace_marking_scheme(actor, event: Event, rows: list[dict]) -> None:
    """Make the event's criteria exactly these rows, keeping criteria whose code stays."""
    check_scheme_rows(rows)
    before = [audit.snapshot(criterion, CRITERION_FIELDS) for criterion in event.criteria]
    existing = {criterion.code: criterion for criterion in event.criteria}
    kept = []
    for position, row in enumerate(rows, start=1):
        criterion = existing.pop(row["code"], None) or Criterion(code=row["code"])
        criterion.position = position
        for key in ("name", "kind", "max_mark", "step"):
            setattr(criterion, key, row[key])
        kept.append(criterion)
    for removed in existing.values():
        db.session.delete(removed)
    event.criteria = kept
    db.session.flush()
    after = [audit.snapshot(criterion, CRITERION_FIELDS) for criterion in event.criteria]
    if before != after:
        audit.record(
            actor,
            "event.scheme",
            event,
            before={"criteria": before},
            after={"criteria": after},
            competition_id=event.competition_id,
        )


def copy_event(actor, source: Event, target: Competition, code: str | None = None) -> Event:
    """A new event in target with source's settings and scheme, registration window moved along."""
    values = {key: getattr(source, key) for key in EVENT_FIELDS}
    values["code"] = code or free_event_code(target, source.code)
    shift = target.starts_on - source.competition.starts_on
    for field in ("registration_opens_at", "registration_closes_at"):
        if values[field] is not None:
            values[field] = values[field] + shift
    event = create_event(actor, target, values, regions=source.eligible_regions)
    rows = [{key: getattr(criterion, key) for key in CRITERION_FIELDS} for criterion in source.criteria]
    if rows:
        replace_marking_scheme(actor, event, rows)
    return event


def free_event_code(competition: Competition, code: str) -> str:
    taken = set(db.session.scalars(select(Event.code).where(Event.competition_id == competition.id)))
    candidate, suffix = code, 2
    while candidate in taken:
        candidate, suffix = f"{code}-{suffix}"[:20], suffix + 1
    return candidate


def copy_competition(actor, source: Competition, values: dict) -> Competition:
    """Next year's edition: the settings given in values, every event and scheme copied over."""
    competition = create_competition(actor, values)
    competition.copied_from_id = source.id
    for event in source.events:
        copy_event(actor, event, competition, code=event.code)
    return competition
