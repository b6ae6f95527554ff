"""A competition's policy applied to its final results: outcomes with their basis, idempotency, reopening."""

import copy
import json
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from compete.competitions.models import Competition
from compete.errors import CompeteError, Conflict, InvalidInput
from compete.extensions import db
from compete.honours import derive, policies
from compete.honours import services as honours
from compete.honours.models import GradeChange, OutcomeKind, OutcomeStatus, TitleHolding
from compete.people.models import Person
from compete.results import finalization
from compete.results import services as results
from compete.rules import policy as rules
from compete.scenarios import loader
from tests.factories import make_user

SMALL = json.loads((Path(__file__).resolve().parents[2] / "examples" / "small.json").read_text(encoding="utf-8"))
ZHANG, LIU = "321302199003070019", "321302199003070043"  # ranks 1 and 2 of the small example's HG-W


def scenario(policy="tianjin-municipal-1", **competition):
    data = copy.deepcopy(SMALL)
    data["competition"].update(policy=policy, **competition)
    return data


def finished(owner, data):
    """Loaded, published with no publicity period and final, but no policy applied yet."""
    competition = db.session.get(Competition, loader.load(data, owner))
    results.publish(owner, competition, publicity_days=0, appeal_hours=0)
    finalization.finalize(owner, competition)
    return competition


@pytest.fixture
def organizer(app):
    with app.app_context(), force_locale("en"):
        yield make_user("organizer")


def person(id_number) -> Person:
    return db.session.scalar(select(Person).where(Person.id_number == id_number))


def active(competition, kind=None):
    return [o for o in derive.active_outcomes(competition) if kind is None or o.kind == kind]


def test_apply_records_promotions_and_nominations_with_their_basis(organizer):
    competition = finished(organizer, scenario())
    applied = honours.apply_policy(organizer, competition)
    promotions = active(competition, OutcomeKind.PROMOTION)
    # tianjin-municipal-1: worker top 10 → 技师 (all five present hold 高级工); 1st may apply for 天津市技术能手.
    assert applied.recorded == 6 and applied.kept == 0
    assert {(o.person.id_number, o.grade_from, o.grade_to) for o in promotions if o.person.id_number == ZHANG} == {
        (ZHANG, "g3", "g2")
    }
    assert len(promotions) == 5  # the absent competitor gets nothing
    assert [o.title for o in active(competition, OutcomeKind.NOMINATION)] == ["天津市技术能手"]
    assert person(ZHANG).grade == "g2"
    basis = next(o for o in promotions if o.person.id_number == ZHANG).basis
    assert (basis["rank"], basis["total"], basis["policy"]) == (1, "92.45", "tianjin-municipal-1 v2024.1")
    assert basis["reasons"][0]["rule"] == "worker-top-10"
    change = db.session.scalar(select(GradeChange).where(GradeChange.person_id == person(ZHANG).id))
    assert (change.grade_from, change.grade_to, change.changed_on) == ("g3", "g2", competition.ends_on)
    assert change.basis.startswith(f"{competition.name}焊工(职工组)第1名(总成绩92.45),依据《天津市一类竞赛(2024)》")
    assert (
        "职工组前10名晋升技师" in change.basis and "天津市技术能手" not in change.basis
    )  # only the rule that promoted


def test_applying_again_records_nothing_new(organizer):
    competition = finished(organizer, scenario())
    honours.apply_policy(organizer, competition)
    again = honours.apply_policy(organizer, competition)
    assert (again.recorded, again.kept, again.withdrawn) == (0, 6, 0)
    assert person(ZHANG).grade == "g2"  # not promoted twice: the grade before this competition is kept
    assert len(db.session.scalars(select(GradeChange)).all()) == 5


def test_policy_is_applied_to_final_results_only(organizer):
    competition = db.session.get(Competition, loader.load(scenario(), organizer))
    with pytest.raises(Conflict, match="final results only"):
        honours.apply_policy(organizer, competition)
    assert derive.active_outcomes(competition) == []


def test_reopening_withdraws_outcomes_and_restores_grades_with_a_trail(organizer):
    competition = finished(organizer, scenario())
    honours.apply_policy(organizer, competition)
    finalization.reopen(organizer, competition, "appeal upheld after the deadline")
    assert derive.active_outcomes(competition) == []
    assert person(ZHANG).grade == "g3"
    withdrawn = honours.recorded_outcomes(competition)
    assert {o.status for o in withdrawn} == {OutcomeStatus.WITHDRAWN}
    assert {o.withdrawn_reason for o in withdrawn} == {"appeal upheld after the deadline"}
    changes = db.session.scalars(select(GradeChange)).all()
    assert all(change.withdrawn_at is not None for change in changes)
    # Final again: the outcomes are derived again, as new records beside the withdrawn ones.
    finalization.finalize(organizer, competition)
    assert honours.apply_policy(organizer, competition).recorded == 6
    assert person(ZHANG).grade == "g2"


def test_titles_are_recorded_in_the_registry(organizer):
    # zhejiang: municipal-1 top 2 → 市技术能手 (a title, no promotion).
    competition = finished(organizer, scenario(policy="zhejiang"))
    honours.apply_policy(organizer, competition)
    holdings = db.session.scalars(select(TitleHolding).order_by(TitleHolding.id)).all()
    assert [(h.person_id, h.title) for h in holdings] == [
        (person(ZHANG).id, "市技术能手"),
        (person(LIU).id, "市技术能手"),
    ]
    assert person(ZHANG).grade == "g3"


