"""Organizer screens: reviewing an event's registrations."""

from io import BytesIO

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compete.audit import services as audit
from compete.competitions.models import Event
from compete.errors import CompeteError
from compete.extensions import db
from compete.registration import documents, services
from compete.registration.forms import ReviewForm
from compete.registration.models import RegistrationStatus
from compete.rules.idcard import age_on
from compete.web.access import owned_event
from compete.web.admin import bp


@bp.get("/events/<int:event_id>/registrations")
def registrations(event_id: int):
    event = owned_event(event_id)
    status = request.args.get("status")
    status = RegistrationStatus(status) if status in set(RegistrationStatus) else None
    rows = services.event_registrations(event, status)
    reveal = request.args.get("reveal") == "1"
    if reveal:
        services.record_id_reveal(current_user, event, len(rows), "review screen")
        db.session.commit()
    approved = services.approved_count(event)
    checks = {
        row.id: [services.describe_failure(f) for f in services.eligibility_failures(row, approved_in_event=approved)]
        for row in rows
        if row.status in services.ACTIVE
    }
    return render_template(
        "admin/registrations.html",
        event=event,
        rows=rows,
        status=status,
        reveal=reveal,
        checks=checks,
        form=ReviewForm(),
        age_on=age_on,
        counts=_status_counts(event),
    )


def _status_counts(event: Event) -> dict[str, int]:
    counts = dict.fromkeys((s.value for s in RegistrationStatus), 0)
    for row in services.event_registrations(event):
        counts[row.status.value] += 1
    return counts


@bp.post("/events/<int:event_id>/registrations/decide")
def decide_registrations(event_id: int):
    event = owned_event(event_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(" ".join(message for messages in form.errors.values() for message in messages), "danger")
        return redirect(url_for("admin.registrations", event_id=event.id))
    wanted = {int(value) for value in request.form.getlist("selected") if value.isdigit()}
    chosen = [row for row in services.event_registrations(event) if row.id in wanted]
    if not chosen:
        flash(_("Select at least one registration."), "warning")
        return redirect(url_for("admin.registrations", event_id=event.id))
    refused = services.decide_many(
        current_user, chosen, approve_them=bool(form.approve.data), reason=form.reason.data or ""
    )
    db.session.commit()
    decided = len(chosen) - len(refused)
    if decided:
        flash(_("%(count)d registrations decided.", count=decided), "success")
    for registration, message in refused:
        flash(f"{registration.person.name}: {message}", "danger")
    return redirect(url_for("admin.registrations", event_id=event.id))


@bp.get("/events/<int:event_id>/tickets.pdf")
def event_tickets(event_id: int):
    """Every approved competitor's admission ticket in one document, for printing or sending."""
    from compete.web.portal import check_in_url

    event = owned_event(event_id)
    approved = services.event_registrations(event, RegistrationStatus.APPROVED)
    try:
        pdf = documents.render_ticket_pdf(approved, check_in_url_for=check_in_url)
    except CompeteError as error:
        flash(str(error.message), "warning")
        return redirect(url_for("admin.registrations", event_id=event.id))
    audit.record_export(current_user, "tickets", event, rows=len(approved), competition_id=event.competition_id)
    db.session.commit()
    return send_file(
        BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"admission-tickets-{event.code}.pdf",
    )


@bp.get("/events/<int:event_id>/registrations.xlsx")
def export_registrations(event_id: int):
    event = owned_event(event_id)
    rows = services.event_registrations(event)
    full = request.args.get("full") == "1"
    services.record_export(current_user, event, len(rows), full_id_numbers=full)
    db.session.commit()
    workbook = documents.export_registrations_xlsx(event, rows, full_id_numbers=full)
    return send_file(
        BytesIO(workbook),
        as_attachment=True,
        download_name=f"registrations-{event.code}.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
