"""Selection rounds: catalogue, eligibility, recommendation, expert review, stages, approval into the registry."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from compete.accounts.models import Role
from compete.audit.models import AuditEntry
from compete.errors import CompeteError, Conflict, InvalidInput, NotAllowed, NotFound
from compete.extensions import db
from compete.honours import eligibility, review, selection
from compete.honours.models import (
    Candidate,
    CandidateStatus,
    HonourTitle,
    Outcome,
    OutcomeKind,
    OutcomeStatus,
    ReviewScore,
    RoundStage,
    SelectionRound,
    TitleHolding,
)
from compete.people import services as people
from compete.people.models import RegionLevel, UnitKind
from compete.registration import services as registration
from compete.registration.models import RegistrationSource
from compete.scenarios import loader
from tests.factories import make_competition, make_event, make_user, valid_id_number

YEAR = 2026
PROVINCIAL = "江苏省技术能手"
INDUSTRY = "电力行业技术能手"
NATIONAL = "全国技术能手"
NATIONAL_RULE = [
    {"kind": "holds_title", "titles": [PROVINCIAL, INDUSTRY]},
    {"kind": "min_grade", "grade": "g3"},
]


@pytest.fixture
def world(ctx):
    with force_locale("en"):
        organizer = make_user("organizer")
        jiangsu = people.add_region(organizer, code="320000", name="江苏省", level=RegionLevel.PROVINCE)
        suqian = people.add_region(organizer, code="321300", name="宿迁市", level=RegionLevel.CITY, parent=jiangsu)
        county = people.add_region(organizer, code="321302", name="宿城区", level=RegionLevel.COUNTY, parent=suqian)
        shanxi = people.add_region(organizer, code="140000", name="山西省", level=RegionLevel.PROVINCE)
        jincheng = people.add_region(organizer, code="140500", name="晋城市", level=RegionLevel.CITY, parent=shanxi)
        yanghe = people.add_unit(organizer, name="江苏洋河酒厂股份有限公司", kind=UnitKind.EMPLOYER, region=county)
        power = people.add_unit(organizer, name="国网宿迁供电公司", kind=UnitKind.EMPLOYER, region=suqian)
        school = people.add_unit(organizer, name="晋城市技师学院", kind=UnitKind.SCHOOL, region=jincheng)
        yield {
            "organizer": organizer,
            "reviewers": [make_user(f"reviewer{n}", role) for n, role in enumerate(REVIEWER_ROLES)],
            "unit_contact": make_user("unit", Role.UNIT_CONTACT),
            "regions": {"suqian": suqian, "jincheng": jincheng},
            "units": {"yanghe": yanghe, "power": power, "school": school},
        }


REVIEWER_ROLES = (Role.CHIEF_JUDGE, Role.JUDGE, Role.SUPERVISOR, Role.JUDGE)
_serial = iter(range(100, 999))


def person(world, name="张伟", grade="g3", unit="yanghe"):
    body = f"32130219900307{next(_serial):03d}"
    return people.add_person(
        world["organizer"],
        name=name,
        id_number=valid_id_number(body),
        grade=grade,
        unit=world["units"][unit] if unit else None,
    )


def holds(someone, title, year=YEAR - 1):
    db.session.add(TitleHolding(person_id=someone.id, title=title, awarded_on=date(year, 5, 1), basis="test"))
    db.session.flush()


def nominate(world, someone, title, year=YEAR, status=OutcomeStatus.CONFIRMED):
    """A competition nomination for the title, as applying a policy records it."""
    organizer = world["organizer"]
    competition = make_competition(organizer, name=f"{year}年宿迁市职业技能大赛 {someone.id}", year=year)
    event = make_event(organizer, competition)
    entered = registration.register(organizer, event, someone, source=RegistrationSource.ORGANIZER)
    db.session.flush()
    outcome = Outcome(
        competition_id=competition.id,
        event_id=event.id,
        registration_id=entered.id,
        person_id=someone.id,
        kind=OutcomeKind.NOMINATION,
        title=title,
        status=status,
        basis={"competition": competition.name, "event": event.name, "rank": 1, "reasons": [], "policy": "suqian v1"},
        created_by_id=organizer.id,
    )
    db.session.add(outcome)
    db.session.flush()
    return outcome


def title(world, name, level="municipal", body="宿迁市人力资源和社会保障局"):
    found = db.session.scalar(select(HonourTitle).where(HonourTitle.name == name))
    return found or selection.add_title(world["organizer"], name=name, level=level, awarding_body=body)


def open_round(world, name="宿迁市技术能手", quota=50, eligibility=(), region=None, year=YEAR):
    return selection.create_round(
        world["organizer"], title=title(world, name), year=year, quota=quota, region=region, eligibility=eligibility
    )


def score_all(world, scores_by_candidate):
    for candidate, scores in scores_by_candidate.items():
        for reviewer, score in zip(world["reviewers"], scores, strict=False):
            review.record_score(world["organizer"], candidate, reviewer, Decimal(score))


def to_approval(world, selection_round, scores_by_candidate):
    selection.advance_stage(world["organizer"], selection_round)
    score_all(world, scores_by_candidate)
    selection.advance_stage(world["organizer"], selection_round)
    selection.advance_stage(world["organizer"], selection_round)
    assert selection_round.stage == RoundStage.APPROVAL


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- catalogue and rounds


def test_the_catalogue_refuses_a_second_title_of_the_same_name(world):
    with force_locale("en"):
        title(world, PROVINCIAL, level="provincial", body="江苏省人力资源和社会保障厅")
        with pytest.raises(Conflict, match="already in the catalogue"):
            selection.add_title(world["organizer"], name=f" {PROVINCIAL} ", level="provincial", awarding_body="x")
        with pytest.raises(InvalidInput, match="level") as refused:
            selection.add_title(world["organizer"], name="某某技术能手", level="galactic", awarding_body="x")
        assert refused.value.field == "level"
        with pytest.raises(InvalidInput, match="awarding body"):
            selection.add_title(world["organizer"], name="某某技术能手", level="municipal", awarding_body=" ")
    assert count(HonourTitle) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quota": 0}, "quota", "quota is a whole number above 0"),
        ({"quota": -5}, "quota", "quota is a whole number above 0"),
        ({"year": 1999}, "year", "between 2000 and 2100"),
        ({"eligibility": [{"kind": "min_grade", "grade": "g9"}]}, "min_grade", "grade from the list"),
        ({"eligibility": [{"kind": "min_grade", "grade": "none"}]}, "min_grade", "grade from the list"),
        ({"eligibility": [{"kind": "holds_title", "titles": [" "]}]}, "holds_titles", "at least one title"),
        ({"eligibility": [{"kind": "lucky"}]}, None, "Unknown eligibility requirement: lucky"),
        ({"eligibility": [{"kind": "nominated"}, {"kind": "nominated"}]}, None, "may appear once"),
    ],
)
def test_a_round_with_bad_values_is_refused_and_nothing_is_written(world, changes, field, message):
    values = {"quota": 50, "year": YEAR, "eligibility": []} | changes
    honour = title(world, "宿迁市技术能手")
    with force_locale("en"), pytest.raises(InvalidInput, match=message) as refused:
        selection.create_round(world["organizer"], title=honour, **values)
    assert refused.value.field == field
    assert count(SelectionRound) == 0


def test_one_round_per_title_year_and_region(world):
    open_round(world)
    with force_locale("en"), pytest.raises(Conflict, match="exists already"):
        open_round(world)
    open_round(world, region=world["regions"]["suqian"])  # another region is another round
    open_round(world, year=YEAR + 1)
    assert count(SelectionRound) == 3


def test_requirements_are_stored_in_one_form(world):
    selection_round = open_round(
        world,
        name=NATIONAL,
        eligibility=[
            {"kind": "holds_title", "titles": [PROVINCIAL, PROVINCIAL]},
            {"kind": "min_grade", "grade": "g3"},
            {"kind": "nominated", "extra": 1},
        ],
    )
    assert selection_round.eligibility == [
        {"kind": "holds_title", "title": PROVINCIAL},
        {"kind": "min_grade", "grade": "g3"},
        {"kind": "nominated"},
    ]
    assert selection_round.stage == RoundStage.RECOMMENDATION
    assert selection_round.owner_id == world["organizer"].id


# ---------------------------------------------------------------- eligibility


ELIGIBILITY_CASES = [
    # (requirements, grade, titles held, nomination year or None, expected problem fragments)
    ([], "none", [], None, []),
    ([{"kind": "min_grade", "grade": "g3"}], "g3", [], None, []),
    ([{"kind": "min_grade", "grade": "g3"}], "g1", [], None, []),
    ([{"kind": "min_grade", "grade": "g3"}], "g4", [], None, ["Holds Intermediate worker; the round needs Senior"]),
    ([{"kind": "min_grade", "grade": "g2"}], "none", [], None, ["Holds No grade"]),
    ([{"kind": "holds_title", "title": PROVINCIAL}], "g3", [PROVINCIAL], None, []),
    (
        [{"kind": "holds_title", "title": PROVINCIAL}],
        "g3",
        ["天津市技术能手"],
        None,
        ["Does not hold the title 江苏省"],
    ),
    ([{"kind": "holds_title", "titles": [PROVINCIAL, INDUSTRY]}], "g3", [INDUSTRY], None, []),
    ([{"kind": "nominated"}], "g3", [], YEAR, []),
    ([{"kind": "nominated"}], "g3", [], YEAR - 1, []),
    ([{"kind": "nominated"}], "g3", [], YEAR + 1, ["Has no competition nomination for 全国技术能手"]),
    ([{"kind": "nominated"}], "g3", [], None, ["Has no competition nomination"]),
    # The national rule (劳动和社会保障部令第7号): a provincial or industry title AND at least 高级工.
    (NATIONAL_RULE, "g3", [PROVINCIAL], None, []),
    (NATIONAL_RULE, "g2", [INDUSTRY], None, []),
    (NATIONAL_RULE, "g4", [PROVINCIAL], None, ["needs Senior worker"]),
    (NATIONAL_RULE, "g1", [], None, ["Does not hold the title 江苏省技术能手 or 电力行业技术能手"]),
    (NATIONAL_RULE, "g5", [], None, ["Does not hold the title", "needs Senior worker"]),
    # Whoever holds the round's title already is not a candidate again.
    ([], "g3", [NATIONAL], None, ["Already holds the title 全国技术能手"]),
]


@pytest.mark.parametrize(("requirements", "grade", "held", "nominated_in", "expected"), ELIGIBILITY_CASES)
def test_a_candidate_must_meet_every_requirement(world, requirements, grade, held, nominated_in, expected):
    selection_round = open_round(world, name=NATIONAL, eligibility=requirements)
    someone = person(world, grade=grade)
    for name in held:
        holds(someone, name)
    if nominated_in is not None:
        nominate(world, someone, NATIONAL, year=nominated_in)
    with force_locale("en"):
        problems = eligibility.eligibility_problems(selection_round, someone)
    assert len(problems) == len(expected), problems
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem


def test_withdrawn_titles_and_nominations_do_not_count(world):
    selection_round = open_round(world, name=NATIONAL, eligibility=[{"kind": "holds_title", "title": PROVINCIAL}])
    someone = person(world)
    holds(someone, PROVINCIAL)
    db.session.scalar(select(TitleHolding)).withdrawn_at = date(YEAR, 1, 2)
    assert len(eligibility.eligibility_problems(selection_round, someone)) == 1
    nominated_round = open_round(world, name="天津市技术能手", eligibility=[{"kind": "nominated"}])
    nominate(world, someone, "天津市技术能手", status=OutcomeStatus.WITHDRAWN)
    assert len(eligibility.eligibility_problems(nominated_round, someone)) == 1


def test_a_round_of_a_region_takes_people_whose_unit_is_inside_it(world):
    selection_round = open_round(world, region=world["regions"]["suqian"])
    inside = person(world, unit="yanghe")  # its county lies inside the city
    outside = person(world, name="赵强", unit="school")
    unknown = person(world, name="无单位", unit=None)
    with force_locale("en"):
        assert eligibility.eligibility_problems(selection_round, inside) == []
        assert eligibility.eligibility_problems(selection_round, unknown) == []
        assert eligibility.eligibility_problems(selection_round, outside) == ["晋城市技师学院 is not in 江苏省宿迁市."]


# ---------------------------------------------------------------- recommendation


def test_a_unit_recommends_a_person_and_a_nomination_is_linked(world):
    selection_round = open_round(world)
    someone = person(world)
    nomination = nominate(world, someone, "宿迁市技术能手")
    candidate = selection.recommend(world["organizer"], selection_round, someone, note=" 岗位标兵 ")
    assert candidate.nomination_id == nomination.id
    assert candidate.recommended_by == world["units"]["yanghe"]  # the person's own unit by default
    assert (candidate.note, candidate.status) == ("岗位标兵", CandidateStatus.RECOMMENDED)
    other = selection.recommend(world["organizer"], selection_round, person(world), unit=world["units"]["power"])
    assert other.nomination_id is None and other.recommended_by == world["units"]["power"]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "selection.recommend")).all()
    assert len(actions) == 2


def test_a_recommendation_is_refused_with_a_clear_message_and_nothing_is_written(world):
    selection_round = open_round(world, name="宿迁市企业首席技师", eligibility=[{"kind": "min_grade", "grade": "g2"}])
    technician, worker = person(world, grade="g2"), person(world, name="李强", grade="g4")
    selection.recommend(world["organizer"], selection_round, technician)
    entries = count(AuditEntry)
    with force_locale("en"):
        with pytest.raises(InvalidInput) as refused:
            selection.recommend(world["organizer"], selection_round, worker)
        assert refused.value.message == (
            "李强 is not eligible: Holds Intermediate worker; the round needs Technician or higher."
        )
        with pytest.raises(Conflict, match="张伟 is already a candidate in this round"):
            selection.recommend(world["organizer"], selection_round, technician)
        selection.advance_stage(world["organizer"], selection_round)
        entries = count(AuditEntry)
        with pytest.raises(Conflict, match="only while the round is at the recommendation stage"):
            selection.recommend(world["organizer"], selection_round, person(world, name="王秀英", grade="g1"))
    assert [c.person for c in selection_round.candidates] == [technician]
    assert count(AuditEntry) == entries + 1  # only the new person's registry entry


# ---------------------------------------------------------------- competition nominations


def test_a_competition_nomination_flows_into_the_open_round_of_its_title_and_year(world):
    this_year = open_round(world, name="天津市技术能手")
    next_year = open_round(world, name="天津市技术能手", year=YEAR + 1)
    someone = person(world)
    nomination = nominate(world, someone, "天津市技术能手")
    candidate = selection.take_nomination(world["organizer"], nomination)
    assert candidate.round == this_year and candidate.nomination == nomination
    assert candidate.recommended_by is None and next_year.candidates == []
    assert selection.take_nomination(world["organizer"], nominate(world, person(world), "龙江技术能手")) is None
    selection.drop_nomination(world["organizer"], nomination)
    db.session.flush()
    assert db.session.scalars(select(Candidate).where(Candidate.round_id == this_year.id)).all() == []


def test_a_nomination_joins_a_candidate_already_recommended_and_stays_once_review_began(world):
    selection_round = open_round(world, name="天津市技术能手")
    someone = person(world)
    recommended = selection.recommend(world["organizer"], selection_round, someone)
    nomination = nominate(world, someone, "天津市技术能手")
    assert selection.take_nomination(world["organizer"], nomination) == recommended
    assert recommended.nomination == nomination
    selection.advance_stage(world["organizer"], selection_round)
    selection.drop_nomination(world["organizer"], nomination)
    assert selection_round.candidates == [recommended]  # later stages keep the trail


def test_a_finished_competition_nominates_its_winner_into_the_round(world):
    """The whole path: a Tianjin municipal-1 competition's worker winner may apply for 天津市技术能手."""
    selection_round = open_round(world, name="天津市技术能手")
    scenario = Path(__file__).resolve().parents[2] / "examples" / "small.json"
    with force_locale("en"):
        loader.load(json.loads(scenario.read_text(encoding="utf-8")), world["organizer"], finalize=True)
    nominations = db.session.scalars(
        select(Outcome).where(Outcome.kind == OutcomeKind.NOMINATION, Outcome.title == "天津市技术能手")
    ).all()
    assert nominations
    assert {c.nomination_id for c in selection_round.candidates} == {n.id for n in nominations}


