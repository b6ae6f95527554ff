"""RQ workers as production runs them: `flask --app wsgi worker` in processes of their own, killed mid-job."""

import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from compete import create_app
from compete.extensions import db
from compete.jobs import runner
from compete.jobs import services as jobs
from compete.jobs.models import Job, JobState
from compete.registration import importing
from compete.registration import jobs as registration_jobs
from compete.registration.models import Registration
from tests.factories import make_competition, make_event, make_user
from tests.registration_sheets import build_sheet, many_rows

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]
KILLED = "The worker running this job stopped (it was killed or ran out of memory)."


@pytest.fixture
def redis_url():
    return os.environ["COMPETE_TEST_REDIS_URL"]


@pytest.fixture
def installation(tmp_path, redis_url):
    """An app on a database file, uploads and a queue of its own, as the app servers and workers share them."""
    settings = {
        "COMPETE_DATABASE_URL": f"sqlite:///{tmp_path / 'compete.sqlite3'}",
        "COMPETE_REDIS_URL": redis_url,
        "COMPETE_JOBS_QUEUE": f"compete-test-{uuid.uuid4().hex}",
        "COMPETE_STORAGE_FOLDER": str(tmp_path / "storage"),
        "COMPETE_SECRET_KEY": "tests",
    }
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": settings["COMPETE_DATABASE_URL"],
            "REDIS_URL": redis_url,
            "JOBS_RUNNER": "rq",
            "JOBS_QUEUE": settings["COMPETE_JOBS_QUEUE"],
            "STORAGE_FOLDER": settings["COMPETE_STORAGE_FOLDER"],
            "SECRET_KEY": "tests",
        }
    )
    with app.app_context():
        db.create_all()
    with app.test_request_context():
        yield app, {**os.environ, **settings}
        db.session.remove()
        db.engine.dispose()


def queue(job: Job) -> None:
    """Only into Redis: the suite's RQ stage otherwise runs queued jobs in this process at once."""
    getattr(runner.start, "__wrapped__", runner.start)(job)


def queued_import(rows: int) -> int:
    """An import job of a sheet with this many valid rows, handed to RQ; nothing runs until a worker takes it."""
    organizer = make_user()
    event = make_event(organizer, make_competition(organizer))
    token = secrets.token_urlsafe(24)
    importing.upload_path(event, token).write_bytes(build_sheet(many_rows(rows)))
    job = jobs.create_job(organizer, registration_jobs.IMPORT, {"event_id": event.id, "token": token}, locale="en")
    db.session.commit()
    queue(job)
    return job.id


def start_worker(environment: dict, *, burst: bool) -> subprocess.Popen:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", *(["--burst"] if burst else [])]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish(worker: subprocess.Popen, timeout: int = 300) -> str:
    output, _ = worker.communicate(timeout=timeout)
    worker.stdout.close()
    return output.decode()


def job_state(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def registrations() -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


def work_horse(worker: subprocess.Popen) -> int | None:
    """The process RQ forked to run the current job, if there is one."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    return int(children[0]) if children else None


def test_a_worker_process_runs_the_queued_job(installation):
    _app, environment = installation
    job_id = queued_import(20)
    assert job_state(job_id).state == JobState.QUEUED
    worker = start_worker(environment, burst=True)
    output = finish(worker)
    assert worker.returncode == 0, output
    job = job_state(job_id)
    assert job.state == JobState.SUCCEEDED, job.error
    assert job.result == {"imported": 20, "left_out": 0}
    assert registrations() == 20


def test_a_job_whose_worker_is_killed_fails_with_nothing_written_and_runs_again(installation):
    _app, environment = installation
    job_id = queued_import(4000)
    worker = start_worker(environment, burst=False)
    try:
        deadline = time.monotonic() + 120
        while (job := job_state(job_id)).state != JobState.RUNNING or job.phase is None:
            assert time.monotonic() < deadline and worker.poll() is None, (job.state, job.phase, job.error)
            time.sleep(0.02)
        horse = work_horse(worker)
        os.kill(horse, signal.SIGKILL)  # mid-batch: rows checked, nothing committed
        while not job_state(job_id).finished:
            assert time.monotonic() < deadline, "the killed job was never marked"
            time.sleep(0.05)
        job = job_state(job_id)
        assert job.state == JobState.FAILED and job.error.startswith(KILLED)
        assert registrations() == 0  # no half-imported sheet
        event_id, token = job.params["event_id"], job.params["token"]
    finally:
        worker.terminate()
        finish(worker, timeout=30)

    # The upload is still there: the organizer starts the import again and it runs to its end.
    organizer = job_state(job_id).owner
    retry = jobs.create_job(organizer, registration_jobs.IMPORT, {"event_id": event_id, "token": token}, locale="en")
    db.session.commit()
    queue(retry)
    output = finish(start_worker(environment, burst=True))
    assert job_state(retry.id).state == JobState.SUCCEEDED, output
    assert registrations() == 4000


def test_a_certificate_print_whose_worker_is_killed_keeps_no_file_and_prints_when_started_again(installation):
    from compete.certificates import designs
    from compete.certificates import jobs as certificate_jobs
    from compete.certificates import services as certificates
    from compete.certificates.models import PrintFile
    from tests.certificate_world import final

    _app, environment = installation
    organizer = make_user("organizer")
    competition = final(organizer)
    issued = certificates.issue_certificates(organizer, competition)
    issuer = designs.issuer_of_competition(competition)
    params = certificate_jobs.print_params(issuer, None)
    job = jobs.create_job(organizer, certificate_jobs.PRINT, params, locale="en")
    db.session.commit()
    queue(job)
    worker = start_worker(environment, burst=False)
    try:
        deadline = time.monotonic() + 120
        while (state := job_state(job.id)).state != JobState.RUNNING or state.phase is None:
            assert time.monotonic() < deadline and worker.poll() is None, (state.state, state.phase, state.error)
            time.sleep(0.01)
        os.kill(work_horse(worker), signal.SIGKILL)  # while laying out the pages
        while not job_state(job.id).finished:
            assert time.monotonic() < deadline, "the killed job was never marked"
            time.sleep(0.05)
    finally:
        worker.terminate()
        finish(worker, timeout=30)
    killed = job_state(job.id)
    assert killed.state == JobState.FAILED and killed.error.startswith(KILLED)
    assert db.session.scalar(select(func.count()).select_from(PrintFile)) == 0

    again = jobs.create_job(organizer, certificate_jobs.PRINT, params, locale="en")
    db.session.commit()
    queue(again)
    output = finish(start_worker(environment, burst=True))
    assert job_state(again.id).state == JobState.SUCCEEDED, output
    printed = db.session.scalars(select(PrintFile)).one()
    assert printed.count == len(issued) and printed.pdf.startswith(b"%PDF")


def test_a_worker_starting_fails_the_jobs_a_dead_machine_left_running(installation):
    _app, environment = installation
    job = db.session.get(Job, queued_import(5))
    jobs.mark_running(job)
    job.updated_at = job.updated_at.replace(year=job.updated_at.year - 1)
    db.session.commit()
    worker = start_worker(environment, burst=True)  # takes the queued copy too, and finds it already failed
    output = finish(worker)
    assert worker.returncode == 0, output
    failed = job_state(job.id)
    assert failed.state == JobState.FAILED and failed.error.startswith("The job was interrupted")
    assert registrations() == 0
