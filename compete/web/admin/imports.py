"""Organizer screens: importing an event's registrations from Excel."""

import re
import secrets
from io import BytesIO
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compete.competitions.models import Event
from compete.errors import CompeteError
from compete.extensions import db
from compete.registration import importing
from compete.registration.forms import ImportCommitForm, ImportForm
from compete.registration.sheet_template import template_workbook
from compete.web.access import owned_or_403
from compete.web.admin import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _owned_event(event_id: int) -> Event:
    return owned_or_403(Event, event_id, competition_of=lambda event: event.competition)


def _upload_path(event: Event, token: str) -> Path:
    """Where a checked upload waits for its commit: named by an unguessable token, never by the user."""
    if not TOKEN.match(token or ""):
        abort(404)
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"event-{event.id}-{token}.xlsx"


@bp.get("/registrations/template.xlsx")
def import_template():
    return send_file(
        BytesIO(template_workbook()), mimetype=XLSX, as_attachment=True, download_name="registration-template.xlsx"
    )


@bp.route("/events/<int:event_id>/import", methods=["GET", "POST"])
def import_registrations(event_id: int):
    event = _owned_event(event_id)
    form, check, token = ImportForm(), None, None
    if form.validate_on_submit():
        token = secrets.token_urlsafe(24)
        path = _upload_path(event, token)
        form.file.data.save(path)
        try:
            check = importing.check_import(event, path)
        except CompeteError as error:
            path.unlink(missing_ok=True)
            form.file.errors = [str(error.message)]
            token = None
    return render_template(
        "admin/import.html", event=event, form=form, check=check, token=token, commit_form=ImportCommitForm(token=token)
    )


@bp.get("/events/<int:event_id>/import/<token>/errors.xlsx")
def import_errors(event_id: int, token: str):
    event = _owned_event(event_id)
    path = _upload_path(event, token)
    if not path.exists():
        abort(404)
    check = importing.check_import(event, path)
    return send_file(
        BytesIO(importing.error_workbook(check.errors)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{event.code}-import-errors.xlsx",
    )


@bp.post("/events/<int:event_id>/import/commit")
def commit_import(event_id: int):
    event = _owned_event(event_id)
    form = ImportCommitForm()
    path = _upload_path(event, form.token.data if form.validate_on_submit() else "")
    if not path.exists():
        flash(_("That upload has already been imported or has expired: upload the file again."), "warning")
        return redirect(url_for("admin.import_registrations", event_id=event.id))
    check = importing.check_import(event, path)  # again: the registry may have changed since the check
    imported = importing.import_registrations(current_user, event, check, file_name=path.name)
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(
        _("%(count)d registrations imported; %(errors)d rows were left out.", count=imported, errors=len(check.errors)),
        "success",
    )
    return redirect(url_for("admin.registrations", event_id=event.id))
