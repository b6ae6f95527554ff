"""Tests for the policy engine: every published preset table of DOMAIN.md section 7, the switches, validation."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from compete.rules import awards, levels
from compete.rules.policy import PolicyError, Standing, evaluate, load, preset, presets, to_data

# DESIGN.md, "Policy evaluation": the preset ids, in this order.
PUBLISHED_IDS = [
    "national-2023",
    "national-2-printing",
    "heilongjiang-provincial-1",
    "heilongjiang-provincial-2",
    "shanxi-provincial-1",
    "tianjin-municipal-1",
    "tianjin-municipal-2",
    "tianjin-enterprise",
    "zhejiang",
]
TEMPLATE_IDS = ["suqian", "jincheng", "harbin"]

NOTHING = ((), (), None)


def standing(
    scheme: str,
    level: str,
    rank: int | None,
    *,
    group: str = "worker",
    grade: str = "none",
    entrants: int = 20,
    team_size: int = 1,
    total: str | None = None,
    pass_mark: str | None = None,
    promoted_this_year: bool = False,
) -> Standing:
    """A standing whose award follows from its rank under ``scheme``, as results compute it."""
    total_mark = None if total is None else Decimal(total)
    pass_required = None if pass_mark is None else Decimal(pass_mark)
    passed = pass_required is None or (total_mark is not None and total_mark >= pass_required)
    return Standing(
        level=level,
        group=group,
        rank=rank,
        entrants=entrants,
        grade=grade,
        total=total_mark,
        pass_mark=pass_required,
        award=awards.award(scheme, rank, entrants, passed=passed),
        team_size=team_size,
        promoted_this_year=promoted_this_year,
    )


def outcome(preset_id: str, level: str, rank: int | None, **facts) -> tuple:
    """(titles, nominations, promotion) that a preset gives one standing."""
    policy = preset(preset_id)
    effects = evaluate(policy, standing(policy.award_scheme, level, rank, **facts))
    return effects.titles, effects.nominations, effects.promotion


def row(case_id: str, level: str, rank: int | None, expected: tuple, **facts):
    return pytest.param(level, rank, facts, expected, id=case_id)


ROW_NAMES = ("level", "rank", "facts", "expected")


# ---------------------------------------------------------------------------------------------- published tables

# Ranks 1-3 gold/silver/bronze, 优胜奖 to rank ≤ ⌊N/2⌋. Top 5 (pairs: top 3, trios: top 2) → 全国技术能手.
# 优胜奖 or better → 技师; already 技师 → 高级技师.
EXPERT = "全国技术能手"
NATIONAL_2023 = [
    row("single-1st-gold", "national", 1, ((EXPERT,), (), ("none", "g2"))),
    row("single-3rd-bronze-holds-g3", "national", 3, ((EXPERT,), (), ("g3", "g2")), grade="g3"),
    row("single-5th-last-title", "national", 5, ((EXPERT,), (), ("none", "g2"))),
    row("single-6th-first-without-title", "national", 6, ((), (), ("none", "g2"))),
    row("single-10th-of-20-last-excellence", "national", 10, ((), (), ("g4", "g2")), grade="g4"),
    row("single-11th-of-20-outside-upper-half", "national", 11, NOTHING),
    row("single-10th-of-21-last-excellence", "national", 10, ((), (), ("none", "g2")), entrants=21),
    row("single-11th-of-21-outside-upper-half", "national", 11, NOTHING, entrants=21),
    row("single-4th-of-6-title-but-no-award", "national", 4, ((EXPERT,), (), None), entrants=6),
    row("already-g2-next", "national", 2, ((EXPERT,), (), ("g2", "g1")), grade="g2"),
    row("already-g2-excellence-next", "national", 8, ((), (), ("g2", "g1")), grade="g2"),
    row("holds-g1-above-nothing", "national", 1, ((EXPERT,), (), None), grade="g1"),
    row("holds-principal-above-nothing", "national", 1, ((EXPERT,), (), None), grade="principal"),
    row("pair-1st", "national", 1, ((EXPERT,), (), ("none", "g2")), team_size=2),
    row("pair-3rd-last-title", "national", 3, ((EXPERT,), (), ("none", "g2")), team_size=2),
    row("pair-4th-first-without-title", "national", 4, ((), (), ("none", "g2")), team_size=2),
    row("trio-2nd-last-title", "national", 2, ((EXPERT,), (), ("none", "g2")), team_size=3),
    row("trio-3rd-first-without-title", "national", 3, ((), (), ("none", "g2")), team_size=3),
    row("trio-11th-outside-upper-half", "national", 11, NOTHING, team_size=3),
    row("student-not-distinguished", "national", 1, ((EXPERT,), (), ("none", "g2")), group="student"),
    row("level-not-covered", "provincial-1", 1, NOTHING),
    row("unranked", "national", None, NOTHING),
]


@pytest.mark.parametrize(ROW_NAMES, NATIONAL_2023)
def test_national_2023(level, rank, facts, expected):
    assert outcome("national-2023", level, rank, **facts) == expected


# Worker 1-5 → 全国技术能手 and 技师 (技师 → 高级技师); worker 6-20 → 高级工 (高级工 → 技师); student 1-5 → 高级工.
NATIONAL_2_PRINTING = [
    row("worker-1st", "national-2", 1, ((EXPERT,), (), ("none", "g2"))),
    row("worker-5th-last", "national-2", 5, ((EXPERT,), (), ("g3", "g2")), grade="g3"),
    row("worker-5th-already-g2-next", "national-2", 5, ((EXPERT,), (), ("g2", "g1")), grade="g2"),
    row("worker-1st-holds-g1-nothing", "national-2", 1, ((EXPERT,), (), None), grade="g1"),
    row("worker-6th-first-of-band", "national-2", 6, ((), (), ("none", "g3"))),
    row("worker-6th-already-g3-next", "national-2", 6, ((), (), ("g3", "g2")), grade="g3"),
    row("worker-20th-last", "national-2", 20, ((), (), ("g4", "g3")), grade="g4", entrants=30),
    row("worker-20th-holds-g2-nothing", "national-2", 20, NOTHING, grade="g2", entrants=30),
    row("worker-21st-outside", "national-2", 21, NOTHING, entrants=30),
    row("student-1st-no-title", "national-2", 1, ((), (), ("none", "g3")), group="student"),
    # The table states "already → next" for workers only: a student who holds the target gets nothing.
    row("student-5th-already-g3-nothing", "national-2", 5, NOTHING, group="student", grade="g3"),
    row("student-5th-holds-g2-nothing", "national-2", 5, NOTHING, group="student", grade="g2"),
    row("student-6th-outside", "national-2", 6, NOTHING, group="student"),
    row("level-not-covered", "national", 1, NOTHING),
    row("unranked", "national-2", None, NOTHING),
]


@pytest.mark.parametrize(ROW_NAMES, NATIONAL_2_PRINTING)
def test_national_2_printing(level, rank, facts, expected):
    assert outcome("national-2-printing", level, rank, **facts) == expected


# 1-3 → 高级技师, priority nomination for 龙江技术能手; 4-10 → 技师; others who pass → 高级工.
LONGJIANG = "龙江技术能手"
PASSING = {"total": "90", "pass_mark": "60"}
HEILONGJIANG_1 = [
    row("1st", "provincial-1", 1, ((), (LONGJIANG,), ("none", "g1")), **PASSING),
    row("3rd-last-holds-g2", "provincial-1", 3, ((), (LONGJIANG,), ("g2", "g1")), grade="g2", **PASSING),
    row("3rd-already-g1-capped", "provincial-1", 3, ((), (LONGJIANG,), None), grade="g1", **PASSING),
    row("4th-first-of-band", "provincial-1", 4, ((), (), ("none", "g2")), **PASSING),
    row("10th-already-g2-next", "provincial-1", 10, ((), (), ("g2", "g1")), grade="g2", **PASSING),
    row("10th-holds-g1-nothing", "provincial-1", 10, NOTHING, grade="g1", **PASSING),
    row("11th-passes-at-the-mark", "provincial-1", 11, ((), (), ("none", "g3")), total="60", pass_mark="60"),
    row("11th-already-g3-next", "provincial-1", 11, ((), (), ("g3", "g2")), grade="g3", **PASSING),
    row("11th-holds-g2-nothing", "provincial-1", 11, NOTHING, grade="g2", **PASSING),
    row("40th-passes-no-last-rank", "provincial-1", 40, ((), (), ("g4", "g3")), grade="g4", entrants=50, **PASSING),
    row("11th-below-pass-mark", "provincial-1", 11, NOTHING, total="59.99", pass_mark="60"),
    row("11th-no-total", "provincial-1", 11, NOTHING, pass_mark="60"),
    row("student-not-distinguished", "provincial-1", 1, ((), (LONGJIANG,), ("none", "g1")), group="student"),
    row("level-not-covered", "provincial-2", 1, NOTHING),
    row("unranked", "provincial-1", None, NOTHING, pass_mark="60"),
]


@pytest.mark.parametrize(ROW_NAMES, HEILONGJIANG_1)
def test_heilongjiang_provincial_1(level, rank, facts, expected):
    assert outcome("heilongjiang-provincial-1", level, rank, **facts) == expected


# 1st → 高级技师; 2-5 → 技师; top 5 → industry 技术能手.
INDUSTRY_EXPERT = "行业技术能手"
HEILONGJIANG_2 = [
    row("1st", "provincial-2", 1, ((INDUSTRY_EXPERT,), (), ("none", "g1"))),
    row("1st-holds-g2", "provincial-2", 1, ((INDUSTRY_EXPERT,), (), ("g2", "g1")), grade="g2"),
    row("1st-already-g1-capped", "provincial-2", 1, ((INDUSTRY_EXPERT,), (), None), grade="g1"),
    row("2nd-first-of-band", "provincial-2", 2, ((INDUSTRY_EXPERT,), (), ("none", "g2"))),
    row("2nd-already-g2-next", "provincial-2", 2, ((INDUSTRY_EXPERT,), (), ("g2", "g1")), grade="g2"),
    row("5th-last", "provincial-2", 5, ((INDUSTRY_EXPERT,), (), ("g3", "g2")), grade="g3"),
    row("5th-holds-g1-nothing", "provincial-2", 5, ((INDUSTRY_EXPERT,), (), None), grade="g1"),
    row("6th-outside", "provincial-2", 6, NOTHING),
    row("level-not-covered", "provincial-1", 1, NOTHING),
    row("unranked", "provincial-2", None, NOTHING),
]


@pytest.mark.parametrize(ROW_NAMES, HEILONGJIANG_2)
def test_heilongjiang_provincial_2(level, rank, facts, expected):
    assert outcome("heilongjiang-provincial-2", level, rank, **facts) == expected


# 1-3 → 三晋技术能手 and 技师; 4-6 → 高级工 (高级工 → 技师).
SANJIN = "三晋技术能手"
SHANXI_1 = [
    row("1st", "provincial-1", 1, ((SANJIN,), (), ("none", "g2"))),
    row("3rd-last-already-g2-next", "provincial-1", 3, ((SANJIN,), (), ("g2", "g1")), grade="g2"),
    row("3rd-holds-g1-nothing", "provincial-1", 3, ((SANJIN,), (), None), grade="g1"),
    row("4th-first-of-band", "provincial-1", 4, ((), (), ("none", "g3"))),
    row("4th-already-g3-next", "provincial-1", 4, ((), (), ("g3", "g2")), grade="g3"),
    row("6th-last", "provincial-1", 6, ((), (), ("g4", "g3")), grade="g4"),
    row("6th-holds-g2-nothing", "provincial-1", 6, NOTHING, grade="g2"),
    row("7th-outside", "provincial-1", 7, NOTHING),
    row("level-not-covered", "provincial-2", 1, NOTHING),
    row("unranked", "provincial-1", None, NOTHING),
]


@pytest.mark.parametrize(ROW_NAMES, SHANXI_1)
def test_shanxi_provincial_1(level, rank, facts, expected):
    assert outcome("shanxi-provincial-1", level, rank, **facts) == expected


# Worker top 10 → 技师 (技师 → 高级技师); student top 10 → 高级工; worker 1st may apply for 天津市技术能手.
TIANJIN_EXPERT = "天津市技术能手"
STUDENT = {"group": "student"}
TIANJIN_1 = [
    row("worker-1st-may-apply", "municipal-1", 1, ((), (TIANJIN_EXPERT,), ("none", "g2"))),
    row("worker-2nd-no-nomination", "municipal-1", 2, ((), (), ("none", "g2"))),
    row("worker-10th-last-already-g2-next", "municipal-1", 10, ((), (), ("g2", "g1")), grade="g2"),
    row("worker-10th-holds-g1-nothing", "municipal-1", 10, NOTHING, grade="g1"),
    row("worker-1st-holds-g1-still-nominated", "municipal-1", 1, ((), (TIANJIN_EXPERT,), None), grade="g1"),
    row("worker-11th-outside", "municipal-1", 11, NOTHING),
    row("student-1st-no-nomination", "municipal-1", 1, ((), (), ("none", "g3")), **STUDENT),
    # "Already → next" is published for workers only: a student who holds the target gets nothing.
    row("student-10th-already-g3-nothing", "municipal-1", 10, NOTHING, grade="g3", **STUDENT),
    row("student-10th-holds-g2-nothing", "municipal-1", 10, NOTHING, grade="g2", **STUDENT),
    row("student-11th-outside", "municipal-1", 11, NOTHING, **STUDENT),
    row("level-not-covered", "municipal-2", 1, NOTHING),
    row("unranked", "municipal-1", None, NOTHING),
]


@pytest.mark.parametrize(ROW_NAMES, TIANJIN_1)
def test_tianjin_municipal_1(level, rank, facts, expected):
    assert outcome("tianjin-municipal-1", level, rank, **facts) == expected


# Municipal class II or district: worker top 6 → 高级工 (高级工 → 技师); student top 6 → 中级工.
TIANJIN_2 = [
    row("worker-1st-municipal-2", "municipal-2", 1, ((), (), ("none", "g3"))),
    row("worker-1st-district", "district", 1, ((), (), ("g4", "g3")), grade="g4"),
    row("worker-6th-last-already-g3-next", "district", 6, ((), (), ("g3", "g2")), grade="g3"),
    row("worker-6th-holds-g2-nothing", "municipal-2", 6, NOTHING, grade="g2"),
    row("worker-7th-outside", "municipal-2", 7, NOTHING),
    row("student-1st", "municipal-2", 1, ((), (), ("none", "g4")), **STUDENT),
    row("student-6th-last-district", "district", 6, ((), (), ("g5", "g4")), grade="g5", **STUDENT),
    # "Already → next" is published for workers only: a student who holds the target gets nothing.
    row("student-6th-already-g4-nothing", "municipal-2", 6, NOTHING, grade="g4", **STUDENT),
    row("student-6th-holds-g3-nothing", "municipal-2", 6, NOTHING, grade="g3", **STUDENT),
    row("student-7th-outside", "district", 7, NOTHING, **STUDENT),
    row("level-not-covered", "municipal-1", 1, NOTHING),
    row("unranked", "municipal-2", None, NOTHING),
]


@pytest.mark.parametrize(ROW_NAMES, TIANJIN_2)
def test_tianjin_municipal_2(level, rank, facts, expected):
    assert outcome("tianjin-municipal-2", level, rank, **facts) == expected


# Enterprise or college, top 30 % (⌊0.3 N⌋: rank 7 of 25): worker → 中级工 (中级工 → 高级工); student → 中级工.
OF_25 = {"entrants": 25}
TIANJIN_ENTERPRISE = [
    row("worker-1st", "enterprise", 1, ((), (), ("none", "g4")), **OF_25),
    row("worker-7th-of-25-last", "enterprise", 7, ((), (), ("g5", "g4")), grade="g5", **OF_25),
    row("worker-7th-already-g4-next", "enterprise", 7, ((), (), ("g4", "g3")), grade="g4", **OF_25),
    row("worker-7th-holds-g3-nothing", "enterprise", 7, NOTHING, grade="g3", **OF_25),
    row("worker-8th-of-25-outside", "enterprise", 8, NOTHING, **OF_25),
    row("worker-3rd-of-10-last", "enterprise", 3, ((), (), ("none", "g4")), entrants=10),
    row("worker-4th-of-10-outside", "enterprise", 4, NOTHING, entrants=10),
    row("student-1st", "enterprise", 1, ((), (), ("none", "g4")), **STUDENT, **OF_25),
    row(
        "student-7th-of-25-last",
        "enterprise",
        7,
        ((), (), ("apprentice", "g4")),
        grade="apprentice",
        **STUDENT,
        **OF_25,
    ),
    # The preset's student rule says already: nothing (unlike the Tianjin municipal student rows).
    row("student-7th-already-g4-nothing", "enterprise", 7, NOTHING, grade="g4", **STUDENT, **OF_25),
    row("student-8th-of-25-outside", "enterprise", 8, NOTHING, **STUDENT, **OF_25),
    row("level-not-covered", "municipal-2", 1, NOTHING, **OF_25),
    row("unranked", "enterprise", None, NOTHING, **OF_25),
]


@pytest.mark.parametrize(ROW_NAMES, TIANJIN_ENTERPRISE)
def test_tianjin_enterprise(level, rank, facts, expected):
    assert outcome("tianjin-enterprise", level, rank, **facts) == expected


# Provincial-1 top 5, provincial-2 top 3 → 浙江省技术能手; municipal-1 top 2, municipal-2 1st → 市技术能手.
ZHEJIANG_EXPERT = "浙江省技术能手"
CITY_EXPERT = "市技术能手"
ZHEJIANG = [
    row("provincial-1-1st", "provincial-1", 1, ((ZHEJIANG_EXPERT,), (), None)),
    row("provincial-1-5th-last", "provincial-1", 5, ((ZHEJIANG_EXPERT,), (), None), grade="g2"),
    row("provincial-1-6th-outside", "provincial-1", 6, NOTHING),
    row("provincial-2-1st", "provincial-2", 1, ((ZHEJIANG_EXPERT,), (), None)),
    row("provincial-2-3rd-last", "provincial-2", 3, ((ZHEJIANG_EXPERT,), (), None)),
    row("provincial-2-4th-outside", "provincial-2", 4, NOTHING),
    row("municipal-1-1st", "municipal-1", 1, ((CITY_EXPERT,), (), None)),
    row("municipal-1-2nd-last", "municipal-1", 2, ((CITY_EXPERT,), (), None)),
    row("municipal-1-3rd-outside", "municipal-1", 3, NOTHING),
    row("municipal-2-1st", "municipal-2", 1, ((CITY_EXPERT,), (), None)),
    row("municipal-2-2nd-outside", "municipal-2", 2, NOTHING),
    row("student-not-distinguished", "provincial-1", 1, ((ZHEJIANG_EXPERT,), (), None), **STUDENT),
    row("level-not-covered-national", "national", 1, NOTHING),
    row("level-not-covered-district", "district", 1, NOTHING),
    row("unranked", "provincial-1", None, NOTHING),
]


@pytest.mark.parametrize(ROW_NAMES, ZHEJIANG)
def test_zhejiang(level, rank, facts, expected):
    assert outcome("zhejiang", level, rank, **facts) == expected


def test_unranked_reason():
    effects = evaluate(preset("national-2023"), standing("medals", "national", None))
    assert [reason.rule for reason in effects.reasons] == ["unranked"]
    assert not effects.proposed


# ---------------------------------------------------------------------------------------------- templates

TEMPLATES = [
    ("suqian", 1, (), ("宿迁市技术能手",)),
    ("suqian", 3, (), ("宿迁市技术能手",)),
    ("suqian", 4, (), ()),
    ("jincheng", 1, (), ("城区技术能手",)),
    ("jincheng", 3, (), ("城区技术能手",)),
    ("jincheng", 4, (), ()),
    ("harbin", 1, (), ("哈尔滨市首席技师", "龙江技术能手")),
    ("harbin", 2, (), ("龙江技术能手",)),
    ("harbin", 3, (), ("龙江技术能手",)),
    ("harbin", 4, (), ()),
]


@pytest.mark.parametrize(("preset_id", "rank", "titles", "nominations"), TEMPLATES)
def test_templates_only_nominate(preset_id, rank, titles, nominations):
    policy = preset(preset_id)
    effects = evaluate(policy, standing(policy.award_scheme, "municipal-1", rank, grade="g3"))
    assert (effects.titles, effects.nominations, effects.promotion) == (titles, nominations, None)
    assert not effects.proposed


@pytest.mark.parametrize("preset_id", TEMPLATE_IDS)
def test_templates_are_marked_and_have_no_grant_or_promotion(preset_id):
    policy = preset(preset_id)
    assert policy.template
    assert "模板" in policy.name_zh and "template" in policy.name_en
    assert all(rule.nominate and not rule.grant and not rule.promote for rule in policy.rules)


@pytest.mark.parametrize("preset_id", PUBLISHED_IDS)
def test_published_presets_are_not_templates(preset_id):
    policy = preset(preset_id)
    assert not policy.template
    assert policy.source and policy.citation


# ---------------------------------------------------------------------------------------------- switches


def small(*rules: dict, **switches) -> dict:
    """A small valid policy's plain data."""
    return {
        "id": "test",
        "name": {"zh": "测试", "en": "Test"},
        "version": "1",
        "award_scheme": "places",
        "switches": switches,
        "rules": list(rules),
    }