# ---------------------------------------------------------------- expert review


def test_scores_are_entered_at_the_review_stage_by_reviewers_only(world):
    selection_round = open_round(world)
    candidate = selection.recommend(world["organizer"], selection_round, person(world))
    chief = world["reviewers"][0]
    with force_locale("en"):
        with pytest.raises(Conflict, match="only at the expert review stage"):
            review.record_score(world["organizer"], candidate, chief, Decimal(80))
        selection.advance_stage(world["organizer"], selection_round)
        for outsider in (world["organizer"], world["unit_contact"]):
            with pytest.raises(NotAllowed, match="is not a reviewer"):
                review.record_score(world["organizer"], candidate, outsider, Decimal(80))
        for bad, message in [
            (Decimal("100.01"), "between 0 and 100"),
            (Decimal(-1), "between 0 and 100"),
            (Decimal("88.125"), "at most 2 decimals"),
            (Decimal("NaN"), "between 0 and 100"),
            (88.5, "between 0 and 100"),
        ]:
            with pytest.raises(InvalidInput, match=message) as refused:
                review.record_score(world["organizer"], candidate, chief, bad)
            assert refused.value.field == "score"
    assert count(ReviewScore) == 0
    assert review.record_score(world["organizer"], candidate, chief, Decimal("88.500")).score == Decimal("88.50")
    assert review.record_score(world["organizer"], candidate, world["reviewers"][1], 100).score == Decimal(100)


