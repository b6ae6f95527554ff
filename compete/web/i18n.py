"""Choosing the interface language and showing domain names in it."""

from flask import current_app, has_request_context, session
from flask_login import current_user


def select_locale() -> str:
    """The user's saved choice, else this browser's choice, else Simplified Chinese."""
    if not has_request_context():  # commands and jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]