TOP_3 = {
    "id": "top-3",
    "text": "前3名晋升技师",
    "when": {"ranks": [1, 3]},
    "grant": ["测试技术能手"],
    "promote": {"to": "g2"},
}
TWO_STEPS = {"id": "two-steps", "text": "第1名晋升两级", "when": {"ranks": [1, 1]}, "promote": {"steps": 2}}


def effects_of(data: dict, rank: int | None = 1, **facts):
    return evaluate(load(data), standing("places", "provincial-1", rank, **facts))


def rules_in(effects) -> list[str]:
    return [reason.rule for reason in effects.reasons]


CAP_CASES = [
    pytest.param("national-2023", "national", {"grade": "g1"}, None, [], id="national-g1-holder-above-target"),
    pytest.param("heilongjiang-provincial-1", "provincial-1", {"grade": "g1"}, None, ["cap"], id="hlj-g1-next-refused"),
    pytest.param("heilongjiang-provincial-2", "provincial-2", {"grade": "g2"}, ("g2", "g1"), [], id="hlj-g2-to-cap"),
    pytest.param("tianjin-municipal-1", "municipal-1", {"grade": "g1"}, None, [], id="tianjin-g1-holder-nothing"),
]


@pytest.mark.parametrize(("preset_id", "level", "facts", "promotion", "held_by"), CAP_CASES)
def test_presets_stop_at_the_cap(preset_id, level, facts, promotion, held_by):
    policy = preset(preset_id)
    assert policy.switches.cap == "g1"
    effects = evaluate(policy, standing(policy.award_scheme, level, 1, **facts))
    assert effects.promotion == promotion
    assert [rule for rule in rules_in(effects) if rule == "cap"] == held_by