def test_entering_a_score_again_replaces_it_with_before_and_after_in_the_trail(world):
    selection_round = open_round(world)
    candidate = selection.recommend(world["organizer"], selection_round, person(world))
    selection.advance_stage(world["organizer"], selection_round)
    reviewer = world["reviewers"][1]
    review.record_score(world["organizer"], candidate, reviewer, Decimal("80"), "good")
    review.record_score(world["organizer"], candidate, reviewer, Decimal("85.5"), "better on re-reading")
    assert [s.score for s in candidate.scores] == [Decimal("85.50")]
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "selection.score").order_by(AuditEntry.id)
    ).all()
    assert entries[0].before is None
    assert entries[1].before == {"score": "80.00", "comment": "good"}
    assert entries[1].after["score"] == "85.50"


def test_standings_order_by_the_exact_mean_rounded_half_up(world):
    selection_round = open_round(world)
    first, second, third, fourth = (
        selection.recommend(world["organizer"], selection_round, person(world)) for _ in "1234"
    )
    selection.advance_stage(world["organizer"], selection_round)
    score_all(
        world,
        {
            first: ["90.01", "90.00"],  # 90.005 → 90.01 half-up (banker's rounding would give 90.00)
            second: ["80", "80", "80.01"],  # 80.00333… → 80.00
            third: ["80.00", "80.00", "80.00"],
        },
    )
    table = review.standings(selection_round)
    assert [row.candidate for row in table] == [first, second, third, fourth]
    assert [row.mean for row in table] == [Decimal("90.01"), Decimal("80.00"), Decimal("80.00"), None]
    assert [row.count for row in table] == [2, 3, 3, 0]
    assert [row.rank for row in table] == [1, 2, 2, None]


