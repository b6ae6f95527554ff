"""Selection rounds on screen: catalogue and rounds, recommendation, review scores, stages, approval, ownership."""

from datetime import date

import pytest
from sqlalchemy import select

from compete.accounts.models import User
from compete.extensions import db
from compete.honours import selection
from compete.honours.models import Candidate, CandidateStatus, RoundStage, SelectionRound, TitleHolding
from compete.people import services as people
from tests.factories import valid_id_number

YEAR = 2026


@pytest.fixture
def rounds(app, world):
    """The organizer's round of 宿迁市企业首席技师 (quota 1, at least 技师) with three people in the registry."""
    with app.test_request_context():
        organizer = db.session.scalar(select(User).where(User.username == "organizer"))
        chief = selection.add_title(
            organizer, name="宿迁市企业首席技师", level="municipal", awarding_body="宿迁市人社局"
        )
        selection.add_title(organizer, name="江苏省技术能手", level="provincial", awarding_body="江苏省人社厅")
        own = selection.create_round(
            organizer, title=chief, year=YEAR, quota=1, eligibility=[{"kind": "min_grade", "grade": "g2"}]
        )
        added = {}
        for name, body, grade in (
            ("王秀英", "32131119880512002", "g1"),
            ("郑浩", "32132419891111003", "g2"),
            ("李强", "32132219950821003", "g4"),
        ):
            added[name] = people.add_person(organizer, name=name, id_number=valid_id_number(body), grade=grade).id
        db.session.commit()
        return {"round": own.id, "people": added, "title": chief.id}


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def stage_of(app, round_id):
    with app.app_context():
        return db.session.get(SelectionRound, round_id).stage


def test_the_pages_render_in_chinese_and_in_english(as_role, rounds):
    english = as_role("organizer", "en")
    listing = page(english, "/admin/selection")
    assert "Selection rounds" in listing and "Title catalogue" in listing and "宿迁市企业首席技师" in listing
    detail = page(english, f"/admin/selection/{rounds['round']}")
    assert "Unit recommendation" in detail and "holds Technician or higher" in detail and "No candidates yet." in detail
    chinese = as_role("organizer", "zh_CN")
    listing = page(chinese, "/admin/selection")
    assert 'lang="zh-CN"' in listing and "宿迁市企业首席技师" in listing
    detail = page(chinese, f"/admin/selection/{rounds['round']}?q=王秀英")
    assert 'lang="zh-CN"' in detail and "技师" in detail and "王秀英" in detail


def test_titles_are_added_to_the_catalogue_and_a_duplicate_is_refused(as_role, rounds):
    client = as_role("organizer")
    added = client.post(
        "/admin/selection/titles",
        data={"name": "全国技术能手", "level": "national", "awarding_body": "人力资源和社会保障部"},
    )
    assert added.status_code == 302
    again = client.post(
        "/admin/selection/titles",
        data={"name": "全国技术能手", "level": "national", "awarding_body": "人力资源和社会保障部"},
    )
    assert again.status_code == 200 and "already in the catalogue" in again.get_data(as_text=True)
    empty = client.post("/admin/selection/titles", data={"name": " ", "level": "national", "awarding_body": ""})
    text = empty.get_data(as_text=True)
    assert empty.status_code == 200 and "Enter the title's name." in text and "Enter the awarding body." in text
    bad_level = client.post("/admin/selection/titles", data={"name": "X", "level": "galactic", "awarding_body": "Y"})
    assert bad_level.status_code == 200