@pytest.mark.parametrize(
    ("cap", "grade", "promotion", "cap_reason"),
    [
        pytest.param("g1", "g4", ("g4", "g2"), False, id="two-steps-below-cap"),
        pytest.param("g1", "g3", ("g3", "g1"), False, id="two-steps-reach-cap"),
        pytest.param("g1", "g2", ("g2", "g1"), True, id="held-at-cap"),
        pytest.param("g1", "g1", None, True, id="holds-cap-refused"),
        pytest.param("g1", "chief", None, False, id="holds-top-rung-nothing"),
        pytest.param("g2", "g3", ("g3", "g2"), True, id="lower-cap-held"),
        pytest.param(None, "g2", ("g2", "principal"), False, id="uncapped"),
    ],
)
def test_cap_holds_or_refuses_a_promotion_beyond_it(cap, grade, promotion, cap_reason):
    effects = effects_of(small(TWO_STEPS, cap=cap), grade=grade)
    assert effects.promotion == promotion
    assert ("cap" in rules_in(effects)) is cap_reason


def test_uncapped_already_next_reaches_principal():
    rule = {"id": "first", "text": "第1名晋升高级技师", "when": {"ranks": [1, 1]}, "promote": {"to": "g1"}}
    assert effects_of(small(rule, cap=None), grade="g1").promotion == ("g1", "principal")
    assert effects_of(small(rule), grade="g1").promotion is None


