"""Access checks shared by the role blueprints."""

from flask import abort
from flask_login import current_user

from compete.accounts.models import Role
from compete.competitions.models import Event
from compete.extensions import db


def guard(*roles: Role):
    """A before_request hook: signed in with one of these roles, or 401/403 for every route."""
    allowed = frozenset(roles)

    def check_role():
        if not current_user.is_authenticated:
            from compete.extensions import login_manager

            return login_manager.unauthorized()
        if current_user.role not in allowed:
            abort(403)

    return check_role


def owned_or_403(model, object_id: int, competition_of=lambda obj: obj):
    """Load by id (404 when missing) and allow only the owning organizer or an admin (403)."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    competition = competition_of(obj)
    if not current_user.is_admin and competition.owner_id != current_user.id:
        abort(403)
    return obj


def owned_event(event_id: int):
    """An event of a competition the current organizer owns (404 when missing, 403 when someone else's)."""
    return owned_or_403(Event, event_id, competition_of=lambda event: event.competition)
