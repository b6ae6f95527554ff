"""Organizer screens for judges: the registry, declared conflicts, event panels, stations and tablet badges."""

from io import BytesIO

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from compete.audit import services as audit
from compete.competitions.models import Event
from compete.errors import CompeteError
from compete.extensions import db
from compete.people import services as people
from compete.people.models import Unit
from compete.venue import badges, judging
from compete.venue.forms import ActionForm, ConflictForm, JudgeForm, SeatForm
from compete.venue.models import Judge, JudgeLink, PanelRole, PanelSeat
from compete.web.access import owned_event
from compete.web.admin import bp
from compete.web.feedback import show_error


def _back_to_panel(event: Event):
    return redirect(url_for("admin.event_panel", event_id=event.id))


@bp.route("/judges", methods=["GET", "POST"])
def judges():
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    form = JudgeForm(units=units)
    if form.validate_on_submit():
        try:
            person = people.match_or_add_person(
                current_user,
                name=form.name.data,
                id_number=form.id_number.data,
                unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
            )
            judging.add_judge(
                current_user, person, occupations=form.occupations.data, qualification=form.qualification.data or ""
            )
        except CompeteError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s was added to the judge registry.", name=person.name), "success")
            return redirect(url_for("admin.judges"))
    all_judges = judging.all_judges()
    return render_template(
        "admin/judges.html",
        judges=all_judges,
        form=form,
        conflict_form=ConflictForm(judges=all_judges),
        conflicts=judging.declared_conflicts(),
    )


@bp.post("/judges/conflicts")
def record_conflict():
    form = ConflictForm(judges=judging.all_judges())
    if form.validate_on_submit():
        person = people.find_person(form.id_number.data)
        judge = db.session.get(Judge, form.judge_id.data)
        if person is None or judge is None:
            flash(_("No person in the registry has that ID number."), "danger")
            return redirect(url_for("admin.judges"))
        try:
            judging.record_conflict(current_user, judge, person, form.reason.data)
        except CompeteError as error:
            flash(str(error.message), "danger")
            return redirect(url_for("admin.judges"))
        db.session.commit()
        flash(_("The conflict is recorded: the judge will not mark that competitor."), "success")
    return redirect(url_for("admin.judges"))


@bp.route("/events/<int:event_id>/panel", methods=["GET", "POST"])
def event_panel(event_id: int):
    event = owned_event(event_id)
    seated = judging.panel(event)
    seated_ids = {seat.judge_id for seat in seated}
    form = SeatForm(judges=[judge for judge in judging.all_judges() if judge.id not in seated_ids])
    if form.validate_on_submit():
        try:
            judge = db.session.get(Judge, form.judge_id.data)
            judging.seat_judge(current_user, event, judge, PanelRole(form.role.data))
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            return _back_to_panel(event)
    proposal, proposal_error = None, None
    try:
        proposal = judging.propose_station_judges(event)
    except CompeteError as error:
        proposal_error = error.message
    return render_template(
        "admin/event_panel.html",
        event=event,
        seats=seated,
        form=form,
        action=ActionForm(),
        proposal=proposal,
        proposal_error=proposal_error,
        assigned=judging.station_judges(event),
        links={seat.judge_id: judging.active_link(event, seat.judge) for seat in seated},
        judge_names={seat.judge_id: seat.judge.person.name for seat in seated},
    )


@bp.post("/events/<int:event_id>/panel/<int:seat_id>/remove")
def remove_from_panel(event_id: int, seat_id: int):
    event = owned_event(event_id)
    seat = db.session.get(PanelSeat, seat_id)
    if seat is None or seat.event_id != event.id or not ActionForm().validate_on_submit():
        abort(404)
    try:
        judging.unseat_judge(current_user, event, seat)
    except CompeteError as error:
        flash(str(error.message), "danger")
        return _back_to_panel(event)
    db.session.commit()
    return _back_to_panel(event)


@bp.post("/events/<int:event_id>/stations")
def assign_stations(event_id: int):
    """Save the proposal shown on the panel page, recomputed now so that it still holds."""
    event = owned_event(event_id)
    if ActionForm().validate_on_submit():
        try:
            proposal = judging.propose_station_judges(event)
            if not proposal.ok:
                flash(_("Some stations cannot be staffed without a conflict: add judges to the panel."), "danger")
                return _back_to_panel(event)
            judging.assign_station_judges(current_user, event, proposal.judges_by_station)
        except CompeteError as error:
            flash(str(error.message), "danger")
            return _back_to_panel(event)
        db.session.commit()
        flash(_("Judges assigned to the stations."), "success")
    return _back_to_panel(event)


@bp.post("/events/<int:event_id>/panel/<int:seat_id>/link")
def issue_link(event_id: int, seat_id: int):
    event = owned_event(event_id)
    seat = db.session.get(PanelSeat, seat_id)
    if seat is None or seat.event_id != event.id or not ActionForm().validate_on_submit():
        abort(404)
    judging.issue_link(current_user, event, seat.judge)
    db.session.commit()
    flash(_("A new badge link was issued for %(name)s; the old one no longer works.", name=seat.judge.person.name))
    return _back_to_panel(event)


@bp.post("/events/<int:event_id>/links/<int:link_id>/revoke")
def revoke_link(event_id: int, link_id: int):
    event = owned_event(event_id)
    link = db.session.get(JudgeLink, link_id)
    if link is None or link.event_id != event.id or not ActionForm().validate_on_submit():
        abort(404)
    judging.revoke_link(current_user, link)
    db.session.commit()
    flash(_("The link was revoked: that badge no longer signs a tablet in."), "success")
    return _back_to_panel(event)


@bp.get("/events/<int:event_id>/badges.pdf")
def judge_badges(event_id: int):
    event = owned_event(event_id)
    badge_list = []
    for seat in judging.panel(event):
        link = judging.active_link(event, seat.judge)
        if link is not None:
            url = url_for("judge.link_sign_in", token=link.token, _external=True)
            stations = judging.stations_of(seat.judge, event)
            badge_list.append(badges.badge_context(event, link, seat.role, stations, url=url))
    if not badge_list:
        flash(_("Issue the judges' links first."), "warning")
        return _back_to_panel(event)
    pdf = badges.render_badges_pdf(event, badge_list)
    # Each badge carries a judge's name and private sign-in link.
    audit.record_export(current_user, "judge_badges", event, rows=len(badge_list), competition_id=event.competition_id)
    db.session.commit()
    return send_file(
        BytesIO(pdf), mimetype="application/pdf", as_attachment=True, download_name=f"judge-badges-{event.code}.pdf"
    )