@pytest.mark.parametrize(
    ("data", "promoted_this_year", "expected"),
    [
        pytest.param(small(TOP_3, one_promotion_per_year=True), True, (("测试技术能手",), (), None), id="held"),
        pytest.param(
            small(TOP_3, one_promotion_per_year=True), False, (("测试技术能手",), (), ("none", "g2")), id="first"
        ),
        pytest.param(small(TOP_3), True, (("测试技术能手",), (), ("none", "g2")), id="switch-off"),
    ],
)
def test_one_promotion_per_year(data, promoted_this_year, expected):
    effects = effects_of(data, promoted_this_year=promoted_this_year)
    assert (effects.titles, effects.nominations, effects.promotion) == expected
    assert ("one_promotion_per_year" in rules_in(effects)) is (expected[2] is None)


@pytest.mark.parametrize(
    ("preset_id", "level", "expected"),
    [
        ("tianjin-municipal-1", "municipal-1", ((), (TIANJIN_EXPERT,), None)),
        ("tianjin-municipal-2", "municipal-2", NOTHING),
        ("tianjin-enterprise", "enterprise", NOTHING),
        ("national-2-printing", "national-2", ((EXPERT,), (), ("none", "g2"))),  # no such switch
    ],
)
def test_one_promotion_per_year_in_presets(preset_id, level, expected):
    assert outcome(preset_id, level, 1, promoted_this_year=True) == expected


