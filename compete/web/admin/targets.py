"""Organizer screens of the annual targets: progress per region and kind, targets set, changed and deleted."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from compete.columns import local_now
from compete.errors import CompeteError
from compete.extensions import db
from compete.honours import targets as services
from compete.honours.models import Target
from compete.honours.target_forms import TargetForm
from compete.people.models import Region
from compete.web.admin import bp
from compete.web.feedback import show_error

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(value=None) -> int:
    """The year asked for, or this year when none or one out of range is asked for (never an error page)."""
    if value is None:
        value = request.args.get("year", type=int)
    return value if value is not None and services.FIRST_YEAR <= value <= services.LAST_YEAR else local_now().year


def _regions():
    return db.session.scalars(select(Region).order_by(Region.code)).all()


def _page(year: int, form: TargetForm):
    return render_template(
        "admin/targets.html",
        year=year,
        rows=services.progress(year),
        targets=services.targets_of(year),
        kind_name=services.kind_name,
        form=form,
    )


@bp.get("/targets")
def targets():
    year = _year()
    editing = db.session.get(Target, request.args.get("edit", type=int) or 0)
    form = TargetForm(regions=_regions(), obj=editing, year=year)
    return _page(year, form)


@bp.post("/targets")
def save_target():
    form = TargetForm(regions=_regions())
    if form.validate_on_submit():
        try:
            services.set_target(
                current_user,
                region=db.session.get(Region, form.region_id.data) if form.region_id.data else None,
                year=form.year.data,
                kind=form.kind.data,
                value=form.value.data,
                per_county=form.per_county.data,
                note=form.note.data or "",
            )
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Target saved."), "success")
            return redirect(url_for("admin.targets", year=form.year.data))
    return _page(_year(form.year.data), form)


@bp.post("/targets/<int:target_id>/delete")
def delete_target(target_id: int):
    target = db.session.get(Target, target_id)
    if target is None:
        abort(404)
    year = target.year
    services.delete_target(current_user, target)
    db.session.commit()
    flash(_("Target deleted."), "success")
    return redirect(url_for("admin.targets", year=year))


@bp.get("/targets.xlsx")
def targets_xlsx():
    year = _year()
    content = services.targets_workbook(year)
    return Response(
        content, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename=targets-{year}.xlsx"}
    )
