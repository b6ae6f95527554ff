"""Fixtures: one app per session on SQLite (or COMPETE_TEST_DATABASE_URL), a clean database per test."""

import os
import uuid

import pytest

from compete import create_app
from compete.extensions import db

TEST_DATABASE_URL = os.environ.get("COMPETE_TEST_DATABASE_URL", "sqlite://")
# "rq": every job a test starts goes through Redis and is run by an RQ worker (make test's Redis stage).
TEST_JOBS_RUNNER = os.environ.get("COMPETE_TEST_JOBS_RUNNER", "inline")


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
            "JOBS_RUNNER": TEST_JOBS_RUNNER,
            "REDIS_URL": os.environ.get("COMPETE_TEST_REDIS_URL") if TEST_JOBS_RUNNER == "rq" else None,
            "JOBS_QUEUE": f"compete-test-{uuid.uuid4().hex}",
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


@pytest.fixture(scope="session", autouse=True)
def _jobs_drained_by_an_rq_worker():
    """On the RQ runner, a job is queued in Redis, then an RQ worker in this process runs the queue dry, so the
    request that started it finds it finished as with the inline runner, having gone through Redis and RQ."""
    if TEST_JOBS_RUNNER != "rq":
        yield
        return
    from flask import current_app
    from redis import Redis
    from rq import SimpleWorker

    from compete.jobs import runner

    queue_and_start = runner.start

    def start(job):
        queue_and_start(job)
        config = current_app.config
        if config["JOBS_RUNNER"] == "rq":
            SimpleWorker([config["JOBS_QUEUE"]], connection=Redis.from_url(config["REDIS_URL"])).work(burst=True)

    start.__wrapped__ = queue_and_start
    runner.start = start
    yield
    runner.start = queue_and_start


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