ANY_GROUP_TO_G2 = {"id": "top-3", "text": "前3名晋升技师", "when": {"ranks": [1, 3]}, "promote": {"to": "g2"}}
STUDENTS_TO_G3 = {
    "id": "students",
    "text": "学生组前3名晋升高级工",
    "when": {"group": "student", "ranks": [1, 3]},
    "promote": {"to": "g3"},
}
WORKERS_TO_G2 = {**ANY_GROUP_TO_G2, "when": {"group": "worker", "ranks": [1, 3]}}
ONE_STEP = {"id": "one-step", "text": "前3名晋升一级", "when": {"ranks": [1, 3]}, "promote": {"steps": 1}}


@pytest.mark.parametrize(
    ("data", "group", "grade", "promotion"),
    [
        pytest.param(small(ANY_GROUP_TO_G2, student_one_less=True), "worker", "none", ("none", "g2"), id="worker"),
        pytest.param(small(ANY_GROUP_TO_G2, student_one_less=True), "student", "none", ("none", "g3"), id="student"),
        pytest.param(
            small(ANY_GROUP_TO_G2, student_one_less=True), "student", "g3", ("g3", "g2"), id="student-already-next"
        ),
        pytest.param(small(ANY_GROUP_TO_G2, student_one_less=True), "student", "g2", None, id="student-holds-above"),
        pytest.param(small(ANY_GROUP_TO_G2), "student", "none", ("none", "g2"), id="switch-off"),
        pytest.param(
            small(WORKERS_TO_G2, STUDENTS_TO_G3, student_one_less=True),
            "student",
            "none",
            ("none", "g3"),
            id="student-rule-not-lowered-again",
        ),
        pytest.param(small(ONE_STEP, student_one_less=True), "worker", "g4", ("g4", "g3"), id="steps-worker"),
        pytest.param(small(ONE_STEP, student_one_less=True), "student", "g4", None, id="steps-student-none-left"),
    ],
)
def test_student_one_less(data, group, grade, promotion):
    effects = effects_of(data, group=group, grade=grade)
    assert effects.promotion == promotion


