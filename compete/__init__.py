"""compete: vocational skills competitions, from registration to verifiable certificates."""

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, then extensions, blueprints and commands."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    from compete.config import load_config

    load_config(app, config)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind nginx: the client's address (for rate limits) and scheme (for HSTS) as the proxy saw them.
        # Only these two: the Host stays what nginx passes on, and certificates' QR codes use PUBLIC_URL.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)

    from compete import models  # noqa: F401  (registers every table with SQLAlchemy)
    from compete.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
    from compete.web.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories=str(ROOT / "compete" / "translations")
    )
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from compete.web import register_web

    register_web(app)

    from compete.cli import register_commands

    register_commands(app)
    return app
