"""Organizer screens of the competition day: check-in on a tablet, witnessed draws, the encryption officer."""

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from compete.accounts.models import Role, User
from compete.competitions.models import Event
from compete.errors import CompeteError
from compete.extensions import db, limiter
from compete.rules.idcard import mask
from compete.venue import services
from compete.venue.forms import (
    CancelDrawForm,
    CheckInForm,
    CloseCheckInForm,
    DrawForm,
    OfficerForm,
    TicketForm,
    manual_draw_form,
)
from compete.venue.models import Attendance, DrawStage, Entry
from compete.web.access import owned_event
from compete.web.admin import bp


def _back_to_day(event: Event):
    return redirect(url_for("admin.event_day", event_id=event.id))


def _refuse(event: Event, action: str, error: CompeteError):
    """A refusal is shown and also kept in the audit log: who tried what, and why it was refused."""
    db.session.rollback()
    services.record_refusal(current_user, event, action, error.message)
    db.session.commit()
    flash(str(error.message), "danger")


# A witness types a supervisor's password here: limited like signing in, or it would be a way to guess one.
witness_limit = limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])


def _officers():
    return db.session.scalars(select(User).where(User.role == Role.ENCRYPTION_OFFICER, User.active)).all()


@bp.get("/events/<int:event_id>/day")
def event_day(event_id: int):
    event = owned_event(event_id)
    day = services.event_day(event)
    db.session.commit()  # the day's record and its entries exist from the first visit
    return render_template(
        "admin/event_day.html",
        event=event,
        day=day,
        counts=services.attendance_counts(event),
        draws=services.draws(event),
        stages=DrawStage,
        draw_form=DrawForm(),
        cancel_form=CancelDrawForm(),
        close_form=CloseCheckInForm(),
        officer_form=OfficerForm(officers=_officers(), officer_id=day.officer_id),
        mapping=services.sealed_list(event) if day.decrypted_at else None,
        mask=mask,
    )


@bp.route("/events/<int:event_id>/check-in", methods=["GET", "POST"])
def check_in(event_id: int):
    event = owned_event(event_id)
    lookup, form = TicketForm(request.args), CheckInForm()
    found = None
    if form.validate_on_submit():
        entry = db.session.get(Entry, int(form.entry_id.data or 0))
        if entry is None or entry.event_id != event.id:
            flash(_("That competitor is not in this event."), "danger")
            return redirect(url_for("admin.check_in", event_id=event.id))
        try:
            services.check_in(current_user, event, entry)
        except CompeteError as error:
            _refuse(event, "venue.check_in", error)
            return redirect(url_for("admin.check_in", event_id=event.id))
        db.session.commit()
        flash(_("%(name)s is checked in.", name=entry.registration.person.name), "success")
        return redirect(url_for("admin.check_in", event_id=event.id))
    if lookup.ticket.data:
        try:
            found = services.find_ticket(event, lookup.ticket.data)
        except CompeteError as error:
            services.record_refused_check_in(current_user, event, lookup.ticket.data, error.message)
            lookup.ticket.errors = [str(error.message)]
        db.session.commit()
    return render_template(
        "admin/check_in.html",
        event=event,
        lookup=lookup,
        form=CheckInForm(entry_id=found.id if found else None),
        found=found,
        counts=services.attendance_counts(event),
        closed=services.event_day(event).check_in_closed_at is not None,
        mask=mask,
        Attendance=Attendance,
    )


@bp.get("/events/<int:event_id>/attendance")
def attendance(event_id: int):
    event = owned_event(event_id)
    counts = services.attendance_counts(event)
    db.session.commit()
    return jsonify(counts)


@bp.post("/events/<int:event_id>/check-in/close")
def close_check_in(event_id: int):
    event = owned_event(event_id)
    if CloseCheckInForm().validate_on_submit():
        try:
            absent = services.close_check_in(current_user, event)
        except CompeteError as error:
            _refuse(event, "venue.close_check_in", error)
            return _back_to_day(event)
        db.session.commit()
        flash(_("Check-in closed; %(count)d marked absent.", count=absent), "success")
    return _back_to_day(event)


@bp.post("/events/<int:event_id>/draws")
@witness_limit
def run_draw(event_id: int):
    event = owned_event(event_id)
    form = DrawForm()
    if not form.validate_on_submit() or form.stage.data not in set(DrawStage):
        flash(_("Enter the supervisor's username and password."), "danger")
        return _back_to_day(event)
    try:
        witness = services.witness(form.witness_username.data, form.witness_password.data)
        services.run_draw(current_user, event, DrawStage(form.stage.data), witness)
    except CompeteError as error:
        _refuse(event, f"venue.draw.{form.stage.data}", error)
        return _back_to_day(event)
    db.session.commit()
    flash(_("Drawn. The result is sealed: only the encryption officer can see it."), "success")
    return _back_to_day(event)


@bp.route("/events/<int:event_id>/draws/<stage>/manual", methods=["GET", "POST"])
@witness_limit
def manual_draw(event_id: int, stage: str):
    event = owned_event(event_id)
    stage = DrawStage(stage) if stage in set(DrawStage) else DrawStage.COMPETITOR_NUMBERS
    present = services.present_entries(event)
    if stage == DrawStage.STATIONS:  # the second draw sees competitor numbers only, in their order
        present.sort(key=lambda entry: entry.competitor_number or 0)
    form = manual_draw_form([entry.id for entry in present])
    if form.validate_on_submit():
        numbers = {entry.id: form[f"number_{entry.id}"].data for entry in present}
        try:
            witness = services.witness(form.witness_username.data, form.witness_password.data)
            services.enter_manual_draw(current_user, event, stage, numbers, witness)
        except CompeteError as error:
            _refuse(event, f"venue.draw.{stage.value}", error)
            return redirect(url_for("admin.manual_draw", event_id=event.id, stage=stage.value))
        db.session.commit()
        flash(_("The physical draw is saved and sealed."), "success")
        return _back_to_day(event)
    return render_template("admin/manual_draw.html", event=event, stage=stage, present=present, form=form)


@bp.post("/events/<int:event_id>/draws/cancel")
@witness_limit
def cancel_draws(event_id: int):
    event = owned_event(event_id)
    form = CancelDrawForm()
    if not form.validate_on_submit():
        flash(_("Give the reason and the supervisor's username and password."), "danger")
        return _back_to_day(event)
    try:
        witness = services.witness(form.witness_username.data, form.witness_password.data)
        services.cancel_draws(current_user, event, form.reason.data, witness)
    except CompeteError as error:
        _refuse(event, "venue.draw.cancel", error)
        return _back_to_day(event)
    db.session.commit()
    flash(_("Both draws were cancelled; draw again."), "success")
    return _back_to_day(event)


@bp.post("/events/<int:event_id>/officer")
def assign_officer(event_id: int):
    event = owned_event(event_id)
    form = OfficerForm(officers=_officers())
    if form.validate_on_submit():
        services.assign_officer(current_user, event, db.session.get(User, form.officer_id.data))
        db.session.commit()
        flash(_("Saved."), "success")
    return _back_to_day(event)
