"""Organizer screens: the competitions an organizer owns."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from compete.audit import services as audit
from compete.competitions import services
from compete.competitions.forms import CompetitionForm, CopyCompetitionForm
from compete.competitions.models import Competition
from compete.errors import CompeteError
from compete.extensions import db
from compete.honours.policies import own_policies
from compete.web.access import owned_or_403
from compete.web.admin import bp
from compete.web.feedback import show_error


def visible_competitions():
    query = select(Competition).order_by(Competition.year.desc(), Competition.starts_on.desc(), Competition.id.desc())
    if not current_user.is_admin:
        query = query.where(Competition.owner_id == current_user.id)
    return db.session.scalars(query).all()


@bp.get("/")
def index():
    return render_template("admin/index.html", competitions=visible_competitions())


@bp.route("/competitions/new", methods=["GET", "POST"])
def new_competition():
    form = CompetitionForm(own_policies=own_policies(current_user))
    if form.validate_on_submit():
        try:
            competition = services.create_competition(current_user, form.competition_values())
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Competition created. Now add its events."), "success")
            return redirect(url_for("admin.competition", competition_id=competition.id))
    return render_template("admin/competition_form.html", form=form, competition=None)


@bp.get("/competitions/<int:competition_id>")
def competition(competition_id: int):
    competition = owned_or_403(Competition, competition_id)
    return render_template("admin/competition.html", competition=competition)


@bp.route("/competitions/<int:competition_id>/edit", methods=["GET", "POST"])
def edit_competition(competition_id: int):
    competition = owned_or_403(Competition, competition_id)
    form = CompetitionForm(obj=competition, own_policies=own_policies(current_user))
    if form.validate_on_submit():
        try:
            services.update_competition(current_user, competition, form.competition_values())
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.competition", competition_id=competition.id))
    return render_template("admin/competition_form.html", form=form, competition=competition)


@bp.post("/competitions/<int:competition_id>/announce")
def announce_competition(competition_id: int):
    competition = owned_or_403(Competition, competition_id)
    services.set_announced(current_user, competition, not competition.announced)
    db.session.commit()
    flash(
        _("The competition is now on the public home page.")
        if competition.announced
        else _("The competition was taken off the public home page."),
        "success",
    )
    return redirect(url_for("admin.competition", competition_id=competition.id))


@bp.route("/competitions/<int:competition_id>/copy", methods=["GET", "POST"])
def copy_competition(competition_id: int):
    source = owned_or_403(Competition, competition_id)
    form = CopyCompetitionForm(obj=source, own_policies=own_policies(current_user))
    if not form.is_submitted():
        form.year.data = source.year + 1
        form.starts_on.data = _next_year(source.starts_on)
        form.ends_on.data = _next_year(source.ends_on)
        form.name.data = source.name.replace(str(source.year), str(source.year + 1))
    if form.validate_on_submit():
        try:
            copy = services.copy_competition(current_user, source, form.competition_values())
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Copied with %(count)d events. Check the registration windows.", count=len(copy.events)), "success")
            return redirect(url_for("admin.competition", competition_id=copy.id))
    return render_template("admin/competition_copy.html", form=form, source=source)


@bp.get("/competitions/<int:competition_id>/audit")
def competition_audit(competition_id: int):
    competition = owned_or_403(Competition, competition_id)
    entries = audit.recent_entries(competition_id=competition.id)
    return render_template("admin/audit.html", entries=entries, competition=competition)


def _next_year(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)
