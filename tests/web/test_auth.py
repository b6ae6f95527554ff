"""Signing in and out, sessions, CSRF, rate limits, language."""

from datetime import timedelta

import pytest
from flask_babel import gettext

from compete import create_app
from compete.extensions import db, limiter
from tests.factories import PASSWORD, make_user, sign_in


@pytest.fixture
def organizer(app):
    with app.test_request_context():
        make_user()
        db.session.commit()


@pytest.mark.usefixtures("organizer")
def test_sign_in_lands_on_the_role_home_and_expires_in_eight_hours(app, client):
    response = sign_in(client, "organizer")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert app.permanent_session_lifetime == timedelta(hours=8)
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is not None
    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("organizer")
def test_a_wrong_password_keeps_the_user_on_the_form_with_a_message(app, client):
    response = sign_in(client, "organizer", "wrong-password1")
    assert response.status_code == 200
    with app.test_request_context():
        assert gettext("The username or password is wrong.") in response.text
    assert 'value="organizer"' in response.text
    assert client.get("/admin/").status_code == 302


@pytest.mark.usefixtures("organizer")
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_next_never_leaves_the_site(client, target):
    response = client.post(f"/login?next={target}", data={"username": "organizer", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/"


@pytest.mark.usefixtures("organizer")
def test_next_within_the_site_is_followed(client):
    response = client.post("/login?next=/admin/people", data={"username": "organizer", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/people"


@pytest.mark.usefixtures("organizer")
def test_sign_out_is_a_post_and_ends_the_session(client):
    sign_in(client, "organizer")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


@pytest.mark.usefixtures("organizer")
def test_forms_without_a_csrf_token_are_refused(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"username": "organizer", "password": PASSWORD})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_sign_in_attempts_are_rate_limited(tmp_path):
    limited = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/limit.sqlite3",
            "SECRET_KEY": "t",
            "WTF_CSRF_ENABLED": False,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "RATELIMIT_ENABLED": True,
        }
    )
    try:
        with limited.app_context():
            db.create_all()
            client = limited.test_client()
            statuses = [sign_in(client, "nobody", "wrong-password1").status_code for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            assert client.get("/login").status_code == 200  # reading the form is never limited
            db.session.remove()
            db.engine.dispose()
    finally:
        # Flask-Limiter keeps its switch on the shared extension object: give the other tests theirs back.
        limiter.reset()
        limiter.enabled = False


def test_the_interface_is_chinese_by_default_and_switches_to_english(app, client):
    page = client.get("/").text
    assert '<html lang="zh-CN">' in page
    with app.test_request_context():
        assert gettext("Skills Competitions") in page
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.get("/").text
    assert '<html lang="en">' in page
    assert "Skills Competitions" in page


@pytest.mark.usefixtures("organizer")
def test_a_signed_in_user_keeps_the_language_across_sessions(app):
    first = app.test_client()
    sign_in(first, "organizer")
    first.post("/language", data={"locale": "en"})
    second = app.test_client()
    sign_in(second, "organizer")
    assert '<html lang="en">' in second.get("/admin/").text


def test_an_unknown_language_changes_nothing(client):
    response = client.post("/language", data={"locale": "xx", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="zh-CN">' in client.get("/").text


def test_the_chinese_catalogue_is_really_loaded(app, client):
    """Babel reads zh_CN as zh_Hans_CN: the catalogue must still be found, or the UI falls back to English."""
    with app.test_request_context():
        chinese = gettext("Sign in")
    assert chinese != "Sign in"
    assert all("\u4e00" <= character <= "\u9fff" for character in chinese)
    assert chinese in client.get("/login").text
