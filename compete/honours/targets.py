"""Annual targets of regions (the seeds' 工作目标) and the progress the registry shows towards them."""

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from compete import labels
from compete.audit import services as audit
from compete.columns import local_now
from compete.competitions.models import Competition, Event, event_regions
from compete.errors import InvalidInput
from compete.extensions import db
from compete.honours.models import GradeChange, Target, TargetKind, TitleHolding
from compete.people.models import Person, Region, RegionLevel, Unit
from compete.rules import grades
from compete.workbooks import HEADER_ROW, write_table

__all__ = [
    "FIRST_YEAR",
    "KIND_NAMES",
    "LAST_YEAR",
    "NOTE_LENGTH",
    "ProgressRow",
    "delete_target",
    "demo_targets",
    "find_target",
    "kind_name",
    "percent",
    "progress",
    "set_target",
    "targets_of",
    "targets_workbook",
]

FIRST_YEAR, LAST_YEAR = 2000, 2100
NOTE_LENGTH = 200
TARGET_FIELDS = ("region_id", "year", "kind", "value", "per_county", "note")

KIND_NAMES = {
    TargetKind.COMPETITIONS.value: _l("Competitions held"),
    TargetKind.TECHNICAL_EXPERTS.value: _l("Technical Experts"),
    TargetKind.CHIEF_TECHNICIANS.value: _l("Chief Technicians"),
    TargetKind.PROMOTIONS.value: _l("Skill grade promotions"),
    TargetKind.HIGH_SKILLED.value: _l("High-skilled talent (technician or above)"),
}
_KIND_ORDER = {kind.value: position for position, kind in enumerate(TargetKind)}

# Title names are free text across levels (宿迁市技术能手, 江苏省技术能手, 企业首席技师…): the marker decides the kind.
TITLE_MARKERS = {TargetKind.TECHNICAL_EXPERTS: "技术能手", TargetKind.CHIEF_TECHNICIANS: "首席技师"}
# 高技能人才 are 技师 and above; a promotion that crosses this line makes one more.
HIGH_SKILLED_FROM = "g2"


@dataclass(frozen=True)
class ProgressRow:
    """One target (or, for a per-county target, one county of it) against what the registry counts in the year."""

    target_id: int
    year: int
    kind: str
    kind_name: str
    region_id: int
    region_code: str
    region_name: str
    region_full_name: str
    # The region the target was set for: differs from the row's region on a per-county target.
    set_for: str
    per_county: bool
    note: str
    value: int
    actual: int
    percent: Decimal
    met: bool


@dataclass(frozen=True)
class _YearFacts:
    """What a year's progress is counted from, each fact tagged with the region it counts for."""

    competitions: tuple[tuple[int, int], ...]  # (competition id, region id of an event's eligible region)
    titles: tuple[tuple[int, int, str], ...]  # (person id, region id of the person's unit, title)
    promotions: tuple[tuple[int, int, int, str, str], ...]  # (grade change id, person id, region id, from, to)


class _RegionTree:
    def __init__(self, regions):
        self.by_id = {region.id: region for region in regions}
        self.children = defaultdict(list)
        for region in regions:
            if region.parent_id is not None:
                self.children[region.parent_id].append(region.id)

    def subtree(self, region_id: int) -> set[int]:
        """The region and every region under it, at any depth."""
        found, waiting = set(), [region_id]
        while waiting:
            current = waiting.pop()
            if current not in found:
                found.add(current)
                waiting.extend(self.children[current])
        return found

    def counties_under(self, region_id: int) -> list[Region]:
        region = self.by_id[region_id]
        if region.level == RegionLevel.COUNTY:
            return [region]
        counties = [self.by_id[i] for i in self.subtree(region_id) if self.by_id[i].level == RegionLevel.COUNTY]
        return sorted(counties, key=lambda county: county.code)


def kind_name(kind) -> str:
    return labels.label(KIND_NAMES, kind)