# ---------------------------------------------------------------- stages


def test_publicity_needs_three_reviewer_scores_for_every_candidate(world):
    selection_round = open_round(world)
    organizer = world["organizer"]
    with force_locale("en"), pytest.raises(Conflict, match="No candidate has been recommended yet"):
        selection.advance_stage(organizer, selection_round)
    strong = selection.recommend(organizer, selection_round, person(world))
    weak = selection.recommend(organizer, selection_round, person(world, name="李强"))
    assert selection.advance_stage(organizer, selection_round, to="review") == RoundStage.REVIEW
    score_all(world, {strong: ["90", "91", "92"], weak: ["70", "71"]})
    with force_locale("en"), pytest.raises(Conflict) as refused:
        selection.advance_stage(organizer, selection_round)
    assert refused.value.message == "Each candidate needs 3 reviewer scores before publicity; still short: 李强."
    assert selection_round.stage == RoundStage.REVIEW
    review.record_score(organizer, weak, world["reviewers"][3], Decimal(72))
    assert selection.advance_stage(organizer, selection_round) == RoundStage.PUBLICITY
    with force_locale("en"), pytest.raises(Conflict, match="moved on meanwhile"):
        selection.advance_stage(organizer, selection_round, to="publicity")  # a second click on the same button
    assert selection.advance_stage(organizer, selection_round, to="approval") == RoundStage.APPROVAL
    with force_locale("en"), pytest.raises(Conflict, match="Approve the awards to close the round"):
        selection.advance_stage(organizer, selection_round)
    stages = db.session.scalars(select(AuditEntry.after).where(AuditEntry.action == "selection.stage")).all()
    assert [entry["stage"] for entry in stages] == ["review", "publicity", "approval"]


