"""Running jobs: the handler registry, the progress reporter and the three ways to run (thread, RQ, inline)."""

import logging
import threading
import time
from collections.abc import Callable

from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from compete.columns import utcnow
from compete.errors import CompeteError
from compete.extensions import db
from compete.jobs import services
from compete.jobs.models import Job, JobState

log = logging.getLogger(__name__)
RUNNERS = ("thread", "rq", "inline")
KILLED = _l(
    "The worker running this job stopped (it was killed or ran out of memory). "
    "Nothing it was doing was saved: start it again."
)
HANDLERS: dict[str, Callable[[Job, "Progress"], dict]] = {}


def handler(kind: str):
    """Register the function that does one kind of job: (job, progress) -> a JSON-able result."""

    def register(function):
        HANDLERS[kind] = function
        return function

    return register


class Progress:
    """Reports how far a job has come, on a connection of its own so that its own work stays uncommitted.

    SQLite allows one writer: a handler reports progress while it reads and builds, before its final flush.
    """

    def __init__(self, job_id: int, *, interval: float = 0.25):
        self.job_id = job_id
        self.interval = interval
        self._last = 0.0

    def __call__(self, phase: str, done: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval and done < total:
            return
        self._last = now
        with db.engine.begin() as connection:
            connection.execute(
                update(Job)
                .where(Job.id == self.job_id)
                .values(phase=phase, done=done, total=total, updated_at=utcnow())
            )


def start(job: Job) -> None:
    """Hand a committed job to the configured runner."""
    app = current_app._get_current_object()
    runner = app.config["JOBS_RUNNER"]
    if runner == "rq":
        _queue(app).enqueue(run_job, job.id, job_timeout=app.config["JOBS_TIMEOUT"])
    elif runner == "inline":
        _run_with_app(app, job.id)
    else:
        threading.Thread(target=_run_with_app, args=(app, job.id), name=f"job-{job.id}", daemon=True).start()


def run_job(job_id: int) -> None:
    """The entry point on an RQ worker, which runs inside the app context of `flask jobs worker`."""
    if not has_app_context():
        from compete import create_app

        _run_with_app(create_app(), job_id)
        return
    _run_with_app(current_app._get_current_object(), job_id)


def _queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(app.config["JOBS_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))


def _run_with_app(app: Flask, job_id: int) -> None:
    # A context of its own: its own session, never the one of the request that started the job.
    with app.app_context():
        try:
            _execute(job_id)
        finally:
            db.session.remove()


def _execute(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.state != JobState.QUEUED:
        return  # already taken by another worker, or gone
    services.mark_running(job)
    db.session.commit()
    with force_locale(job.locale):
        try:
            result = HANDLERS[job.kind](job, Progress(job.id))
        except CompeteError as error:
            _fail(job_id, str(error.message))
        except Exception:
            log.exception("job %s (%s) failed", job_id, job.kind)
            _fail(job_id, _("The job stopped on an unexpected error; nothing it was doing was saved."))
        else:
            services.mark_succeeded(job, result)
            db.session.commit()  # the handler's work and the job's result: one transaction


def _fail(job_id: int, message: str) -> None:
    db.session.rollback()
    services.mark_failed(db.session.get(Job, job_id), message)
    db.session.commit()


def worker_class():
    """RQ's worker, told what to do with our job's row when the process running it dies."""
    from rq import Worker

    class JobWorker(Worker):
        def main_work_horse(self, rq_job, queue):
            # The forked horse must not share the parent's database connections: it opens its own.
            db.engine.dispose(close=False)
            super().main_work_horse(rq_job, queue)

        def handle_work_horse_killed(self, rq_job, retpid, ret_val, rusage):
            # The work horse died (killed, out of memory) before its commit: nothing was written, so the
            # job is marked failed at once instead of waiting for the silence limit.
            super().handle_work_horse_killed(rq_job, retpid, ret_val, rusage)
            if rq_job.func_name == f"{__name__}.run_job" and rq_job.args:
                fail_killed(rq_job.args[0])

    return JobWorker


def fail_killed(job_id: int) -> None:
    """Mark a job failed whose process was killed; called from the worker that saw it die."""
    job = db.session.get(Job, job_id)
    if job is not None and not job.finished:
        with force_locale(job.locale):
            _fail(job_id, str(KILLED))
    db.session.remove()
