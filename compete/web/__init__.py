"""The web layer: one blueprint per role, error pages, and what every template may use."""

import json
from contextlib import suppress
from datetime import datetime

from flask import Flask, g, jsonify, render_template, request
from flask_babel import format_date, format_datetime, get_locale, to_user_timezone
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from compete import labels
from compete.extensions import db, login_manager
from compete.labels import is_chinese, localized
from compete.rules import grades, idcard
from compete.web.security import register_security


def register_web(app: Flask) -> None:
    from compete.web.admin import bp as admin_bp
    from compete.web.api import bp as api_bp
    from compete.web.arbitration import bp as arbitration_bp
    from compete.web.auth import bp as auth_bp
    from compete.web.judge import bp as judge_bp
    from compete.web.officer import bp as officer_bp
    from compete.web.portal import bp as portal_bp
    from compete.web.public import bp as public_bp

    for blueprint in (public_bp, auth_bp, admin_bp, judge_bp, officer_bp, portal_bp, api_bp, arbitration_bp):
        app.register_blueprint(blueprint)

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "warning"
    login_manager.user_loader(_load_user)

    app.jinja_env.globals.update(
        localized=localized,
        is_chinese=is_chinese,
        grade_of=grades.get,
        labels=labels,
        languages=app.config["LANGUAGES"],
        level_name=labels.level_name,
        preset_name=labels.preset_name,
        format_datetime=format_datetime,  # stored in UTC, shown in the bureau's time zone
    )
    app.jinja_env.filters["mask_id"] = lambda number: idcard.mask(number) if number else "—"
    app.jinja_env.filters["num"] = labels.plain_number
    app.jinja_env.filters["localdate"] = _local_date
    app.jinja_env.filters["pretty_json"] = lambda value: json.dumps(value, ensure_ascii=False, indent=1)
    _register_error_pages(app)
    register_security(app)


def _local_date(value) -> str:
    """A date in the reader's language; a stored (UTC) time becomes the bureau's calendar day first."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return format_date(value, "long")


def _load_user(user_id: str):
    from compete.accounts.models import User

    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You are not allowed to open this page"),
    404: _l("Page not found"),
    405: _l("This action is not available here"),
    413: _l("The file is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The database cannot be reached at the moment"),
}
ERROR_HINTS = {
    400: _l("Go back, check what you entered and try again."),
    403: _l("Your account has no access to this page. Sign in with another account if you have one."),
    404: _l("The address may be mistyped, or the item was removed."),
    405: _l("Go back and use the buttons on the page."),
    413: _l("Choose a smaller file and try again."),
    429: _l("Please wait a minute before trying again."),
    500: _l("The error has been logged. Please try again; nothing you entered was half-saved."),
    503: _l(
        "Nothing of this request was saved. Try again in a minute; a judge's tablet sends its marks again by itself."
    ),
}
# The database is down, restarting or out of connections: the same request will work again later.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)
RETRY_AFTER_SECONDS = 30


def _register_error_pages(app: Flask) -> None:
    def render_error(code: int, hint=None, headers=()):
        db.session.rollback()  # whatever the failed request began must not linger
        title = ERROR_TITLES[code]
        if request.path.startswith("/api/"):
            return jsonify({"error": str(hint or title), "field": None}), code, headers
        page = render_template("errors/error.html", code=code, title=title, hint=hint or ERROR_HINTS[code])
        return page, code, headers

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, lambda error, code=code: render_error(code, headers=_kept_headers(error)))

    def database_unreachable(error):
        app.logger.error("Database unreachable on %s: %s", request.path, error)
        _forget_the_database()
        return render_error(503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    for exception in DATABASE_UNREACHABLE:
        app.register_error_handler(exception, database_unreachable)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        app.logger.info("CSRF refused on %s", request.path)
        return render_error(400, _l("The form expired or was sent twice. Reload the page and submit it again."))


def _kept_headers(error) -> list[tuple[str, str]]:
    """The headers an HTTP error carries (a 405's Allow, a 429's Retry-After), but not its HTML content type."""
    if not isinstance(error, HTTPException):
        return []
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]


def _forget_the_database() -> None:
    """Let the error page render without a query: the account's language if it is in memory, then no account."""
    if "_login_user" in g:
        with suppress(SQLAlchemyError):  # an account already expired: the session's language, then the default
            get_locale()
    g._login_user = login_manager.anonymous_user()
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.remove()