# ---------------------------------------------------------------- approval


@pytest.fixture
def at_approval(world):
    """A round of quota 2 at approval: three scored candidates, the third nominated but below the grade required."""
    selection_round = open_round(
        world, name="宿迁市企业首席技师", quota=2, eligibility=[{"kind": "min_grade", "grade": "g2"}]
    )
    first = selection.recommend(world["organizer"], selection_round, person(world, name="王秀英", grade="g1"))
    second = selection.recommend(world["organizer"], selection_round, person(world, name="郑浩", grade="g2"))
    third = selection.take_nomination(
        world["organizer"], nominate(world, person(world, name="李强", grade="g4"), "宿迁市企业首席技师")
    )
    to_approval(
        world,
        selection_round,
        {first: ["95", "94", "93.5"], second: ["88", "87.25", "90"], third: ["91", "92", "90"]},
    )
    return selection_round, first, second, third


def _nothing_awarded(selection_round):
    assert count(TitleHolding) == 0
    assert selection_round.stage == RoundStage.APPROVAL
    assert {c.status for c in selection_round.candidates} == {CandidateStatus.RECOMMENDED}


@pytest.mark.parametrize(
    ("ticked", "awarded_on", "error", "message"),
    [
        ("all", date(YEAR, 12, 1), InvalidInput, "Quota exceeded: the quota is 2 and 3 candidates are ticked."),
        ("third", date(YEAR, 12, 1), InvalidInput, "李强 is not eligible: Holds Intermediate worker"),
        ("none", date(YEAR, 12, 1), InvalidInput, "Tick the candidates to award."),
        ("stranger", date(YEAR, 12, 1), NotFound, "A ticked candidate is not in this round."),
        ("first", date(YEAR - 1, 12, 31), InvalidInput, "The award date lies before the round's year."),
    ],
)
def test_a_refused_approval_writes_nothing(world, at_approval, ticked, awarded_on, error, message):
    selection_round, first, second, third = at_approval
    choice = {"all": [first, second, third], "third": [first, third], "none": [], "stranger": [first.id, 99999]}
    entries = count(AuditEntry)
    with force_locale("en"), pytest.raises(error) as refused:
        selection.approve(world["organizer"], selection_round, choice.get(ticked, [first]), awarded_on)
    assert str(refused.value.message).startswith(message)
    _nothing_awarded(selection_round)
    assert count(AuditEntry) == entries


