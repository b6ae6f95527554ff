"""Organizer and system-administrator screens."""

from flask import Blueprint

from compete.accounts.models import STAFF_ROLES
from compete.web.access import guard

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(guard(*STAFF_ROLES))

from compete.web.admin import (  # noqa: E402, F401
    archive,
    certificates,
    competitions,
    events,
    honours,
    imports,
    jobs,
    judges,
    registrations,
    registry,
    results,
    scores,
    selection,
    system,
    targets,
    venue,
)