def test_proposed_promotions_wait_for_confirmation(organizer):
    own = policies.copy_preset(organizer, "tianjin-municipal-1")
    data = copy.deepcopy(own.data)
    data["switches"]["proposed"] = True
    policies.save_policy(organizer, own, data)
    competition = finished(organizer, scenario(policy=own.key))
    honours.apply_policy(organizer, competition)
    proposed = active(competition, OutcomeKind.PROMOTION)
    assert {o.status for o in proposed} == {OutcomeStatus.PROPOSED}
    assert person(ZHANG).grade == "g3"  # nothing changes before the organizer confirms
    first = next(o for o in proposed if o.person.id_number == ZHANG)
    honours.confirm_promotion(organizer, first)
    assert person(ZHANG).grade == "g2" and first.basis["policy"] == f"{own.key} v2"
    second = next(o for o in proposed if o.person.id_number == LIU)
    with pytest.raises(InvalidInput):
        honours.decline_promotion(organizer, second, "  ")
    honours.decline_promotion(organizer, second, "does not meet the ordinary conditions")
    assert second.status == OutcomeStatus.DECLINED and person(LIU).grade == "g3"
    with pytest.raises(Conflict):
        honours.confirm_promotion(organizer, second)
    again = honours.apply_policy(organizer, competition)  # a declined promotion is not proposed again
    assert (again.recorded, again.withdrawn) == (0, 0) and second.status == OutcomeStatus.DECLINED
    assert honours.confirm_all(organizer, competition) == 3


def test_one_competition_promotion_per_person_per_year(organizer):
    first = finished(organizer, scenario())
    honours.apply_policy(organizer, first)
    second = finished(organizer, scenario(name="同年第二场比赛"))
    preview = {item.row.id_number: item for item in derive.preview(second) if item.row.rank == 1}
    zhang = preview[ZHANG]
    # Tianjin allows one competition promotion a year: the second contest of the year promotes nobody again.
    assert zhang.effects.promotion is None and zhang.grade == "g2"
    assert "one_promotion_per_year" in [reason.rule for reason in zhang.effects.reasons]
    assert zhang.effects.nominations == ("天津市技术能手",)  # the nomination is not limited


def test_results_export_carries_titles_nominations_promotion_and_basis(organizer):
    competition = finished(organizer, scenario())
    honours.apply_policy(organizer, competition)
    exported = results.results_export(competition, honours.export_fields(competition))
    welding = next(event for event in exported["events"] if event["code"] == "HG-W")["results"]
    first, absent = welding[0], welding[-1]
    assert (first["titles"], first["nominations"], first["promotion"]) == (
        [],
        ["天津市技术能手"],
        {"from": "g3", "to": "g2"},
    )
    assert first["basis"][0] == "tianjin-municipal-1 v2024.1"
    assert any(line.startswith("worker-top-10:") for line in first["basis"])
    assert (absent["rank"], absent["promotion"], absent["basis"]) == (None, None, [])


def test_scenario_finalize_applies_the_policy_and_confirms(organizer):
    own = policies.copy_preset(organizer, "tianjin-municipal-1")
    data = copy.deepcopy(own.data)
    data["switches"]["proposed"] = True
    policies.save_policy(organizer, own, data)
    competition = db.session.get(Competition, loader.load(scenario(policy=own.key), organizer, finalize=True))
    assert {o.status for o in active(competition, OutcomeKind.PROMOTION)} == {OutcomeStatus.CONFIRMED}
    assert person(ZHANG).grade == "g2"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["rules"][0]["when"].update(ranks=[5, 3]), "Rule 1: the rank range 5–3 is empty"),
        (lambda d: d["rules"][0]["promote"].update(to="principal"), "Rule 1: promotion to principal is beyond"),
        (
            lambda d: d["rules"].append({**d["rules"][0], "id": "again"}),
            "Rule 4: promotion rules worker-top-10 and again can fire for the same group and rank",
        ),
        (lambda d: d["rules"][2].pop("nominate"), "Rule 3: the rule grants, nominates or promotes nothing."),
    ],
)
def test_an_own_policy_is_refused_with_a_message_before_anything_is_saved(organizer, change, message):
    own = policies.copy_preset(organizer, "tianjin-municipal-1")
    data = copy.deepcopy(own.data)
    change(data)
    with pytest.raises(CompeteError, match=message):
        policies.save_policy(organizer, own, data)
    assert own.version == 1 and own.data["rules"] == rules.to_data(rules.preset("tianjin-municipal-1"))["rules"]


def test_another_organizer_cannot_use_or_open_my_policy(organizer):
    own = policies.copy_preset(organizer, "tianjin-municipal-1")
    other = make_user("organizer2")
    assert policies.may_use(organizer, own.key) and not policies.may_use(other, own.key)
    with pytest.raises(CompeteError):
        policies.own_policy(other, own.id)


def test_preview_table_rank_by_rank():
    chosen = rules.preset("national-2023")
    lines = policies.preview_table(chosen, level="national", group="worker", entrants=8, grade="g2")
    assert [(line.rank, line.award, line.effects.promotion) for line in lines[:5]] == [
        (1, "gold", ("g2", "g1")),
        (2, "silver", ("g2", "g1")),
        (3, "bronze", ("g2", "g1")),
        (4, "excellence", ("g2", "g1")),
        (5, None, None),  # ⌊8/2⌋ = 4: the upper half ends at rank 4
    ]
    assert lines[4].effects.titles == ("全国技术能手",)
