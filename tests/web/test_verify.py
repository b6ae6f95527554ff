"""The public verification page: by the QR code's token, or by number with the holder's name; nothing else leaks."""

import pytest
from flask_babel import force_locale, format_date, to_user_timezone
from sqlalchemy import select

from compete.accounts.models import User
from compete.certificates import services as certificates
from compete.certificates.models import Certificate
from compete.extensions import db
from compete.honours import services as honours
from compete.results import finalization
from tests.certificate_world import LIU, ZHANG, final, person
from tests.factories import make_user

HTML_NAME = "<script>alert('x')</script>张伟"


@pytest.fixture
def issued(app):
    """The small example under tianjin-municipal-1, final, its certificates issued and committed: number → token."""
    with app.test_request_context(), force_locale("en"):
        organizer = make_user("organizer")
        competition = final(organizer)
        issued = certificates.issue_certificates(organizer, competition)
        db.session.commit()
        return {
            "competition_id": competition.id,
            "gold": issued[0].id,
            "silver": issued[1].id,
            "tokens": {c.number: c.token for c in issued},
            "numbers": [c.number for c in issued],
        }


def english(app):
    client = app.test_client()
    client.post("/language", data={"locale": "en"})
    return client


def get(app, certificate_id) -> Certificate:
    return db.session.get(Certificate, certificate_id)


def organizer_of(app):
    return db.session.scalar(select(User).where(User.username == "organizer"))