def test_a_round_is_created_with_its_requirements_and_bad_input_is_refused(app, as_role, rounds):
    client = as_role("organizer")
    with app.app_context():
        national = selection.add_title(None, name="全国技术能手", level="national", awarding_body="人社部")
        db.session.commit()
        national_id = national.id
    created = client.post(
        "/admin/selection/rounds",
        data={
            "title_id": national_id,
            "year": YEAR,
            "quota": 10,
            "region_id": 0,
            "min_grade": "g3",
            "holds_titles": ["江苏省技术能手"],
        },
    )
    assert created.status_code == 302
    with app.app_context():
        made = db.session.scalar(select(SelectionRound).where(SelectionRound.title_id == national_id))
        assert made.eligibility == [
            {"kind": "min_grade", "grade": "g3"},
            {"kind": "holds_title", "title": "江苏省技术能手"},
        ]
    assert created.headers["Location"].endswith(f"/admin/selection/{made.id}")
    for data, message in [
        ({"title_id": national_id, "year": YEAR, "quota": 0}, "The quota is a whole number above 0."),
        ({"title_id": national_id, "year": YEAR, "quota": 5}, "exists already"),
        ({"title_id": 0, "year": YEAR, "quota": 5}, "Choose a title from the catalogue."),
        ({"title_id": national_id, "year": "abc", "quota": 5}, "year"),
    ]:
        refused = client.post("/admin/selection/rounds", data={"region_id": 0, **data})
        assert refused.status_code == 200 and message in refused.get_data(as_text=True), message


def test_a_person_is_found_and_recommended_and_an_ineligible_one_is_refused(app, as_role, rounds):
    client = as_role("organizer")
    url = f"/admin/selection/{rounds['round']}"
    found = page(client, f"{url}?q=李强")
    assert "李强" in found and "Holds Intermediate worker; the round needs Technician or higher." in found
    by_id = page(client, f"{url}?q={valid_id_number('32131119880512002')}")
    assert "王秀英" in by_id
    done = client.post(f"{url}/recommend", data={"person_id": rounds["people"]["王秀英"], "unit_id": 0, "note": "标兵"})
    assert done.status_code == 302
    refused = client.post(f"{url}/recommend", data={"person_id": rounds["people"]["李强"], "unit_id": 0})
    assert refused.status_code == 200 and "李强 is not eligible" in refused.get_data(as_text=True)
    twice = client.post(f"{url}/recommend", data={"person_id": rounds["people"]["王秀英"], "unit_id": 0})
    assert "王秀英 is already a candidate in this round." in twice.get_data(as_text=True)
    nobody = client.post(f"{url}/recommend", data={"unit_id": 0})
    assert nobody.status_code == 200 and "Choose the person to recommend" in nobody.get_data(as_text=True)
    assert client.post(f"{url}/recommend", data={"person_id": 999999, "unit_id": 0}).status_code == 404
    with app.app_context():
        candidates = db.session.scalars(select(Candidate)).all()
        assert [(c.person.name, c.note) for c in candidates] == [("王秀英", "标兵")]
    assert "王秀英" in page(client, url)


def _recommend_both(client, rounds):
    url = f"/admin/selection/{rounds['round']}"
    for name in ("王秀英", "郑浩"):
        assert (
            client.post(f"{url}/recommend", data={"person_id": rounds["people"][name], "unit_id": 0}).status_code == 302
        )
    return url


def _ids(app, *usernames):
    with app.app_context():
        return [db.session.scalar(select(User.id).where(User.username == name)) for name in usernames]