def test_approval_is_only_at_its_stage(world):
    selection_round = open_round(world)
    candidate = selection.recommend(world["organizer"], selection_round, person(world))
    with force_locale("en"), pytest.raises(Conflict, match="only at the approval stage"):
        selection.approve(world["organizer"], selection_round, [candidate], date(YEAR, 12, 1))
    assert count(TitleHolding) == 0


def test_approval_records_the_titles_in_the_registry_and_closes_the_round(world, at_approval):
    selection_round, first, second, third = at_approval
    holdings = selection.approve(world["organizer"], selection_round, [second.id, first.id], date(YEAR, 12, 20))
    assert len(holdings) == 2
    assert selection_round.stage == RoundStage.CLOSED
    assert [c.status for c in (first, second, third)] == [
        CandidateStatus.AWARDED,
        CandidateStatus.AWARDED,
        CandidateStatus.NOT_AWARDED,
    ]
    recorded = db.session.scalars(select(TitleHolding).order_by(TitleHolding.person_id)).all()
    assert {h.person_id for h in recorded} == {first.person_id, second.person_id}
    by_person = {h.person_id: h for h in recorded}
    holding = by_person[first.person_id]
    assert (holding.title, holding.round_id, holding.awarded_on) == (
        "宿迁市企业首席技师",
        selection_round.id,
        date(YEAR, 12, 20),
    )
    assert "2026年宿迁市企业首席技师评选" in holding.basis and "94.17" in holding.basis  # (95 + 94 + 93.5) / 3
    assert "88.42" in by_person[second.person_id].basis  # 265.25 / 3 = 88.4166…
    assert eligibility.held_titles([first.person_id]) == {first.person_id: ["宿迁市企业首席技师"]}
    approved = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "selection.approve"))
    assert approved.after["awarded"] == sorted([first.id, second.id]) and approved.after["not_awarded"] == [third.id]
    with force_locale("en"), pytest.raises(CompeteError):
        selection.approve(world["organizer"], selection_round, [third], date(YEAR, 12, 20))


