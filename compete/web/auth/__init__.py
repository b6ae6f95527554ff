"""Signing in and out, and choosing the interface language."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from compete.accounts import services as accounts
from compete.accounts.forms import LanguageForm, LoginForm
from compete.accounts.models import PORTAL_ROLES, STAFF_ROLES, VENUE_ROLES
from compete.extensions import db, limiter

bp = Blueprint("auth", __name__)


def home_for(user) -> str:
    if user.role in STAFF_ROLES:
        return url_for("admin.index")
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
        user = accounts.authenticate(form.username.data, form.password.data)
        if user is None:
            form.password.errors = [_("The username or password is wrong.")]
        else:
            db.session.commit()
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or home_for(user))
    return render_template("auth/login.html", form=form)


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
