"""Honours on screen: policies, their editor and preview, outcomes of final results, the person page."""

import copy
import json
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from compete.accounts.models import Role, User
from compete.competitions.models import Competition
from compete.extensions import db
from compete.honours.models import OutcomeStatus, OwnPolicy
from compete.people.models import Person
from compete.results import finalization
from compete.results import services as results
from compete.scenarios import loader
from tests.factories import make_user, sign_in

SMALL = json.loads((Path(__file__).resolve().parents[2] / "examples" / "small.json").read_text(encoding="utf-8"))
ZHANG = "321302199003070019"


@pytest.fixture
def final(app):
    """The small example, final under tianjin-municipal-1, owned by `organizer`; `other` organizes elsewhere."""
    with app.test_request_context(), force_locale("en"):
        organizer = make_user("organizer")
        make_user("other", Role.ORGANIZER)
        competition_id = loader.load(copy.deepcopy(SMALL), organizer)
        competition = db.session.get(Competition, competition_id)
        results.publish(organizer, competition, publicity_days=0, appeal_hours=0)
        finalization.finalize(organizer, competition)
        db.session.commit()
        return competition_id


def client_for(app, username, language="en"):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    client.post("/language", data={"locale": language})
    return client


@pytest.mark.parametrize("language", ["zh", "en"])
def test_policy_pages_render_in_both_languages(app, final, language):
    client = client_for(app, "organizer", language)
    listed = client.get("/admin/policies").get_data(as_text=True)
    assert "national-2023" in listed and "esb.sxdaily.com.cn" in listed  # every preset shows its source
    preview = client.get("/admin/policies/preview?policy=national-2023&level=national&group=worker&entrants=8&grade=g3")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "全国技术能手" in page
    assert ("高级工 → 技师" if language == "zh" else "Senior worker → Technician") in page
    assert client.get("/admin/honours").status_code == 200


def test_preview_with_bad_input_shows_a_message_not_an_error(app, final):
    client = client_for(app, "organizer")
    response = client.get("/admin/policies/preview?policy=national-2023&level=national&group=worker&entrants=x")
    assert response.status_code == 200 and "Not a valid integer value." in response.get_data(as_text=True)
    assert client.get("/admin/policies/preview?policy=nothing-like-it").status_code == 404


def test_copy_edit_and_a_refused_change(app, final):
    client = client_for(app, "organizer")
    copied = client.post("/admin/policies/copy/tianjin-municipal-1")
    assert copied.status_code == 302
    with app.app_context():
        own = db.session.scalar(select(OwnPolicy))
        policy_id, rules = own.id, own.data["rules"]
    form = client.get(copied.headers["Location"]).get_data(as_text=True)
    assert 'value="worker-top-10"' in form
    fields = {
        "name_zh": "宿迁市2026竞赛晋升规则",
        "name_en": "Suqian 2026 rules",
        "award_scheme": "medals",
        "cap": "g1",
        "already_holds": "next",
        "one_promotion_per_year": "y",
    }
    for index, rule in enumerate(rules):
        when = rule["when"]
        fields |= {
            f"rules-{index}-rule_id": rule["id"],
            f"rules-{index}-text": rule["text"],
            f"rules-{index}-levels": when.get("levels", []),
            f"rules-{index}-group": when.get("group", ""),
            f"rules-{index}-rank_from": when["ranks"][0],
            f"rules-{index}-rank_to": when["ranks"][1],
            f"rules-{index}-nominate": "、".join(rule.get("nominate", [])),
            f"rules-{index}-promote_to": rule.get("promote", {}).get("to", ""),
            f"rules-{index}-already": rule.get("promote", {}).get("already", ""),
        }
    saved = client.post(f"/admin/policies/{policy_id}", data={**fields, "rules-0-rank_to": "6"})
    assert saved.status_code == 302
    with app.app_context():
        own = db.session.get(OwnPolicy, policy_id)
        assert own.version == 2 and own.data["rules"][0]["when"]["ranks"] == [1, 6]
        assert own.data["name"]["zh"] == "宿迁市2026竞赛晋升规则"
    refused = client.post(
        f"/admin/policies/{policy_id}", data={**fields, "rules-0-rank_from": "9", "rules-0-rank_to": "3"}
    )
    assert refused.status_code == 200
    assert "Rule 1: the rank range 9–3 is empty" in refused.get_data(as_text=True)
    added = client.post(f"/admin/policies/{policy_id}", data={**fields, "add_rule": "Add a rule"})
    assert added.get_data(as_text=True).count("data-rule") == len(rules) + 1
    with app.app_context():
        assert db.session.get(OwnPolicy, policy_id).version == 2  # neither the refused nor the added row saved
    # Another organizer neither opens nor uses it.
    other = client_for(app, "other")
    assert other.get(f"/admin/policies/{policy_id}").status_code == 404
    assert other.get(f"/admin/policies/preview?policy=own-{policy_id}").status_code == 404