def test_a_round_at_the_quota_exactly_is_approved(world, at_approval):
    selection_round, first, second, _third = at_approval
    assert len(selection.approve(world["organizer"], selection_round, [first, second], date(YEAR, 12, 1))) == 2


# ---------------------------------------------------------------- demo


def test_the_demo_creates_the_catalogue_and_this_years_suqian_rounds(world):
    from compete import demo
    from compete.columns import local_now

    rounds = demo.selection_rounds(world["organizer"])
    assert count(HonourTitle) == 8
    assert [(r.title.name, r.quota, r.year, r.stage) for r in rounds] == [
        ("宿迁市技术能手", 50, local_now().year, RoundStage.RECOMMENDATION),
        ("宿迁市企业首席技师", 20, local_now().year, RoundStage.RECOMMENDATION),
    ]
    assert rounds[1].eligibility == [{"kind": "min_grade", "grade": "g2"}]
    assert rounds[0].region == world["regions"]["suqian"]
    levels = dict(db.session.execute(select(HonourTitle.name, HonourTitle.level)).all())
    assert (levels["全国技术能手"], levels["城区技术能手"], levels["龙江技术能手"]) == (
        "national",
        "district",
        "provincial",
    )
    assert demo.selection_rounds(world["organizer"]) == rounds  # a second run changes nothing
    assert count(SelectionRound) == 2
