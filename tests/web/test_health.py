"""The health check a load balancer polls: 200 when the database (and Redis) answer, 503 naming what does not."""

from sqlalchemy.exc import OperationalError

from compete.extensions import db


def test_a_healthy_server_answers_200_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_a_server_without_its_database_answers_503(app, client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"database": "unavailable"}


def test_redis_is_checked_when_configured(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"database": "ok", "redis": "unavailable"}