def test_student_one_less_gives_its_reason():
    effects = effects_of(small(ANY_GROUP_TO_G2, student_one_less=True), group="student")
    assert "student_one_less" in rules_in(effects)


TITLE_ONLY = {"id": "title", "text": "前5名授予测试技术能手", "when": {"ranks": [1, 5]}, "grant": ["测试技术能手"]}


@pytest.mark.parametrize(
    ("data", "rank", "grade", "proposed"),
    [
        pytest.param(small(TOP_3, proposed=True), 1, "none", True, id="promotion-proposed"),
        pytest.param(small(TOP_3, proposed=True), 1, "g1", False, id="no-promotion-nothing-to-propose"),
        pytest.param(small(TOP_3, TITLE_ONLY, proposed=True), 4, "none", False, id="title-only"),
        pytest.param(small(TOP_3), 1, "none", False, id="switch-off"),
    ],
)
def test_proposed(data, rank, grade, proposed):
    effects = effects_of(data, rank, grade=grade)
    assert effects.proposed is proposed


@pytest.mark.parametrize("preset_id", PUBLISHED_IDS)
def test_published_presets_promote_directly(preset_id):
    assert preset(preset_id).switches.proposed is False


@pytest.mark.parametrize(
    ("preset_id", "level", "rank", "expected"),
    [
        # DOMAIN.md section 6: below a required pass mark a competitor is ranked but gets no promotion.
        ("heilongjiang-provincial-1", "provincial-1", 1, ((), (LONGJIANG,), None)),
        ("heilongjiang-provincial-1", "provincial-1", 4, NOTHING),
        ("shanxi-provincial-1", "provincial-1", 1, ((SANJIN,), (), None)),
        ("tianjin-municipal-2", "municipal-2", 1, NOTHING),
        ("national-2023", "national", 1, ((EXPERT,), (), None)),
    ],
)
def test_no_promotion_below_the_pass_mark(preset_id, level, rank, expected):
    assert outcome(preset_id, level, rank, total="59.5", pass_mark="60") == expected
    assert outcome(preset_id, level, rank, total="60", pass_mark="60")[2] is not None


