"""Configuration defaults; instance/config.py and COMPETE_* environment variables override them."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

LANGUAGES = {"zh_CN": "简体中文", "en": "English"}


class DefaultConfig:
    SQLALCHEMY_DATABASE_URI = None  # resolved in load_config: SQLite in instance/ by default
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Connections each process keeps (and as many more at a peak); None: SQLAlchemy's 5 + 10. A sync worker
    # uses one at a time, and servers × workers × this must stay under PostgreSQL's max_connections.
    DATABASE_POOL_SIZE = None
    SECRET_KEY = None  # resolved in load_config: instance/secret_key, created once
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = LANGUAGES
    # A judge's tablet or an organizer's desk left signed in overnight must not stay usable.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure cookies need HTTPS end to end as the browser sees it: on in production (COMPETE_SESSION_COOKIE_SECURE=1),
    # off by default so that `make run` on http://127.0.0.1:5000 can sign in. The remember cookie follows it.
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = None  # resolved in load_config: as SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(hours=8)
    # Reverse proxies in front of the app (nginx: 1) whose X-Forwarded-For and -Proto are trusted (werkzeug ProxyFix).
    PROXY_COUNT = 0
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, which expires itself
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    LOGIN_RATE_LIMIT = "10 per minute"
    # Failed sign-ins for one username (any address) that lock it for the rest of the window; 0: no lockout.
    LOGIN_LOCKOUT_ATTEMPTS = 5
    LOGIN_LOCKOUT_MINUTES = 15
    VERIFY_RATE_LIMIT = "30 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    REDIS_URL = None
    JOBS_RUNNER = None  # resolved in load_config: "rq" with Redis, else "thread"; tests may use "inline"
    JOBS_QUEUE = "compete"
    # The chief judge's screen flags measurement marks of one criterion further apart than this share of its max.
    JOBS_TIMEOUT = 3600  # seconds an RQ worker gives one job
    # The address printed in certificates' QR codes, e.g. https://jnds.hrss.suqian.gov.cn; None: the request's host.
    PUBLIC_URL = None
    # Uploads waiting for their commit; with several app servers and workers, a folder all of them share.
    STORAGE_FOLDER = None  # resolved in load_config: instance/
    BOOTSTRAP_SERVE_LOCAL = True  # venues often have no internet: never a CDN


ENV_OVERRIDES = {
    "COMPETE_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "COMPETE_DATABASE_POOL_SIZE": "DATABASE_POOL_SIZE",
    "COMPETE_SECRET_KEY": "SECRET_KEY",
    "COMPETE_REDIS_URL": "REDIS_URL",
    "COMPETE_LOGIN_RATE_LIMIT": "LOGIN_RATE_LIMIT",
    "COMPETE_SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
    "COMPETE_PROXY_COUNT": "PROXY_COUNT",
    "COMPETE_LOGIN_LOCKOUT_ATTEMPTS": "LOGIN_LOCKOUT_ATTEMPTS",
    "COMPETE_LOGIN_LOCKOUT_MINUTES": "LOGIN_LOCKOUT_MINUTES",
    "COMPETE_JOBS_RUNNER": "JOBS_RUNNER",
    "COMPETE_JOBS_QUEUE": "JOBS_QUEUE",
    "COMPETE_PUBLIC_URL": "PUBLIC_URL",
    "COMPETE_STORAGE_FOLDER": "STORAGE_FOLDER",
}


def load_config(app, overrides: dict | None = None) -> None:
    """Defaults, then instance/config.py, then COMPETE_* environment, then explicit overrides."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    for variable, key in ENV_OVERRIDES.items():
        if variable in os.environ:
            value = os.environ[variable]
            app.config[key] = _from_environment(key, value)
    app.config.update(overrides or {})

    instance = Path(app.instance_path)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        instance.mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'compete.sqlite3'}"
    if app.config["DATABASE_POOL_SIZE"] and not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        size = app.config["DATABASE_POOL_SIZE"]
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_size": size,
            "max_overflow": size,
        }
    if not app.config["STORAGE_FOLDER"]:
        app.config["STORAGE_FOLDER"] = str(instance)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(instance)
    if not app.config["JOBS_RUNNER"]:
        # Without Redis a job runs in a thread of the app server that took the request.
        app.config["JOBS_RUNNER"] = "rq" if app.config["REDIS_URL"] else "thread"
    if app.config["REMEMBER_COOKIE_SECURE"] is None:
        app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if app.config["REDIS_URL"] and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        # Several app servers must share one login counter, or the limit multiplies by servers.
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]


INTEGER_KEYS = {"DATABASE_POOL_SIZE", "PROXY_COUNT", "LOGIN_LOCKOUT_ATTEMPTS", "LOGIN_LOCKOUT_MINUTES"}


def _from_environment(key: str, value: str):
    if key.endswith("SECURE"):
        return value.lower() in ("1", "true", "yes")
    return int(value) if key in INTEGER_KEYS else value


def _instance_secret_key(instance: Path) -> str:
    """A key kept in instance/ so that every worker signs sessions alike and restarts keep them."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
