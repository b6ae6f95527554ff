"""Signing in and out, and choosing the interface language."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from compete.accounts import services as accounts
from compete.accounts.forms import LanguageForm, LoginForm
from compete.accounts.lockout import AccountLocked
from compete.accounts.models import PORTAL_ROLES, STAFF_ROLES, VENUE_ROLES, Role
from compete.errors import CompeteError
from compete.extensions import db, limiter
from compete.people.models import Unit
from compete.registration.forms import SignupForm
from compete.web.feedback import show_error

bp = Blueprint("auth", __name__)


def home_for(user) -> str:
    if user.role in STAFF_ROLES:
        return url_for("admin.index")
    if user.role == Role.ENCRYPTION_OFFICER:
        return url_for("officer.index")
    if user.role in VENUE_ROLES:
        return url_for("judge.index")
    if user.role in PORTAL_ROLES:
        return url_for("portal.index")
    return url_for("public.index")


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: an open redirect would let a phishing link borrow our sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.username.data, form.password.data)
        except AccountLocked as locked:
            form.password.errors = [locked.message]
            return render_template("auth/login.html", form=form)
        if user is None:
            form.password.errors = [_("The username or password is wrong.")]
        else:
            db.session.commit()
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or home_for(user))
    return render_template("auth/login.html", form=form)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def signup():
    """A competitor creates their own account, then registers for events from the portal."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignupForm(units=db.session.scalars(select(Unit).order_by(Unit.name)).all())
    if form.validate_on_submit():
        try:
            user = accounts.sign_up_competitor(
                name=form.name.data,
                id_number=form.id_number.data,
                phone=form.phone.data,
                unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
                grade=form.grade.data,
                username=form.username.data,
                password=form.password.data,
            )
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            session.permanent = True
            login_user(user)
            flash(_("Welcome, %(name)s. Choose an event to register for.", name=user.display_name), "success")
            return redirect(url_for("portal.index"))
    return render_template("auth/signup.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("public.index"))


@bp.post("/language")
def language():
    form = LanguageForm()
    languages = current_app.config["LANGUAGES"]
    if form.validate_on_submit() and form.locale.data in languages:
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            accounts.set_locale(current_user, form.locale.data, languages)
            db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("public.index"))
