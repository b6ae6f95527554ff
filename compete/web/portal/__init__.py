"""The portal of competitors and unit contacts: registering and following registrations."""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from compete.accounts.models import PORTAL_ROLES, Role
from compete.audit import services as audit
from compete.competitions.models import Event
from compete.errors import CompeteError, RowErrors
from compete.extensions import db
from compete.registration import documents, services
from compete.registration.forms import UnitEntryForm
from compete.registration.models import Registration, RegistrationSource
from compete.results import appeals
from compete.results.forms import AppealForm
from compete.web.access import guard
from compete.web.feedback import show_error

bp = Blueprint("portal", __name__, url_prefix="/portal")
bp.before_request(guard(*PORTAL_ROLES))


def own_registrations():
    """A competitor sees their own entries; a unit contact those of their unit, never another's."""
    query = select(Registration).join(Event).order_by(Registration.submitted_at.desc())
    # An account without its unit or person sees nothing: "== None" would match everyone registered without one.
    if current_user.role == Role.UNIT_CONTACT:
        if current_user.unit_id is None:
            return []
        return db.session.scalars(query.where(Registration.unit_id == current_user.unit_id)).all()
    if current_user.person_id is None:
        return []
    return db.session.scalars(query.where(Registration.person_id == current_user.person_id)).all()


def owned_registration(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    if current_user.role == Role.UNIT_CONTACT:
        mine = current_user.unit_id is not None and registration.unit_id == current_user.unit_id
    else:
        mine = current_user.person_id is not None and registration.person_id == current_user.person_id
    if not mine:
        abort(403)
    return registration


def own_certificates():
    """A competitor's own certificates; a unit contact's those earned in the unit's registrations."""
    from compete.certificates.models import Certificate

    query = select(Certificate).order_by(Certificate.id.desc())
    if current_user.role == Role.UNIT_CONTACT:
        if current_user.unit_id is None:
            return []
        query = query.join(
            Registration,
            (Registration.event_id == Certificate.event_id) & (Registration.person_id == Certificate.person_id),
        ).where(Registration.unit_id == current_user.unit_id)
    elif current_user.person_id is None:
        return []
    else:
        query = query.where(Certificate.person_id == current_user.person_id)
    return db.session.scalars(query).all()


@bp.get("/certificates/<int:certificate_id>.pdf")
def certificate(certificate_id: int):
    from compete.certificates import printing

    found = next((item for item in own_certificates() if item.id == certificate_id), None)
    if found is None or found.status.value != "valid":
        abort(404)
    pdf = printing.certificates_pdf([found], title=found.number)
    audit.record_export(current_user, "certificate", found, rows=1, competition_id=found.competition_id)
    db.session.commit()
    return send_file(BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=f"{found.number}.pdf")


@bp.get("/")
def index():
    registrations = own_registrations()
    entered = {r.event_id for r in registrations if r.status in services.ACTIVE}
    appealable = {
        r.id for r in registrations if r.status == "approved" and appeals.appeals_open(r.event.competition_id)
    }
    return render_template(
        "portal/index.html",
        registrations=registrations,
        open_events=services.open_events(),
        entered=entered,
        appealable=appealable,
        certificates=own_certificates(),
    )


@bp.post("/events/<int:event_id>/register")
def register(event_id: int):
    event = db.session.get(Event, event_id)
    if event is None or not event.competition.announced:
        abort(404)
    if current_user.person is None:
        abort(403)
    try:
        services.register(
            current_user, event, current_user.person, source=RegistrationSource.PORTAL, unit=current_user.person.unit
        )
    except CompeteError as error:
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(
            _("You are registered for %(event)s. The organizer will review your registration.", event=event.name),
            "success",
        )
    return redirect(url_for("portal.index"))


@bp.post("/registrations/<int:registration_id>/withdraw")
def withdraw(registration_id: int):
    registration = owned_registration(registration_id)
    try:
        services.withdraw(current_user, registration)
    except CompeteError as error:
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(_("The registration was withdrawn."), "success")
    return redirect(url_for("portal.index"))


@bp.route("/unit/register", methods=["GET", "POST"])
def unit_register():
    if current_user.role != Role.UNIT_CONTACT or current_user.unit is None:
        abort(403)
    form = UnitEntryForm(events=services.open_events())
    if form.validate_on_submit():
        event = db.session.get(Event, form.event_id.data)
        try:
            done = services.register_people(
                current_user, event, form.filled_rows(), unit=current_user.unit, source=RegistrationSource.UNIT
            )
        except RowErrors as errors:
            db.session.rollback()  # all or nothing: the contact fixes the rows and sends them again
            for index, error in errors.errors:
                show_error(form, CompeteError(error.message, f"people.{index}.{error.field or 'name'}"))
            flash(_("Nothing was saved: correct the marked rows and send the list again."), "danger")
        else:
            db.session.commit()
            flash(_("%(count)d people registered for %(event)s.", count=len(done), event=event.name), "success")
            return redirect(url_for("portal.index"))
    return render_template("portal/unit_register.html", form=form)


def check_in_url(registration: Registration) -> str:
    return url_for("public.ticket", token=registration.ticket_token, _external=True)


@bp.get("/registrations/<int:registration_id>/ticket.pdf")
def ticket(registration_id: int):
    registration = owned_registration(registration_id)
    try:
        pdf = documents.render_ticket_pdf([registration], check_in_url_for=check_in_url)
    except CompeteError as error:
        flash(str(error.message), "danger")
        return redirect(url_for("portal.index"))
    audit.record_export(current_user, "ticket", registration, rows=1, competition_id=registration.event.competition_id)
    db.session.commit()
    return send_file(
        BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"admission-ticket-{registration.event.code}-{registration.id}.pdf",
    )


@bp.route("/registrations/<int:registration_id>/appeal", methods=["GET", "POST"])
def appeal(registration_id: int):
    """A written appeal (申诉) about a published result, within the deadline, decided by the arbitration group."""
    registration = owned_registration(registration_id)
    entry = appeals.entry_of(registration)
    if entry is None:
        abort(404)
    form = AppealForm()
    if form.validate_on_submit():
        try:
            appeals.file_appeal(current_user, entry, form.grounds.data)
        except CompeteError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Your appeal is filed; the arbitration group will decide it."), "success")
            return redirect(url_for("portal.index"))
    return render_template("portal/appeal.html", registration=registration, form=form)
