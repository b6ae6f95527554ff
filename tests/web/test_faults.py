"""The database unavailable: a 503 page or JSON error with Retry-After, nothing half-written; lost answers resent."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from compete import create_app
from compete.extensions import db
from compete.people.models import Unit
from compete.scoring.models import Mark, MarkVersion
from tests.web.test_scoring_api import tablet  # noqa: F401  (the fixture: a judge's tablet signed in by link)

# Nothing listens on port 1: the connection is refused at once, as when the database server is down.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/compete?connect_timeout=2"
DOWN_TITLE = "The database cannot be reached at the moment"
DOWN_HINT = "Nothing of this request was saved."


@pytest.fixture
def database_down():
    """The same application, its database server down; it shares the test app's secret, so sessions carry over."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": UNREACHABLE,
            "SECRET_KEY": "tests",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "JOBS_RUNNER": "inline",
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def count(app, model) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(model))
        finally:
            db.session.remove()


def fail_at_commit(monkeypatch, error: Exception) -> None:
    """The connection drops when the request commits, after its changes were flushed to the database."""

    def commit():
        db.session.flush()
        raise error

    monkeypatch.setattr(db.session, "commit", commit)


CONNECTION_LOST = OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))


def test_a_page_says_the_database_cannot_be_reached(database_down):
    client = database_down.test_client()
    client.post("/language", data={"locale": "en"})  # kept in the browser session: no database needed
    page = client.get("/")
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert DOWN_TITLE in page.text and DOWN_HINT in page.text
    assert page.headers["Retry-After"] == "30"


def test_a_signed_in_form_post_gets_the_page_and_not_a_500(app, database_down, as_role, world):
    organizer = as_role("organizer")
    down = database_down.test_client()
    down.set_cookie("session", organizer.get_cookie("session").value)
    page = down.post("/admin/units", data={"name": "宿迁钢铁厂", "kind": "employer", "region_id": "0"})
    assert page.status_code == 503 and DOWN_HINT in page.text
    assert count(app, Unit) == 0


def test_an_api_call_gets_a_json_error_with_retry_after(app, database_down, tablet):  # noqa: F811
    client, info = tablet
    down = database_down.test_client()
    down.set_cookie("session", client.get_cookie("session").value)
    url = f"/api/v1/stations/{info['station']}/marks/{info['criteria']['A1']}"
    answer = down.put(url, json={"value": "42.5", "base_version": 0, "key": "k1"})
    assert answer.status_code == 503 and answer.is_json and answer.headers["Retry-After"] == "30"
    assert answer.json["field"] is None and "database" in answer.json["error"]
    assert count(app, MarkVersion) == 0


def test_a_form_post_whose_commit_fails_writes_nothing(app, as_role, world, monkeypatch):
    organizer = as_role("organizer")
    fail_at_commit(monkeypatch, CONNECTION_LOST)
    page = organizer.post("/admin/units", data={"name": "宿迁钢铁厂", "kind": "employer", "region_id": "0"})
    monkeypatch.undo()  # the database is back
    assert page.status_code == 503 and DOWN_TITLE in page.text
    assert count(app, Unit) == 0


@pytest.mark.parametrize(
    "error", [CONNECTION_LOST, PoolTimeoutError("QueuePool limit of size 5 overflow 10 reached")], ids=str
)
def test_a_mark_whose_commit_fails_is_stored_once_when_sent_again(app, tablet, monkeypatch, error):  # noqa: F811
    client, info = tablet
    url = f"/api/v1/stations/{info['station']}/marks/{info['criteria']['A1']}"
    change = {"value": "42.5", "base_version": 0, "key": "tablet-change-1"}
    fail_at_commit(monkeypatch, error)
    refused = client.put(url, json=change)
    monkeypatch.undo()
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert "database" in refused.json["error"]
    assert count(app, MarkVersion) == 0 and count(app, Mark) == 0  # nothing half-written

    stored = client.put(url, json=change)  # the tablet's retry, with the same key
    lost_answer_resent = client.put(url, json=change)  # stored, but the answer never reached the tablet
    assert stored.status_code == 200 and stored.json["version"] == 1 and stored.json["replayed"] is False
    assert lost_answer_resent.status_code == 200 and lost_answer_resent.json["replayed"] is True
    assert lost_answer_resent.json["version"] == 1
    assert count(app, MarkVersion) == 1 and count(app, Mark) == 1
