"""Fixtures: one app per session on SQLite (or COMPETE_TEST_DATABASE_URL), a clean database per test."""

import os

import pytest

from compete import create_app
from compete.extensions import db

TEST_DATABASE_URL = os.environ.get("COMPETE_TEST_DATABASE_URL", "sqlite://")


@pytest.fixture(scope="session")
def app():
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
            "SECRET_KEY": "tests",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            # Jobs run to their end before the request that started them returns; tests of the thread
            # and RQ runners switch this themselves.
            "JOBS_RUNNER": "inline",
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Every test starts from empty tables; browser tests bring their own server and database."""
    if "browser" in request.node.nodeid.split("::")[0].split("/"):
        yield
        return
    app = request.getfixturevalue("app")
    yield
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


@pytest.fixture
def ctx(app):
    """A request context, as services run inside one (translations, the current locale)."""
    with app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()
