"""Following a background job: its progress page, its progress as JSON, and the screen it leads to."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, jsonify, redirect, render_template
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from compete.jobs import services as jobs
from compete.jobs.models import Job, JobState
from compete.labels import JOB_KINDS, JOB_PHASES, label
from compete.web.admin import bp


@dataclass(frozen=True)
class JobScreens:
    """Where a finished job of one kind leads: its result screen, and back to where it was started."""

    done_url: Callable[[Job], str]
    back_url: Callable[[Job], str]
    done_message: Callable[[Job], str | None] = lambda job: None


SCREENS: dict[str, JobScreens] = {}


def job_screens(kind: str, screens: JobScreens) -> None:
    SCREENS[kind] = screens


def _job_or_404(job_id: int) -> Job:
    job = jobs.job_of(current_user, job_id)
    if job is None or job.kind not in SCREENS:
        abort(404)
    return job


def progress_of(job: Job) -> dict:
    """The job's state as the progress page and its polling script show it."""
    failed = job.state == JobState.FAILED or job.interrupted
    error = str(jobs.INTERRUPTED) if job.interrupted else job.error
    return {
        "state": "failed" if failed else job.state.value,
        "finished": job.finished or job.interrupted,
        "percent": job.percent,
        "phase": label(JOB_PHASES, job.phase) if job.phase else _("Waiting to start"),
        "done": job.done,
        "total": job.total,
        "count": _count_text(job),
        "error": error if failed else None,
    }


def _count_text(job: Job) -> str:
    if not job.total:
        return ""
    if job.done is None:
        return _("%(total)s rows", total=format_decimal(job.total))
    return f"{format_decimal(job.done)} / {format_decimal(job.total)}"


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    job = _job_or_404(job_id)
    screens = SCREENS[job.kind]
    if job.state == JobState.SUCCEEDED:
        message = screens.done_message(job)
        if message:
            flash(message, "success")
        return redirect(screens.done_url(job))
    return render_template(
        "admin/job.html",
        job=job,
        title=label(JOB_KINDS, job.kind),
        progress=progress_of(job),
        back=screens.back_url(job),
    )


@bp.get("/jobs/<int:job_id>/progress")
def job_progress(job_id: int):
    return jsonify(progress_of(_job_or_404(job_id)))
