"""What a load balancer or monitor asks: does this app server reach its database (and Redis)?"""

from flask import current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from compete.extensions import db
from compete.web.public import bp


@bp.get("/healthz")
def health():
    """200 with every dependency "ok", else 503 naming the one that failed; no session, no page, no personal data."""
    checks = {"database": _database()}
    if current_app.config["REDIS_URL"]:
        checks["redis"] = _redis(current_app.config["REDIS_URL"])
    healthy = all(state == "ok" for state in checks.values())
    response = jsonify(checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("health check: the database does not answer", exc_info=True)
        return "unavailable"
    return "ok"


def _redis(url: str) -> str:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except RedisError:
        current_app.logger.warning("health check: Redis does not answer", exc_info=True)
        return "unavailable"
    return "ok"
