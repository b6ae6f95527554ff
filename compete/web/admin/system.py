"""System administrator screens: accounts and the whole audit log."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from compete.accounts import services
from compete.accounts.forms import UserForm
from compete.accounts.models import User
from compete.audit import services as audit
from compete.errors import CompeteError
from compete.extensions import db
from compete.people.models import Unit
from compete.web.admin import bp
from compete.web.feedback import show_error


def _admin_only():
    if not current_user.is_admin:
        abort(403)


@bp.route("/users", methods=["GET", "POST"])
def users():
    _admin_only()
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    form = UserForm(units=units)
    if form.validate_on_submit():
        try:
            services.create_user(
                current_user,
                username=form.username.data,
                password=form.password.data,
                display_name=form.display_name.data,
                role=form.role.data,
                unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
            )
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Account created."), "success")
            return redirect(url_for("admin.users"))
    accounts = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    return render_template("admin/users.html", users=accounts, form=form)


@bp.get("/audit")
def audit_log():
    _admin_only()
    return render_template("admin/audit.html", entries=audit.recent_entries(), competition=None)
