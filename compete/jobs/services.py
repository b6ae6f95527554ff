"""Creating jobs and reading them back for the person who started them."""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from compete.columns import utcnow
from compete.extensions import db
from compete.jobs.models import SILENCE_LIMIT, Job, JobState

# What the owner reads of a job whose process went away (a restart, a killed worker) before its commit.
INTERRUPTED = _l("The job was interrupted (the server restarted). Nothing it was doing was saved: start it again.")


def create_job(owner, kind: str, params: dict, *, locale: str) -> Job:
    """A queued job; the caller commits, then hands it to `runner.start` so no worker sees it half-made."""
    job = Job(owner=owner, kind=kind, params=params, locale=locale, state=JobState.QUEUED)
    db.session.add(job)
    db.session.flush()
    return job


def job_of(user, job_id: int) -> Job | None:
    """The job if this user started it (an admin sees every job), else None."""
    job = db.session.get(Job, job_id)
    if job is None or (job.owner_id != user.id and not user.is_admin):
        return None
    return job


def mark_running(job: Job) -> None:
    job.state, job.updated_at = JobState.RUNNING, utcnow()


def mark_succeeded(job: Job, result: dict) -> None:
    job.state, job.result = JobState.SUCCEEDED, result
    job.updated_at = job.finished_at = utcnow()


def mark_failed(job: Job, message: str) -> None:
    job.state, job.error = JobState.FAILED, message
    job.updated_at = job.finished_at = utcnow()


def fail_interrupted_jobs() -> int:
    """Mark failed every running job silent for longer than any step takes: its process is gone (a restart,
    a killed worker) and its work, never committed, with it. Returns how many; the caller commits."""
    silent = db.session.scalars(
        select(Job).where(Job.state == JobState.RUNNING, Job.updated_at < utcnow() - SILENCE_LIMIT)
    ).all()
    for job in silent:
        with force_locale(job.locale):
            mark_failed(job, str(INTERRUPTED))
    return len(silent)
