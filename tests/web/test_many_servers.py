"""Two app servers behind one balancer: a request may land on either, so neither may keep anything of its own."""

import io
import re

import pytest
from sqlalchemy import func, select

from compete import create_app
from compete.extensions import db
from compete.registration.models import Registration
from tests.conftest import TEST_DATABASE_URL
from tests.factories import PASSWORD, make_competition, make_event, make_user
from tests.services.test_importing import ZHANG, sheet


@pytest.fixture
def servers(tmp_path):
    """Server A and server B: one database, one secret key, one shared storage folder, CSRF on as in production."""
    shared_database = TEST_DATABASE_URL if TEST_DATABASE_URL != "sqlite://" else f"sqlite:///{tmp_path}/site.sqlite3"
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": shared_database,
        "SECRET_KEY": "the-same-on-every-server",
        "STORAGE_FOLDER": str(tmp_path / "shared-storage"),
        "JOBS_RUNNER": "inline",
        "RATELIMIT_ENABLED": False,
    }
    a, b = create_app(config), create_app(config)
    with a.app_context():
        db.create_all()
        organizer = make_user("organizer")
        event = make_event(organizer, make_competition(organizer))
        db.session.commit()
        event_id = event.id
    yield a.test_client(), b.test_client(), event_id
    for app in (a, b):
        with app.app_context():
            db.session.remove()
            if shared_database != TEST_DATABASE_URL:
                db.drop_all()
            db.engine.dispose()


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def moved(cookie_from, to):
    """What the browser does when the balancer sends its next request to another server: the same cookies."""
    to.set_cookie("session", cookie_from.get_cookie("session").value)
    return to


def test_a_session_and_its_csrf_token_from_one_server_hold_on_the_other(servers):
    server_a, server_b, event_id = servers
    login = server_a.get("/login?lang=en").text
    signed_in = server_a.post(
        "/login", data={"username": "organizer", "password": PASSWORD, "csrf_token": csrf_token(login)}
    )
    assert signed_in.status_code == 302
    form_on_a = server_a.get(f"/admin/events/{event_id}/import").text

    server_b = moved(server_a, server_b)
    assert server_b.get("/admin/").status_code == 200
    # A sheet checked on A waits in the shared folder, and B commits it with the form A rendered.
    checked = server_a.post(
        f"/admin/events/{event_id}/import",
        data={
            "file": (io.BytesIO(sheet(["张伟", ZHANG, "", "高级工", ""])), "报名表.xlsx"),
            "csrf_token": csrf_token(form_on_a),
        },
        content_type="multipart/form-data",
    )
    upload = re.search(r'name="token" type="hidden" value="([^"]+)"', checked.text).group(1)
    committed = server_b.post(
        f"/admin/events/{event_id}/import/commit", data={"token": upload, "csrf_token": csrf_token(checked.text)}
    )
    assert committed.status_code == 302
    with server_b.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_a_session_signed_with_another_key_is_refused(servers, tmp_path):
    server_a, _server_b, _event_id = servers
    login = server_a.get("/login").text
    server_a.post("/login", data={"username": "organizer", "password": PASSWORD, "csrf_token": csrf_token(login)})
    stranger = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/other.sqlite3",
            "SECRET_KEY": "another-site",
        }
    )
    client = moved(server_a, stranger.test_client())
    response = client.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
