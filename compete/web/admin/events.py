"""Organizer screens: events and their marking schemes."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from compete import labels
from compete.competitions import services
from compete.competitions.forms import CopyEventForm, CriterionForm, EventForm, SchemeForm
from compete.competitions.models import Competition
from compete.errors import CompeteError
from compete.extensions import db
from compete.people.models import Region
from compete.web.access import owned_event, owned_or_403
from compete.web.admin import bp
from compete.web.admin.competitions import visible_competitions
from compete.web.feedback import show_error


def _regions():
    return db.session.scalars(select(Region).order_by(Region.code)).all()


def _chosen_regions(form: EventForm):
    ids = set(form.region_ids.data or ())
    return [region for region in _regions() if region.id in ids]


@bp.route("/competitions/<int:competition_id>/events/new", methods=["GET", "POST"])
def new_event(competition_id: int):
    competition = owned_or_403(Competition, competition_id)
    form = EventForm(regions=_regions())
    if not form.is_submitted():
        form.set_tie_breaks(["total", "time", "practical", "theory"])
    if form.validate_on_submit():
        try:
            event = services.create_event(current_user, competition, form.event_values(), _chosen_regions(form))
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Event created. Now set up its marking scheme."), "success")
            return redirect(url_for("admin.event_scheme", event_id=event.id))
    return render_template("admin/event_form.html", form=form, competition=competition, event=None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int):
    event = owned_event(event_id)
    form = EventForm(obj=event, regions=_regions())
    if not form.is_submitted():
        form.set_tie_breaks(event.tie_break_keys)
        form.required_grade.data = event.required_grade or ""
        form.region_ids.data = [region.id for region in event.eligible_regions]
    if form.validate_on_submit():
        try:
            services.update_event(current_user, event, form.event_values(), _chosen_regions(form))
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.competition", competition_id=event.competition_id))
    return render_template("admin/event_form.html", form=form, competition=event.competition, event=event)


@bp.route("/events/<int:event_id>/scheme", methods=["GET", "POST"])
def event_scheme(event_id: int):
    event = owned_event(event_id)
    form = SchemeForm(data={"criteria": [_criterion_data(c) for c in event.criteria]} if event.criteria else None)
    if form.validate_on_submit():
        try:
            services.replace_marking_scheme(current_user, event, form.rows())
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Marking scheme saved: %(count)d criteria, %(total)s marks in all.",
                    count=len(event.criteria),
                    total=labels.plain_number(event.scheme_total),
                ),
                "success",
            )
            return redirect(url_for("admin.competition", competition_id=event.competition_id))
    return render_template(
        "admin/event_scheme.html", form=form, event=event, template_form=CriterionForm(prefix="criteria-__index__-")
    )


def _criterion_data(criterion) -> dict:
    return {
        "code": criterion.code,
        "name": criterion.name,
        "kind": criterion.kind.value,
        "max_mark": criterion.max_mark,
        "step": criterion.step,
    }


@bp.route("/events/<int:event_id>/copy", methods=["GET", "POST"])
def copy_event(event_id: int):
    event = owned_event(event_id)
    competitions = visible_competitions()
    form = CopyEventForm(competitions=competitions)
    if not form.is_submitted():
        form.competition_id.data = event.competition_id
        form.code.data = services.free_event_code(event.competition, event.code)
    if form.validate_on_submit():
        target = next((c for c in competitions if c.id == form.competition_id.data), None)
        if target is None:
            abort(403)
        try:
            copy = services.copy_event(current_user, event, target, code=form.code.data)
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Event copied with its marking scheme."), "success")
            return redirect(url_for("admin.edit_event", event_id=copy.id))
    return render_template("admin/event_copy.html", form=form, event=event, back=request.referrer)
