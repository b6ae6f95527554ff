"""Organizer screen: theory scores typed in by hand or imported from the exam system's file, all or nothing."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compete.errors import CompeteError
from compete.extensions import db
from compete.rules.idcard import mask
from compete.scoring import scores, theory_import
from compete.scoring import services as scoring
from compete.scoring.forms import TheoryFileForm
from compete.venue import services as venue
from compete.venue.forms import ActionForm
from compete.web.access import owned_event
from compete.web.admin import bp


@bp.route("/events/<int:event_id>/theory", methods=["GET", "POST"])
def theory_scores(event_id: int):
    event = owned_event(event_id)
    entries = sorted(venue.present_entries(event), key=lambda entry: entry.registration.person.name)
    form, errors = ActionForm(), {}
    typed = {entry.id: (request.form.get(f"theory-{entry.id}") or "").strip() for entry in entries}
    if form.validate_on_submit():
        for entry in entries:
            if not typed[entry.id]:
                continue
            try:
                scores.set_theory(current_user, event, entry, scoring.parse_value(typed[entry.id]))
            except CompeteError as error:
                errors[entry.id] = str(error.message)
        if not errors:
            db.session.commit()
            flash(_("Theory scores saved."), "success")
            return redirect(url_for("admin.theory_scores", event_id=event.id))
        db.session.rollback()  # all or nothing: fix the marked rows and save again
    return _render(event, entries, typed=typed, errors=errors, form=form)


def _render(event, entries, *, typed=None, errors=None, form=None, file_form=None, file_errors=None):
    return render_template(
        "admin/theory.html",
        event=event,
        entries=entries,
        scores=scores.scores_by_entry(event),
        typed=typed or {entry.id: "" for entry in entries},
        errors=errors or {},
        form=form or ActionForm(),
        file_form=file_form or TheoryFileForm(),
        file_errors=file_errors or [],
        mask=mask,
    )


@bp.post("/events/<int:event_id>/theory/import")
def import_theory_scores(event_id: int):
    """Every row checked first; any bad row and nothing is saved, with the rows listed to fix the file."""
    event = owned_event(event_id)
    entries = sorted(venue.present_entries(event), key=lambda entry: entry.registration.person.name)
    form = TheoryFileForm()
    if not form.validate_on_submit():
        return _render(event, entries, file_form=form)
    upload = form.file.data
    try:
        checked = theory_import.check_theory_file(event, upload.read(), upload.filename or "")
    except CompeteError as error:
        form.file.errors = [str(error.message)]
        return _render(event, entries, file_form=form)
    if checked.errors:
        return _render(event, entries, file_form=form, file_errors=checked.errors)
    count = theory_import.import_theory(current_user, event, checked, upload.filename or "")
    db.session.commit()
    flash(_("%(count)d theory scores imported.", count=count), "success")
    return redirect(url_for("admin.theory_scores", event_id=event.id))