def percent(actual: int, value: int) -> Decimal:
    """actual / value as a percentage, exact and rounded half-up to one decimal (1/16 → 6.3)."""
    return (Decimal(actual) * 100 / Decimal(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# -- Changes ----------------------------------------------------------------------------------------------------


def _checked_kind(kind) -> TargetKind:
    try:
        return TargetKind(getattr(kind, "value", kind))
    except ValueError:
        raise InvalidInput(_l("Choose a kind of target from the list."), "kind") from None


def _check(region, year, value, per_county: bool, note: str) -> None:
    if region is None:
        raise InvalidInput(_l("Choose a region."), "region_id")
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(_l("Enter a year between 2000 and 2100."), "year")
    if not isinstance(value, int) or value < 1:
        raise InvalidInput(_l("A target is a whole number of 1 or more."), "value")
    if per_county and region.level == RegionLevel.COUNTY:
        raise InvalidInput(
            _l("“Each county” needs a province or a city: %(region)s is itself a county.", region=region.name),
            "per_county",
        )
    if len(note) > NOTE_LENGTH:
        raise InvalidInput(_l("At most %(max)d characters.", max=NOTE_LENGTH), "note")


def find_target(region: Region, year: int, kind) -> Target | None:
    return db.session.scalar(
        select(Target).where(Target.region_id == region.id, Target.year == year, Target.kind == TargetKind(kind))
    )


def set_target(
    actor, *, region: Region, year: int, kind, value: int, per_county: bool = False, note: str = ""
) -> Target:
    """Create the region's target of this kind for the year, or change it: there is one per region, year and kind."""
    note = (note or "").strip()
    kind = _checked_kind(kind)
    _check(region, year, value, bool(per_county), note)
    target = find_target(region, year, kind)
    if target is None:
        target = Target(region=region, year=year, kind=kind, value=value, per_county=bool(per_county), note=note)
        db.session.add(target)
        db.session.flush()
        audit.record(actor, "target.create", target, after=audit.snapshot(target, TARGET_FIELDS))
        return target
    before = audit.snapshot(target, TARGET_FIELDS)
    target.value, target.per_county, target.note = value, bool(per_county), note
    db.session.flush()
    changed_before, changed_after = audit.changes(before, audit.snapshot(target, TARGET_FIELDS))
    if changed_after:
        audit.record(actor, "target.update", target, before=changed_before, after=changed_after)
    return target


def delete_target(actor, target: Target) -> None:
    audit.record(actor, "target.delete", target, before=audit.snapshot(target, TARGET_FIELDS))
    db.session.delete(target)
    db.session.flush()


def demo_targets(regions_by_code: dict, actor=None) -> list[Target]:
    """The seeds' targets for this year: Suqian's experts, chief technicians and county competitions; 城区's experts."""
    year = local_now().year
    suqian, chengqu = regions_by_code["321300"], regions_by_code["140502"]
    wanted = [
        (suqian, TargetKind.TECHNICAL_EXPERTS, 50, False, "宿迁市技术能手"),
        (suqian, TargetKind.CHIEF_TECHNICIANS, 20, False, "企业首席技师"),
        (suqian, TargetKind.COMPETITIONS, 15, True, "各县区每年≥15场"),
        (chengqu, TargetKind.TECHNICAL_EXPERTS, 10, False, "城区技术能手"),
    ]
    return [
        set_target(actor, region=region, year=year, kind=kind, value=value, per_county=per_county, note=note)
        for region, kind, value, per_county, note in wanted
    ]


# -- Progress ---------------------------------------------------------------------------------------------------


def targets_of(year: int) -> list[Target]:
    """The year's targets, by region code and kind."""
    found = db.session.scalars(select(Target).where(Target.year == year))
    return sorted(found, key=lambda target: (target.region.code, _KIND_ORDER[target.kind.value]))


def _year_facts(year: int) -> _YearFacts:
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    # A competition counts for a region when one of its events lists that region (or, through the subtree
    # of the target's region, a region under it) as eligible: the regions an event is open to are the only
    # place a competition names where it is held. A competition open to all regions counts for none.
    competitions = db.session.execute(
        select(Competition.id, event_regions.c.region_id)
        .join(Event, Event.competition_id == Competition.id)
        .join(event_regions, event_regions.c.event_id == Event.id)
        .where(Competition.year == year)
    ).all()
    # People count for the region of their unit as the registry holds it now (it keeps no history of units).
    titles = db.session.execute(
        select(TitleHolding.person_id, Unit.region_id, TitleHolding.title)
        .join(Person, Person.id == TitleHolding.person_id)
        .join(Unit, Unit.id == Person.unit_id)
        .where(
            TitleHolding.withdrawn_at.is_(None),
            TitleHolding.awarded_on >= start,
            TitleHolding.awarded_on < end,
            Unit.region_id.is_not(None),
        )
    ).all()
    changes = db.session.execute(
        select(GradeChange.id, GradeChange.person_id, Unit.region_id, GradeChange.grade_from, GradeChange.grade_to)
        .join(Person, Person.id == GradeChange.person_id)
        .join(Unit, Unit.id == Person.unit_id)
        .where(
            GradeChange.withdrawn_at.is_(None),
            GradeChange.changed_on >= start,
            GradeChange.changed_on < end,
            Unit.region_id.is_not(None),
        )
    ).all()
    return _YearFacts(
        competitions=tuple(tuple(row) for row in competitions),
        titles=tuple(tuple(row) for row in titles),
        promotions=tuple(tuple(row) for row in changes if _is_promotion(row.grade_from, row.grade_to)),
    )


def _is_promotion(grade_from: str, grade_to: str) -> bool:
    # A correction downwards, or a code the ladder does not know, is no promotion.
    if not (grades.is_grade_code(grade_from) and grades.is_grade_code(grade_to)):
        return False
    return grades.order(grade_to) > grades.order(grade_from)


def _becomes_high_skilled(grade_from: str, grade_to: str) -> bool:
    line = grades.order(HIGH_SKILLED_FROM)
    return grades.order(grade_from) < line <= grades.order(grade_to)


def _actual(kind: TargetKind, facts: _YearFacts, regions: set[int]) -> int:
    if kind == TargetKind.COMPETITIONS:
        return len({competition for competition, region in facts.competitions if region in regions})
    if kind in TITLE_MARKERS:
        # People, not titles: one person made 市技术能手 and 省技术能手 in the same year is one more Technical Expert.
        marker = TITLE_MARKERS[kind]
        return len({person for person, region, title in facts.titles if region in regions and marker in title})
    if kind == TargetKind.PROMOTIONS:
        return len({change for change, _person, region, _from, _to in facts.promotions if region in regions})
    # High-skilled talent are people: promoted twice across the line in one year still counts once.
    return len(
        {
            person
            for _change, person, region, grade_from, grade_to in facts.promotions
            if region in regions and _becomes_high_skilled(grade_from, grade_to)
        }
    )


def _row(target: Target, region: Region, tree: _RegionTree, facts: _YearFacts) -> ProgressRow:
    actual = _actual(target.kind, facts, tree.subtree(region.id))
    return ProgressRow(
        target_id=target.id,
        year=target.year,
        kind=target.kind.value,
        kind_name=kind_name(target.kind),
        region_id=region.id,
        region_code=region.code,
        region_name=region.name,
        region_full_name=region.full_name,
        set_for=target.region.full_name,
        per_county=target.per_county,
        note=target.note,
        value=target.value,
        actual=actual,
        percent=percent(actual, target.value),
        met=actual >= target.value,
    )


def progress(year: int, region: Region | None = None) -> list[ProgressRow]:
    """Every target of the year against the registry's counts; a per-county target gives one row per county.

    A region counts what happens in it and in the regions under it. With ``region``, only the rows about that
    region or a region under it: a county sees the rows its city's per-county targets give it.
    """
    tree = _RegionTree(db.session.scalars(select(Region)).all())
    facts = _year_facts(year)
    rows = []
    for target in targets_of(year):
        row_regions = tree.counties_under(target.region_id) if target.per_county else [target.region]
        rows.extend(_row(target, row_region, tree, facts) for row_region in row_regions)
    if region is not None:
        wanted = tree.subtree(region.id)
        rows = [row for row in rows if row.region_id in wanted]
    return rows


# -- Workbook ---------------------------------------------------------------------------------------------------


def _headers() -> list[str]:
    return [
        gettext("Region"),
        gettext("Division code"),
        gettext("Kind of target"),
        gettext("Target"),
        gettext("Actual"),
        gettext("Completion"),
        gettext("Target met"),
        gettext("Set for"),
        gettext("Note"),
    ]


def _values(row: ProgressRow) -> list[tuple[object, str | None]]:
    return [
        (row.region_full_name, None),
        (row.region_code, None),
        (row.kind_name, None),
        (row.value, "0"),
        (row.actual, "0"),
        # A fraction with a percent format: Excel shows 66.7 % and can still compute with it.
        (row.percent / 100, "0.0%"),
        (gettext("Yes") if row.met else gettext("No"), None),
        (gettext("each county of %(region)s", region=row.set_for) if row.per_county else row.set_for, None),
        (row.note, None),
    ]


def targets_workbook(year: int) -> bytes:
    """The year's progress table as an Excel workbook, one row per target (per county for per-county targets)."""
    rows = progress(year)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(year)
    headers = _headers()
    write_table(sheet, gettext("Annual targets %(year)s: progress", year=year), headers, [_values(r) for r in rows])
    last_row = max(HEADER_ROW + len(rows), HEADER_ROW)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(headers))}{last_row}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
