"""Fixtures for the screens: signed-in clients for each role, English on request."""

import pytest

from compete.accounts.models import Role
from compete.extensions import db
from tests.factories import make_competition, make_event, make_user, sign_in


@pytest.fixture
def world(app):
    """Two organizers, each owning a competition, and a user of every other role."""
    with app.test_request_context():
        users = {role.value: make_user(role.value, role) for role in Role}
        users["other_organizer"] = make_user("other_organizer", Role.ORGANIZER)
        mine = make_competition(users["organizer"])
        event = make_event(users["organizer"], mine)
        theirs = make_competition(users["other_organizer"], name="2026年晋城市城区职业技能竞赛")
        make_event(users["other_organizer"], theirs, code="DG-S")
        db.session.commit()
        ids = {"mine": mine.id, "event": event.id, "theirs": theirs.id, "their_event": theirs.events[0].id}
    return ids


@pytest.fixture
def as_role(app):
    """A test client signed in as the user named after a role (see `world`), interface in English."""

    def signed_in(username: str, language: str = "en"):
        client = app.test_client()
        response = sign_in(client, username)
        assert response.status_code == 302, f"sign-in failed for {username}"
        client.post("/language", data={"locale": language})
        return client

    return signed_in
