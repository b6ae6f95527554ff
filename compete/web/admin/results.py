"""Organizer screens of results: the computed table, the review sign-off, publication, appeals, finalization."""

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compete.competitions.models import Competition
from compete.errors import CompeteError
from compete.extensions import db
from compete.results import appeals, exports, finalization
from compete.results import services as results
from compete.results.compute import event_results
from compete.results.forms import FinalizeForm, PublishForm, ReopenForm, ReviewForm
from compete.venue import services as venue
from compete.web.access import owned_event, owned_or_403
from compete.web.admin import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _competition(competition_id: int) -> Competition:
    return owned_or_403(Competition, competition_id)


@bp.get("/competitions/<int:competition_id>/results")
def competition_results(competition_id: int, **forms):
    competition = _competition(competition_id)
    computed = results.computed_results(competition)  # once: the table, both blocker lists and staleness use it
    return render_template(
        "admin/results.html",
        competition=competition,
        events=[(event, table, results.review_of(event)) for event, table in computed],
        publication=results.latest_publication(competition.id),
        publish_problems=results.publish_blockers(competition, computed),
        finalize_problems=finalization.finalize_blockers(competition, computed=computed),
        state=results.final_state(competition),
        appeals=appeals.appeals_of(competition),
        publish_form=forms.get("publish_form") or PublishForm(),
        finalize_form=FinalizeForm(),
        reopen_form=ReopenForm(),
    )


@bp.get("/events/<int:event_id>/results")
def event_results_page(event_id: int, review_form=None):
    event = owned_event(event_id)
    computed = event_results(event)
    return render_template(
        "admin/event_results.html",
        event=event,
        results=computed,
        blockers=results.event_blockers(event, computed),
        review=results.review_of(event),
        names_visible=venue.event_day(event).decrypted_at is not None,
        review_form=review_form or ReviewForm(),
    )


@bp.post("/events/<int:event_id>/results/review")
def review_results(event_id: int):
    event = owned_event(event_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return event_results_page(event_id, review_form=form)
    try:
        supervisor = venue.witness(form.witness_username.data, form.witness_password.data)
        results.review(current_user, event, supervisor)
    except CompeteError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(url_for("admin.event_results_page", event_id=event.id))
    db.session.commit()
    flash(_("The review is recorded."), "success")
    return redirect(url_for("admin.event_results_page", event_id=event.id))


@bp.post("/competitions/<int:competition_id>/results/publish")
def publish_results(competition_id: int):
    competition = _competition(competition_id)
    form = PublishForm()
    if not form.validate_on_submit():
        return competition_results(competition_id, publish_form=form)
    try:
        publication = results.publish(
            current_user,
            competition,
            publicity_days=form.publicity_days.data,
            appeal_hours=form.appeal_hours.data,
            note=form.note.data or "",
        )
    except CompeteError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(url_for("admin.competition_results", competition_id=competition.id))
    db.session.commit()
    flash(_("Version %(version)d of the results is public.", version=publication.version), "success")
    return redirect(url_for("admin.competition_results", competition_id=competition.id))


@bp.post("/competitions/<int:competition_id>/results/finalize")
def finalize_results(competition_id: int):
    competition = _competition(competition_id)
    if not FinalizeForm().validate_on_submit():
        flash(_("Tick the box to confirm."), "danger")
        return redirect(url_for("admin.competition_results", competition_id=competition.id))
    return _act(competition, lambda: finalization.finalize(current_user, competition), _("The results are final."))


@bp.post("/competitions/<int:competition_id>/results/reopen")
def reopen_results(competition_id: int):
    competition = _competition(competition_id)
    form = ReopenForm()
    reason = form.reason.data or "" if form.validate_on_submit() else ""
    return _act(
        competition, lambda: finalization.reopen(current_user, competition, reason), _("The results are reopened.")
    )


def _act(competition, action, done: str):
    try:
        action()
    except CompeteError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("admin.competition_results", competition_id=competition.id))


def _export_events(competition: Competition):
    facts = {"name": competition.name, "level": competition.level, "year": competition.year}
    return facts, [computed for _event, computed in results.computed_results(competition)]


@bp.get("/competitions/<int:competition_id>/results.xlsx")
def results_workbook(competition_id: int):
    competition = _competition(competition_id)
    facts, tables = _export_events(competition)
    results.record_export(current_user, competition, "xlsx", rows=_rows(tables))
    db.session.commit()
    return _download(exports.results_xlsx(facts, tables), XLSX, f"results-{competition.id}.xlsx")


@bp.get("/competitions/<int:competition_id>/results.pdf")
def results_document(competition_id: int):
    competition = _competition(competition_id)
    facts, tables = _export_events(competition)
    results.record_export(current_user, competition, "pdf", rows=_rows(tables))
    db.session.commit()
    return _download(exports.results_pdf(facts, tables), "application/pdf", f"results-{competition.id}.pdf")


def _rows(tables) -> int:
    return sum(len(table.rows) for table in tables)


def _download(content: bytes, mimetype: str, name: str) -> Response:
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})
