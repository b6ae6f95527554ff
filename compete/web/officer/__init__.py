"""The encryption officer: the sealed mapping of their events, its printable list, and decryption."""

from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compete.accounts.models import Role
from compete.audit import services as audit
from compete.competitions.models import Event
from compete.errors import CompeteError
from compete.extensions import db, limiter
from compete.venue import badges, services
from compete.venue.forms import DecryptForm
from compete.web.access import guard

bp = Blueprint("officer", __name__, url_prefix="/officer")
bp.before_request(guard(Role.ENCRYPTION_OFFICER))


def _my_event(event_id: int) -> Event:
    """Only the events whose day names this officer: the mapping is theirs alone to hold."""
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    if services.event_day(event).officer_id != current_user.id:
        abort(403)
    return event


@bp.get("/")
def index():
    return render_template("officer/index.html", events=services.officer_events(current_user))


@bp.get("/events/<int:event_id>")
def sealed(event_id: int):
    event = _my_event(event_id)
    return render_template(
        "officer/sealed.html",
        event=event,
        day=services.event_day(event),
        rows=services.sealed_list(event),
        draws=services.draws(event),
        form=DecryptForm(),
    )


@bp.get("/events/<int:event_id>/sealed.pdf")
def sealed_pdf(event_id: int):
    event = _my_event(event_id)
    rows = services.sealed_list(event)
    if not rows:
        flash(_("Nothing is drawn yet."), "warning")
        return redirect(url_for("officer.sealed", event_id=event.id))
    pdf = badges.render_sealed_list_pdf(event, rows, officer_name=current_user.display_name)
    audit.record_export(current_user, "sealed_list", event, rows=len(rows), competition_id=event.competition_id)
    db.session.commit()
    return send_file(
        BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=f"sealed-list-{event.code}.pdf"
    )


@bp.post("/events/<int:event_id>/decrypt")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])  # a supervisor's password
def decrypt(event_id: int):
    event = _my_event(event_id)
    form = DecryptForm()
    if not form.validate_on_submit():
        flash(_("Enter the supervisor's username and password."), "danger")
        return redirect(url_for("officer.sealed", event_id=event.id))
    try:
        witness = services.witness(form.witness_username.data, form.witness_password.data)
        services.decrypt(current_user, event, witness)
    except CompeteError as error:
        db.session.rollback()
        services.record_refusal(current_user, event, "venue.decrypt", error.message)
        db.session.commit()
        flash(str(error.message), "danger")
        return redirect(url_for("officer.sealed", event_id=event.id))
    db.session.commit()
    flash(_("Decrypted: the organizer can now see who sat at which station."), "success")
    return redirect(url_for("officer.sealed", event_id=event.id))