def test_competition_outcomes_are_recorded_and_shown_on_the_person_page(app, final):
    client = client_for(app, "organizer", "zh")
    page = client.get(f"/admin/competitions/{final}/honours").get_data(as_text=True)
    assert "data-honours-preview" in page and "天津市技术能手" in page and "data-not-final" not in page
    assert client.post(f"/admin/competitions/{final}/honours/apply").status_code == 302
    again = client.post(f"/admin/competitions/{final}/honours/apply", follow_redirects=True).get_data(as_text=True)
    assert "新记录 0 项" in again or "0 new" in again
    with app.app_context():
        zhang = db.session.scalar(select(Person).where(Person.id_number == ZHANG))
        person_id = zhang.id
        assert zhang.grade == "g2"
    person = client.get(f"/admin/people/{person_id}").get_data(as_text=True)
    assert "data-grade-history" in person and "高级工 → <strong>技师</strong>" in person
    assert "职工组前10名晋升技师" in person and "天津市技术能手" in person


def test_another_organizer_cannot_apply_or_see_outcomes(app, final):
    other = client_for(app, "other")
    assert other.get(f"/admin/competitions/{final}/honours").status_code == 403
    assert other.post(f"/admin/competitions/{final}/honours/apply").status_code == 403
    with app.app_context():
        from compete.honours.models import Outcome

        assert db.session.scalar(select(Outcome)) is None


def test_proposed_promotion_confirm_and_decline_on_screen(app, final):
    with app.test_request_context(), force_locale("en"):
        from compete.honours import derive, policies
        from compete.honours import services as honours

        organizer = db.session.scalar(select(User).where(User.username == "organizer"))
        own = policies.copy_preset(organizer, "tianjin-municipal-1")
        data = copy.deepcopy(own.data)
        data["switches"]["proposed"] = True
        policies.save_policy(organizer, own, data)
        competition = db.session.get(Competition, final)
        competition.policy_preset = own.key
        honours.apply_policy(organizer, competition)
        db.session.commit()
        proposed = [o.id for o in derive.active_outcomes(competition) if o.status == OutcomeStatus.PROPOSED]
    client = client_for(app, "organizer")
    assert "data-proposed" in client.get(f"/admin/competitions/{final}/honours").get_data(as_text=True)
    assert client.post(f"/admin/outcomes/{proposed[0]}/confirm").status_code == 302
    empty = client.post(f"/admin/outcomes/{proposed[1]}/decline", data={"reason": ""}, follow_redirects=True)
    assert "Give the reason for declining the promotion." in empty.get_data(as_text=True)
    assert (
        client.post(f"/admin/outcomes/{proposed[1]}/decline", data={"reason": "不符合常规晋升条件"}).status_code == 302
    )
    twice = client.post(f"/admin/outcomes/{proposed[0]}/confirm", follow_redirects=True)
    assert "Only a proposed promotion can be confirmed." in twice.get_data(as_text=True)
    other = client_for(app, "other")
    assert other.post(f"/admin/outcomes/{proposed[2]}/confirm").status_code == 403