def test_the_stages_scores_and_approval_run_through_the_screens(app, as_role, rounds):
    client = as_role("organizer")
    url = _recommend_both(client, rounds)
    assert client.post(f"{url}/advance", data={"to": "review"}).status_code == 302
    assert stage_of(app, rounds["round"]) == RoundStage.REVIEW
    with app.app_context():
        first, second = (c.id for c in db.session.scalar(select(SelectionRound)).candidates)
    reviewers = _ids(app, "chief_judge", "judge", "supervisor")
    for bad, message in [("abc", "Enter a number such as 12.5."), ("101", "between 0 and 100"), ("", "Enter a number")]:
        refused = client.post(f"{url}/scores", data={"candidate_id": first, "reviewer_id": reviewers[0], "score": bad})
        assert refused.status_code == 200 and message in refused.get_data(as_text=True), bad
    for candidate, scores in ((first, ("92", "93.5", "91")), (second, ("85", "86"))):
        for reviewer, score in zip(reviewers, scores, strict=False):
            posted = client.post(
                f"{url}/scores", data={"candidate_id": candidate, "reviewer_id": reviewer, "score": score}
            )
            assert posted.status_code == 302
    short = client.post(f"{url}/advance", data={"to": "publicity"}, follow_redirects=True)
    assert "Each candidate needs 3 reviewer scores before publicity; still short: 郑浩." in short.get_data(as_text=True)
    assert stage_of(app, rounds["round"]) == RoundStage.REVIEW
    client.post(f"{url}/scores", data={"candidate_id": second, "reviewer_id": reviewers[2], "score": "84.25"})
    assert "92.17" in page(client, url)  # (92 + 93.5 + 91) / 3
    for stage in ("publicity", "approval"):
        assert client.post(f"{url}/advance", data={"to": stage}).status_code == 302
    stale = client.post(f"{url}/advance", data={"to": "approval"}, follow_redirects=True)
    assert "moved on meanwhile" in stale.get_data(as_text=True)
    approval = page(client, url)
    assert 'name="candidate_ids"' in approval and "at most 1" in approval
    over = client.post(f"{url}/approve", data={"candidate_ids": [first, second], "awarded_on": f"{YEAR}-12-20"})
    assert over.status_code == 200
    assert "Quota exceeded: the quota is 1 and 2 candidates are ticked." in over.get_data(as_text=True)
    undated = client.post(f"{url}/approve", data={"candidate_ids": [first]})
    assert undated.status_code == 200 and "Enter the date of the award decision." in undated.get_data(as_text=True)
    assert stage_of(app, rounds["round"]) == RoundStage.APPROVAL
    approved = client.post(f"{url}/approve", data={"candidate_ids": [first], "awarded_on": f"{YEAR}-12-20"})
    assert approved.status_code == 302
    with app.app_context():
        holding = db.session.scalar(select(TitleHolding))
        assert (holding.title, holding.awarded_on, holding.round_id) == (
            "宿迁市企业首席技师",
            date(YEAR, 12, 20),
            rounds["round"],
        )
        assert db.session.get(Candidate, second).status == CandidateStatus.NOT_AWARDED
        assert db.session.get(SelectionRound, rounds["round"]).stage == RoundStage.CLOSED
    closed = page(client, url)
    assert "Awarded" in closed and "Not awarded" in closed and "Already holds the title" not in closed


def test_a_score_before_the_review_stage_is_refused_with_a_message(app, as_role, rounds):
    client = as_role("organizer")
    url = _recommend_both(client, rounds)
    with app.app_context():
        candidate = db.session.scalar(select(Candidate.id))
    reviewer = _ids(app, "judge")[0]
    refused = client.post(f"{url}/scores", data={"candidate_id": candidate, "reviewer_id": reviewer, "score": "90"})
    assert refused.status_code == 200 and "only at the expert review stage" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Candidate, candidate).scores == []


def test_another_organizer_is_refused_and_the_admin_sees_every_round(app, as_role, rounds):
    url = f"/admin/selection/{rounds['round']}"
    other = as_role("other_organizer")
    assert "宿迁市企业首席技师" not in page(other, "/admin/selection").split("data-rounds")[1].split("</table>")[0]
    assert other.get(url).status_code == 403
    for action in ("recommend", "scores", "advance", "approve"):
        assert other.post(f"{url}/{action}", data={"to": "review"}).status_code == 403, action
    assert stage_of(app, rounds["round"]) == RoundStage.RECOMMENDATION
    assert as_role("other_organizer").get("/admin/selection/999999").status_code == 404
    admin = as_role("admin")
    assert "宿迁市企业首席技师" in page(admin, "/admin/selection") and page(admin, url)
    assert as_role("judge").get("/admin/selection").status_code == 403