def test_below_the_pass_mark_gives_its_reason():
    policy = preset("shanxi-provincial-1")
    effects = evaluate(policy, standing(policy.award_scheme, "provincial-1", 1, total="59.5", pass_mark="60"))
    assert effects.reasons[-1].rule == "below_pass_mark"
    assert effects.reasons[-1].facts == {"total": "59.5", "pass_mark": "60"}


# ---------------------------------------------------------------------------------------------- validation

BASE = small(TOP_3)


def changed(change) -> dict:
    data = copy.deepcopy(BASE)
    change(data)
    return data


def add_rule(**rule):
    return lambda data: data["rules"].append(rule)


def second_rule(**changes) -> dict:
    return {"id": "second", "text": "第二条", "when": {"ranks": [2, 5]}, "promote": {"to": "g3"}, **changes}


INVALID = [
    pytest.param(lambda d: d.update(colour="red"), "unknown_key", "$.colour", id="unknown-policy-key"),
    pytest.param(lambda d: d["switches"].update(bonus=True), "unknown_key", "$.switches.bonus", id="unknown-switch"),
    pytest.param(lambda d: d["rules"][0].update(bonus=1), "unknown_key", "rules[0].bonus", id="unknown-rule-key"),
    pytest.param(lambda d: d["rules"][0]["when"].update(age=30), "unknown_key", "rules[0].when.age", id="unknown-when"),
    pytest.param(
        lambda d: d["rules"][0]["promote"].update(by=1), "unknown_key", "rules[0].promote.by", id="unknown-promote"
    ),
    pytest.param(lambda d: d["rules"][0]["when"].update(ranks=[5, 3]), "empty_ranks", "rules[0].when.ranks", id="5-3"),
    pytest.param(lambda d: d["rules"][0]["when"].update(ranks=[0, 3]), "bad_number", "rules[0].when.ranks[0]", id="0"),
    pytest.param(lambda d: d["rules"][0]["when"].update(ranks=[1]), "bad_ranks", "rules[0].when.ranks", id="one-bound"),
    pytest.param(
        lambda d: d["rules"][0]["promote"].update(to="principal"), "beyond_cap", "rules[0].promote.to", id="principal"
    ),
    pytest.param(
        lambda d: (d["switches"].update(cap="g2"), d["rules"][0]["promote"].update(to="g1")),
        "beyond_cap",
        "rules[0].promote.to",
        id="beyond-lower-cap",
    ),
    pytest.param(
        lambda d: d["rules"][0]["promote"].update(to="none"), "unknown_grade", "rules[0].promote.to", id="none"
    ),
    pytest.param(
        lambda d: d["rules"][0]["promote"].update(steps=1), "to_or_steps", "rules[0].promote", id="to-and-steps"
    ),
    pytest.param(add_rule(**second_rule()), "overlap", "rules[1]", id="overlap"),
    pytest.param(add_rule(**second_rule(when={"top_share": "0.3"})), "overlap", "rules[1]", id="overlap-share"),
    pytest.param(add_rule(**second_rule(when={"levels": ["provincial-1"]})), "overlap", "rules[1]", id="overlap-any"),
    pytest.param(add_rule(**second_rule(precedence=1)), "overlap", "rules[1]", id="overlap-one-precedence"),
    pytest.param(
        lambda d: (d["rules"][0].update(precedence=1), d["rules"].append(second_rule(precedence=1))),
        "overlap",
        "rules[1]",
        id="overlap-same-precedence",
    ),
    pytest.param(add_rule(id="empty", text="无效", when={"ranks": [4, 5]}), "no_effect", "rules[1]", id="no-effect"),
    pytest.param(
        add_rule(id="top-3", text="重复", when={"ranks": [4, 5]}, grant=["x"]),
        "duplicate_rule",
        "rules[1].id",
        id="duplicate-id",
    ),
    pytest.param(
        lambda d: d["rules"][0]["when"].update(levels=["provincial-1", "galactic"]),
        "unknown_level",
        "rules[0].when.levels[1]",
        id="unknown-level",
    ),
    pytest.param(lambda d: d["rules"][0]["when"].update(top_share=0), "bad_share", "rules[0].when.top_share", id="0%"),
    pytest.param(
        lambda d: d["rules"][0]["when"].update(top_share=1.5), "bad_share", "rules[0].when.top_share", id="150%"
    ),
    pytest.param(
        lambda d: d["rules"][0]["when"].update(top_share="many"), "bad_share", "rules[0].when.top_share", id="text%"
    ),
    pytest.param(
        lambda d: d["rules"][0]["when"].update(group="retired"), "unknown_group", "rules[0].when.group", id="group"
    ),
    pytest.param(
        lambda d: d["rules"][0]["when"].update(awards=["platinum"]),
        "unknown_award",
        "rules[0].when.awards[0]",
        id="award",
    ),
    pytest.param(lambda d: d.update(rules=[]), "no_rules", "$.rules", id="no-rules"),
    pytest.param(lambda d: d.update(award_scheme="stars"), "unknown_award_scheme", "$.award_scheme", id="scheme"),
    pytest.param(lambda d: d["switches"].update(cap="g9"), "unknown_grade", "$.switches.cap", id="cap"),
    pytest.param(lambda d: d["switches"].update(proposed="yes"), "not_a_flag", "$.switches.proposed", id="flag"),
    pytest.param(
        lambda d: d["switches"].update(already_holds="maybe"), "bad_already", "$.switches.already_holds", id="already"
    ),
    pytest.param(lambda d: d["rules"][0].update(text=" "), "required", "rules[0].text", id="no-text"),
    pytest.param(lambda d: d.pop("version"), "required", "$.version", id="no-version"),
]


