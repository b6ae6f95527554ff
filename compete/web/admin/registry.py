"""Organizer screens of the talent registry: persons and units."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from compete.errors import CompeteError
from compete.extensions import db
from compete.people import services
from compete.people.forms import PersonForm, RegionForm, UnitForm
from compete.people.models import Person, Region, Unit
from compete.rules import idcard
from compete.web.admin import bp
from compete.web.feedback import show_error

PAGE_SIZE = 100


def _units():
    return db.session.scalars(select(Unit).order_by(Unit.name)).all()


@bp.get("/people")
def people():
    term = request.args.get("q", "").strip()[:100]
    query = select(Person).order_by(Person.name).limit(PAGE_SIZE)
    if term:
        query = query.outerjoin(Unit).where(
            or_(Person.name.contains(term), Person.id_number == idcard.normalize(term), Unit.name.contains(term))
        )
    return render_template("admin/people.html", people=db.session.scalars(query).all(), term=term)


@bp.route("/people/new", methods=["GET", "POST"])
def new_person():
    form = PersonForm(units=_units())
    if form.validate_on_submit():
        try:
            services.add_person(
                current_user,
                name=form.name.data,
                id_number=form.id_number.data,
                phone=form.phone.data,
                unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
                grade=form.grade.data,
                grade_certificate_number=form.grade_certificate_number.data,
                grade_certified_on=form.grade_certified_on.data,
            )
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s was added to the registry.", name=form.name.data), "success")
            return redirect(url_for("admin.people"))
    return render_template("admin/person_form.html", form=form)


@bp.route("/units", methods=["GET", "POST"])
def units():
    regions = db.session.scalars(select(Region).order_by(Region.code)).all()
    form = UnitForm(regions=regions)
    if form.validate_on_submit():
        try:
            services.add_unit(
                current_user,
                name=form.name.data,
                kind=form.kind.data,
                region=db.session.get(Region, form.region_id.data) if form.region_id.data else None,
                contact_phone=form.contact_phone.data or None,
            )
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Unit added."), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/units.html", units=_units(), form=form)


@bp.route("/regions", methods=["GET", "POST"])
def regions():
    all_regions = db.session.scalars(select(Region).order_by(Region.code)).all()
    form = RegionForm(regions=all_regions)
    if form.validate_on_submit():
        try:
            services.add_region(
                current_user,
                code=form.code.data,
                name=form.name.data,
                level=form.level.data,
                parent=db.session.get(Region, form.parent_id.data) if form.parent_id.data else None,
            )
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Region added."), "success")
            return redirect(url_for("admin.regions"))
    return render_template("admin/regions.html", regions=all_regions, form=form)


@bp.get("/people/<int:person_id>")
def person(person_id: int):
    from compete.certificates import services as certificate_services
    from compete.honours import registry as honours

    found = db.session.get(Person, person_id)
    if found is None:
        abort(404)
    reveal = request.args.get("reveal") == "1"
    if reveal:
        services.record_id_reveal(current_user, found)
        db.session.commit()
    return render_template(
        "admin/person.html",
        person=found,
        reveal=reveal,
        history=honours.person_history(found),
        grades=honours.grade_history(found),
        titles=honours.titles_of(found),
        nominations=honours.nominations_of(found),
        certificates=certificate_services.certificates_of(person_id=found.id),
    )
