"""Background jobs: one transaction for the work, progress on the side, translated failures, three runners."""

import os
import threading
import uuid
from datetime import timedelta

import pytest
from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from compete.columns import utcnow
from compete.errors import InvalidInput
from compete.extensions import db
from compete.jobs import runner
from compete.jobs import services as jobs
from compete.jobs.models import Job, JobState
from compete.people.models import Region
from tests.factories import make_user


def seen_progress(job_id: int) -> tuple:
    """The job's progress as another request would read it: a context, a session and a connection of its own."""
    with current_app.app_context():
        job = db.session.get(Job, job_id)
        return job.phase, job.done, job.total


@runner.handler("test.count-regions")
def count_regions(job, progress):
    names = job.params["names"]
    for done, name in enumerate(names):
        progress("checking", done, len(names), force=True)
        db.session.add(Region(code=f"{done + 11}0000", name=name, level="province"))
    db.session.flush()
    return {"added": len(names)}


@runner.handler("test.refuse")
def refuse(job, progress):
    db.session.add(Region(code="320000", name="半途", level="province"))
    db.session.flush()
    raise InvalidInput(gettext("That upload has already been imported or has expired: upload the file again."))


@runner.handler("test.crash")
def crash(job, progress):
    db.session.add(Region(code="330000", name="崩溃", level="province"))
    db.session.flush()
    raise RuntimeError("a bug")


@runner.handler("test.progress-seen")
def progress_seen(job, progress):
    progress("checking", 3, 10, force=True)
    return {"seen": list(seen_progress(job.id))}


def queued(kind: str, locale: str = "en", **params) -> int:
    owner = make_user(f"u{uuid.uuid4().hex[:8]}")
    job = jobs.create_job(owner, kind, params, locale=locale)
    db.session.commit()
    return job.id


@pytest.fixture
def runner_config(app):
    saved = {key: app.config[key] for key in ("JOBS_RUNNER", "JOBS_QUEUE", "REDIS_URL")}
    yield app.config
    app.config.update(saved)


def test_a_job_commits_its_work_and_result_together(app, ctx):
    job_id = queued("test.count-regions", names=["江苏省", "浙江省"])
    runner.start(db.session.get(Job, job_id))
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.state == JobState.SUCCEEDED and job.result == {"added": 2} and job.percent == 100
    assert job.finished_at is not None
    assert sorted(db.session.scalars(select(Region.name))) == ["江苏省", "浙江省"]


def test_progress_is_visible_to_others_while_the_job_runs(app, ctx):
    job_id = queued("test.progress-seen")
    runner.start(db.session.get(Job, job_id))
    db.session.expire_all()
    assert db.session.get(Job, job_id).result == {"seen": ["checking", 3, 10]}


def test_a_refused_job_keeps_nothing_and_says_why_in_its_owners_language(app, ctx):
    job_id = queued("test.refuse", locale="zh_CN")
    runner.start(db.session.get(Job, job_id))
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.state == JobState.FAILED and job.error == "该文件已导入或已过期，请重新上传。"
    assert db.session.scalar(select(Region.id)) is None


def test_a_crashing_job_keeps_nothing_and_logs_the_error(app, ctx, caplog):
    job_id = queued("test.crash", locale="en")
    runner.start(db.session.get(Job, job_id))
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.state == JobState.FAILED
    assert job.error == "The job stopped on an unexpected error; nothing it was doing was saved."
    assert db.session.scalar(select(Region.id)) is None
    assert "a bug" in caplog.text


def test_a_job_runs_once_even_when_started_twice(app, ctx):
    job_id = queued("test.count-regions", names=["江苏省"])
    runner.start(db.session.get(Job, job_id))
    runner.run_job(job_id)  # a second worker taking the same job finds it done
    assert db.session.scalars(select(Region.name)).all() == ["江苏省"]


def test_a_silent_running_job_counts_as_interrupted_and_a_waiting_one_does_not(app, ctx):
    job = db.session.get(Job, queued("test.count-regions", names=[]))
    job.updated_at = utcnow() - timedelta(minutes=11)
    assert not job.interrupted  # queued: on RQ it may wait its turn behind long batches
    jobs.mark_running(job)
    assert not job.interrupted
    job.updated_at = utcnow() - timedelta(minutes=11)
    assert job.interrupted and job.percent is None


def test_silent_running_jobs_are_failed_in_their_owners_language(app, ctx):
    silent, busy, waiting = (db.session.get(Job, queued("test.count-regions", locale="zh_CN", names=[])) for _ in "abc")
    for job in (silent, busy):
        jobs.mark_running(job)
    silent.updated_at = waiting.updated_at = utcnow() - timedelta(minutes=11)
    assert jobs.fail_interrupted_jobs() == 1
    assert silent.state == JobState.FAILED and silent.error.startswith("任务被中断")
    assert (busy.state, waiting.state) == (JobState.RUNNING, JobState.QUEUED)


def test_the_percent_follows_the_counted_steps(app, ctx):
    job = db.session.get(Job, queued("test.count-regions", names=[]))
    job.done, job.total = 250, 1000
    assert job.percent == 25
    job.done = None  # a step that cannot be counted
    assert job.percent is None


def test_only_the_owner_or_an_admin_sees_a_job(app, ctx):
    from compete.accounts.models import Role

    job = db.session.get(Job, queued("test.count-regions", names=[]))
    stranger, admin = make_user("stranger"), make_user("root", role=Role.ADMIN)
    assert jobs.job_of(job.owner, job.id) is job
    assert jobs.job_of(admin, job.id) is job
    assert jobs.job_of(stranger, job.id) is None
    assert jobs.job_of(job.owner, job.id + 1000) is None


def test_the_thread_runner_runs_the_job_beside_the_request(app, ctx, runner_config):
    runner_config["JOBS_RUNNER"] = "thread"
    job_id = queued("test.count-regions", names=["江苏省"])
    runner.start(db.session.get(Job, job_id))
    thread = next(t for t in threading.enumerate() if t.name == f"job-{job_id}")
    thread.join(timeout=30)
    db.session.expire_all()
    assert db.session.get(Job, job_id).state == JobState.SUCCEEDED


@pytest.mark.redis
def test_the_rq_runner_queues_the_job_for_a_worker(app, ctx, runner_config):
    from redis import Redis
    from rq import SimpleWorker

    runner_config.update(
        JOBS_RUNNER="rq",
        REDIS_URL=os.environ["COMPETE_TEST_REDIS_URL"],
        JOBS_QUEUE=f"compete-test-{uuid.uuid4().hex}",
    )
    job_id = queued("test.count-regions", names=["江苏省"])
    queue_only = getattr(runner.start, "__wrapped__", runner.start)  # not drained by the suite's RQ stage
    queue_only(db.session.get(Job, job_id))
    db.session.expire_all()
    assert db.session.get(Job, job_id).state == JobState.QUEUED  # nothing runs until a worker takes it
    connection = Redis.from_url(runner_config["REDIS_URL"])
    SimpleWorker([runner_config["JOBS_QUEUE"]], connection=connection).work(burst=True)
    db.session.expire_all()
    assert db.session.get(Job, job_id).state == JobState.SUCCEEDED
    assert db.session.scalars(select(Region.name)).all() == ["江苏省"]