@pytest.mark.parametrize(("change", "code", "path"), INVALID)
def test_invalid_policy(change, code, path):
    with pytest.raises(PolicyError) as raised:
        load(changed(change))
    assert (raised.value.code, raised.value.path) == (code, path)


def test_base_policy_is_valid():
    policy = load(BASE)
    assert [rule.id for rule in policy.rules] == ["top-3"]
    assert (policy.source, policy.citation, policy.template) == ("", "", False)


VALID = [
    pytest.param(add_rule(**second_rule(when={"ranks": [4, 5]})), id="disjoint-ranks"),
    pytest.param(add_rule(**second_rule(when={"ranks": [4, None]})), id="disjoint-open-ranks"),
    pytest.param(add_rule(**second_rule(grant=["x"], promote=None)), id="second-does-not-promote"),
    pytest.param(
        lambda d: (
            d["rules"][0]["when"].update(levels=["provincial-1"]),
            d["rules"].append(second_rule(when={"levels": ["provincial-2"], "ranks": [1, 3]})),
        ),
        id="distinct-levels",
    ),
    pytest.param(
        lambda d: (
            d["rules"][0]["when"].update(team_size=1),
            d["rules"].append(second_rule(when={"team_size": 2, "ranks": [1, 3]})),
        ),
        id="distinct-team-sizes",
    ),
]


@pytest.mark.parametrize("change", VALID)
def test_rules_that_cannot_overlap_are_accepted(change):
    assert len(load(changed(change)).rules) == 2


def test_distinct_groups_do_not_overlap():
    workers = {**TOP_3, "when": {"group": "worker", "ranks": [1, 3]}}
    students = {**STUDENTS_TO_G3, "when": {"group": "student", "ranks": [1, 3]}}
    assert len(load(small(workers, students)).rules) == 2


@pytest.mark.parametrize(
    ("first_precedence", "second_precedence", "promotion"),
    [
        pytest.param(1, 2, ("none", "g2"), id="first-wins"),
        pytest.param(2, 1, ("none", "g3"), id="second-wins"),
        pytest.param(10, 3, ("none", "g3"), id="lower-number-wins"),
    ],
)
def test_precedence_decides_overlapping_promotions(first_precedence, second_precedence, promotion):
    policy = load(small({**TOP_3, "precedence": first_precedence}, second_rule(precedence=second_precedence)))
    both = evaluate(policy, standing("places", "provincial-1", 2))
    assert (both.titles, both.promotion) == (("测试技术能手",), promotion)
    assert rules_in(both) == ["top-3", "second"]
    # Where only one of them fires, that one promotes whatever its precedence.
    assert evaluate(policy, standing("places", "provincial-1", 1)).promotion == ("none", "g2")
    assert evaluate(policy, standing("places", "provincial-1", 4)).promotion == ("none", "g3")


# ---------------------------------------------------------------------------------------------- round trip and ids


@pytest.mark.parametrize("policy", presets(), ids=lambda policy: policy.id)
def test_round_trip(policy):
    assert load(to_data(policy)) == policy


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(BASE, id="no-source"),
        pytest.param(small(TWO_STEPS, cap=None, student_one_less=True), id="uncapped-steps"),
        pytest.param(small({**TOP_3, "when": {"ranks": [11, None], "must_pass": True}}), id="open-ranks"),
        pytest.param(small({**TOP_3, "when": {"top_share": 0.3, "team_size": 2}}), id="share"),
    ],
)
def test_round_trip_of_an_organizer_copy(data):
    policy = load(data)
    assert load(to_data(policy)) == policy


def test_preset_ids_are_the_published_interface():
    assert [policy.id for policy in presets()] == PUBLISHED_IDS + TEMPLATE_IDS
    assert [policy.id for policy in presets() if policy.template] == TEMPLATE_IDS
    assert list(levels.PRESET_IDS) == PUBLISHED_IDS + TEMPLATE_IDS


def test_unknown_preset():
    with pytest.raises(KeyError):
        preset("chongqing")