def test_a_valid_certificate_shows_what_by_whom_and_when_with_a_masked_id(app, issued):
    with app.app_context():
        gold = get(app, issued["gold"])
        number, token = gold.number, gold.token
    response = english(app).get(f"/verify/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-status="valid"' in page and "This certificate was issued as shown below and is valid." in page
    assert f"data-certificate-number>{number}<" in page
    assert "data-holder>张伟<" in page
    assert "3213**********0019" in page and ZHANG not in page  # never the whole ID number
    assert "Award certificate" in page and "Gold 1st" in page
    assert "2026年宿迁市职业技能大赛 · 焊工(职工组)" in page
    assert "宿迁市人力资源和社会保障局" in page and "October 15, 2026" in page
    assert "Revoked on" not in page and "Superseded" not in page


def test_a_revoked_certificate_shows_the_date_and_the_reason(app, issued):
    with app.test_request_context(), force_locale("en"):
        silver = get(app, issued["silver"])
        certificates.revoke(organizer_of(app), silver, "Marks falsified by the competitor")
        db.session.commit()
        token, revoked_on = silver.token, format_date(to_user_timezone(silver.revoked_at).date(), "long")
    page = english(app).get(f"/verify/{token}").get_data(as_text=True)
    assert 'data-status="revoked"' in page
    assert f"Revoked on {revoked_on}. Reason: Marks falsified by the competitor" in page
    assert "is valid" not in page
    assert "刘洋" in page and LIU not in page


def test_a_superseded_certificate_links_to_the_one_that_replaced_it(app, issued):
    with app.test_request_context(), force_locale("en"):
        gold = get(app, issued["gold"])
        person(ZHANG).name = "张玮"
        new = certificates.reissue(organizer_of(app), gold, "Name misspelt")
        db.session.commit()
        old_token, old_number, new_token, new_number = gold.token, gold.number, new.token, new.number
    client = english(app)
    old_page = client.get(f"/verify/{old_token}").get_data(as_text=True)
    assert 'data-status="superseded"' in old_page
    assert f'<a href="/verify/{new_token}" class="font-monospace" data-superseded-by>{new_number}</a>' in old_page
    assert "Reason: Name misspelt" in old_page
    assert "data-holder>张伟<" in old_page  # as it was printed
    new_page = client.get(f"/verify/{new_token}").get_data(as_text=True)
    assert 'data-status="valid"' in new_page and "data-holder>张玮<" in new_page
    assert "Replaces" in new_page and old_number in new_page


def test_after_reopening_the_revoked_certificate_names_its_replacement(app, issued):
    with app.test_request_context(), force_locale("en"):
        organizer = organizer_of(app)
        competition = get(app, issued["gold"]).issuer.competition
        finalization.reopen(organizer, competition, "appeal upheld")
        finalization.finalize(organizer, competition)
        honours.apply_policy(organizer, competition)
        honours.confirm_all(organizer, competition)
        new = certificates.issue_certificates(organizer, competition)[0]
        db.session.commit()
        new_token, new_number = new.token, new.number
    old_number = issued["numbers"][0]
    page = english(app).get(f"/verify/{issued['tokens'][old_number]}").get_data(as_text=True)
    assert 'data-status="revoked"' in page and "Reason: The results were reopened: appeal upheld" in page
    assert f'Issued anew as <a href="/verify/{new_token}" class="font-monospace">{new_number}</a>' in page


@pytest.mark.parametrize(
    "token",
    [
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "x" * 65,
        "x" * 5000,
        "证书编号",
        "' OR '1'='1",
        "%00",
        "%F0%9F%98%80",
        "a%20b",
    ],
)
def test_an_unknown_or_odd_token_is_a_clear_404_not_an_error(app, issued, token):
    response = english(app).get(f"/verify/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "No certificate has this verification code." in page and "data-not-found" in page
    assert "张伟" not in page and "data-certificate " not in page


def test_a_token_with_slashes_is_an_ordinary_404(app, issued):
    response = english(app).get("/verify/..%2F..%2Fetc%2Fpasswd")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_a_token_missing_one_character_finds_nothing(app, issued):
    token = issued["tokens"][issued["numbers"][0]]
    client = english(app)
    assert client.get(f"/verify/{token}").status_code == 200
    assert client.get(f"/verify/{token[:-1]}").status_code == 404
    assert client.get(f"/verify/{token.upper() if token.upper() != token else token.lower()}").status_code == 404


def test_search_needs_the_number_and_the_holders_name(app, issued):
    number = issued["numbers"][0]
    client = english(app)
    found = client.get("/verify", query_string={"number": f" {number} ", "name": " 张伟 "})
    page = found.get_data(as_text=True)
    assert found.status_code == 200 and 'data-status="valid"' in page and "data-holder>张伟<" in page
    for query in (
        {"number": number},
        {"name": "张伟"},
        {"number": number, "name": "刘洋"},
        {"number": number, "name": "张"},
    ):
        response = client.get("/verify", query_string=query)
        page = response.get_data(as_text=True)
        assert response.status_code == 404, query
        assert "No certificate has this number and name." in page
        assert "data-certificate " not in page and "3213**" not in page and "Gold" not in page
    # Another person's number with my name shows nothing of theirs.
    response = client.get("/verify", query_string={"number": issued["numbers"][1], "name": "张伟"})
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "刘洋" not in page and "Silver" not in page


def test_the_empty_search_form_is_a_plain_page(app, issued):
    response = english(app).get("/verify")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Search by certificate number" in page
    assert "data-not-found" not in page and "data-certificate " not in page


@pytest.mark.parametrize("number", ["2026C1-HJ" + "0" * 100, "不存在", "' OR 1=1 --"])
def test_an_odd_number_finds_nothing(app, issued, number):
    response = english(app).get("/verify", query_string={"number": number, "name": "张伟"})
    assert response.status_code == 404
    assert "No certificate has this number and name." in response.get_data(as_text=True)


def test_html_in_a_name_is_shown_as_text(app):
    with app.test_request_context(), force_locale("en"):
        organizer = make_user("organizer")
        competition = final(organizer, names={ZHANG: HTML_NAME})
        gold = certificates.issue_certificates(organizer, competition)[0]
        db.session.commit()
        token, number = gold.token, gold.number
    client = english(app)
    page = client.get(f"/verify/{token}").get_data(as_text=True)
    assert "data-holder>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;张伟<" in page
    assert "<script>alert('x')" not in page
    searched = client.get("/verify", query_string={"number": number, "name": HTML_NAME})
    assert searched.status_code == 200
    assert "<script>alert('x')" not in searched.get_data(as_text=True)
    refused = client.get("/verify", query_string={"number": number, "name": "<b>bold</b>"})
    assert refused.status_code == 404 and "<b>bold</b>" not in refused.get_data(as_text=True)


def test_the_page_reads_in_chinese_by_default(app, issued):
    token = issued["tokens"][issued["numbers"][0]]
    page = app.test_client().get(f"/verify/{token}").get_data(as_text=True)
    assert "张伟" in page and "二〇二六" not in page  # a web page date, not the certificate's
    assert "金牌" in page and "2026年10月15日" in page
