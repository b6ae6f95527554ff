"""Organizer screens: importing an event's registrations from Excel, big sheets through background jobs."""

import secrets
from io import BytesIO

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from compete.audit import services as audit
from compete.competitions.models import Event
from compete.errors import CompeteError
from compete.extensions import db
from compete.jobs import runner
from compete.jobs import services as jobs
from compete.jobs.models import JobState
from compete.registration import importing
from compete.registration import jobs as registration_jobs
from compete.registration.forms import ImportCommitForm, ImportForm
from compete.registration.sheet_template import template_workbook
from compete.web.access import owned_event
from compete.web.admin import bp
from compete.web.admin.jobs import JobScreens, job_screens

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload_or_404(event: Event, token: str):
    path = importing.upload_path(event, token)
    if path is None:
        abort(404)
    return path


def _start_job(kind: str, event: Event, token: str):
    job = jobs.create_job(current_user, kind, {"event_id": event.id, "token": token}, locale=str(get_locale()))
    db.session.commit()
    runner.start(job)
    return redirect(url_for("admin.job", job_id=job.id))


def _render(event: Event, form: ImportForm, report: dict | None = None, token: str | None = None):
    return render_template(
        "admin/import.html",
        event=event,
        form=form,
        report=report,
        token=token,
        commit_form=ImportCommitForm(token=token),
    )


@bp.get("/registrations/template.xlsx")
def import_template():
    return send_file(
        BytesIO(template_workbook()), mimetype=XLSX, as_attachment=True, download_name="registration-template.xlsx"
    )


@bp.route("/events/<int:event_id>/import", methods=["GET", "POST"])
def import_registrations(event_id: int):
    event = owned_event(event_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return _render(event, form)
    token = secrets.token_urlsafe(24)
    path = importing.upload_path(event, token)
    form.file.data.save(path)
    if importing.runs_in_background(path):
        return _start_job(registration_jobs.CHECK, event, token)
    try:
        report = importing.check_import(event, path).report()
    except CompeteError as error:
        path.unlink(missing_ok=True)
        form.file.errors = [str(error.message)]
        return _render(event, form)
    return _render(event, form, report, token)


@bp.get("/events/<int:event_id>/import/checked/<int:job_id>")
def import_report(event_id: int, job_id: int):
    """The result of a background check, shown like the result of a quick one."""
    event = owned_event(event_id)
    job = jobs.job_of(current_user, job_id)
    if job is None or job.kind != registration_jobs.CHECK or job.params["event_id"] != event.id:
        abort(404)
    if job.state != JobState.SUCCEEDED:
        return redirect(url_for("admin.job", job_id=job.id))
    return _render(event, ImportForm(), job.result, job.params["token"])


@bp.get("/events/<int:event_id>/import/<token>/errors.xlsx")
def import_errors(event_id: int, token: str):
    event = owned_event(event_id)
    path = _upload_or_404(event, token)
    if not path.exists():
        abort(404)
    check = importing.check_import(event, path)
    workbook = importing.error_workbook(check.errors)
    # The refused rows go back as they were typed: names and ID numbers.
    audit.record_export(
        current_user, "import_errors", event, rows=len(check.errors), competition_id=event.competition_id
    )
    db.session.commit()
    return send_file(
        BytesIO(workbook),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{event.code}-import-errors.xlsx",
    )


@bp.post("/events/<int:event_id>/import/commit")
def commit_import(event_id: int):
    event = owned_event(event_id)
    form = ImportCommitForm()
    path = importing.upload_path(event, form.token.data if form.validate_on_submit() else "")
    if path is None or not path.exists():
        flash(_("That upload has already been imported or has expired: upload the file again."), "warning")
        return redirect(url_for("admin.import_registrations", event_id=event.id))
    if importing.runs_in_background(path):
        return _start_job(registration_jobs.IMPORT, event, form.token.data)
    check = importing.check_import(event, path)  # again: the registry may have changed since the check
    imported = importing.import_registrations(current_user, event, check, file_name=path.name)
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_imported_message(imported, len(check.errors)), "success")
    return redirect(url_for("admin.registrations", event_id=event.id))


def _imported_message(imported: int, left_out: int) -> str:
    return _("%(count)d registrations imported; %(errors)d rows were left out.", count=imported, errors=left_out)


def _event_url(endpoint: str):
    return lambda job: url_for(endpoint, event_id=job.params["event_id"])


job_screens(
    registration_jobs.CHECK,
    JobScreens(
        done_url=lambda job: url_for("admin.import_report", event_id=job.params["event_id"], job_id=job.id),
        back_url=_event_url("admin.import_registrations"),
    ),
)
job_screens(
    registration_jobs.IMPORT,
    JobScreens(
        done_url=_event_url("admin.registrations"),
        back_url=_event_url("admin.import_registrations"),
        done_message=lambda job: _imported_message(job.result["imported"], job.result["left_out"]),
    ),
)
