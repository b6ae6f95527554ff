"""Final competitions and an approved selection round to issue certificates from, built through the services."""

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from compete.accounts.models import Role
from compete.competitions.models import Competition
from compete.extensions import db
from compete.honours import review, selection
from compete.people import services as people
from compete.people.models import Person
from compete.scenarios import loader
from tests.factories import make_user, valid_id_number

SMALL = json.loads((Path(__file__).resolve().parents[1] / "examples" / "small.json").read_text(encoding="utf-8"))
# The small example's HG-W, in rank order; 杨磊 (32130219900307006X) is absent.
ZHANG, LIU, WANG, LI, CHEN = (
    "321302199003070019",
    "321302199003070043",
    "321302199003070027",
    "321302199003070035",
    "321302199003070051",
)
ABSENT = "32130219900307006X"


def scenario(policy="tianjin-municipal-1", *, names=None, **competition) -> dict:
    """The small example; `names` renames competitors by ID number (e.g. to test rare characters)."""
    data = copy.deepcopy(SMALL)
    data["competition"].update(policy=policy, **competition)
    for event in data["events"]:
        for competitor in event.get("competitors", []):
            competitor["name"] = (names or {}).get(competitor["id_number"], competitor["name"])
    return data


def loaded(owner, policy="tianjin-municipal-1", **changes) -> Competition:
    """Loaded with marks and results, neither published nor final."""
    return db.session.get(Competition, loader.load(scenario(policy, **changes), owner))


def final(owner, policy="tianjin-municipal-1", **changes) -> Competition:
    """Final, its policy applied and confirmed. tianjin-municipal-1 gives 3 medals, 2 participations and
    5 promotions; zhejiang gives the same awards and the title 市技术能手 to the first two instead of promotions."""
    return db.session.get(Competition, loader.load(scenario(policy, **changes), owner, finalize=True))


def person(id_number: str) -> Person:
    return db.session.scalar(select(Person).where(Person.id_number == id_number))


def closed_round(organizer, *, names=("王秀英", "郑浩"), approve=True, title="宿迁市技术能手", year=2026):
    """A selection round whose candidates were all scored by three reviewers, then (by default) approved."""
    honour = selection.add_title(organizer, name=title, level="municipal", awarding_body="宿迁市人力资源和社会保障局")
    selection_round = selection.create_round(organizer, title=honour, year=year, quota=len(names))
    reviewers = [
        make_user(f"reviewer{index}", role)
        for index, role in enumerate((Role.CHIEF_JUDGE, Role.JUDGE, Role.SUPERVISOR))
    ]
    candidates = [
        selection.recommend(
            organizer,
            selection_round,
            people.add_person(
                organizer, name=name, id_number=valid_id_number(f"32130219800101{index:03d}"), grade="g2"
            ),
        )
        for index, name in enumerate(names, start=500)
    ]
    selection.advance_stage(organizer, selection_round)
    for candidate in candidates:
        for reviewer in reviewers:
            review.record_score(organizer, candidate, reviewer, Decimal("90"))
    selection.advance_stage(organizer, selection_round)
    selection.advance_stage(organizer, selection_round)
    if approve:
        selection.approve(organizer, selection_round, candidates, date(year, 12, 20))
    return selection_round
