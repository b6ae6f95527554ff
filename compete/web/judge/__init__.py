"""Venue staff: judges, chief judges, encryption officers and supervisors."""

from flask import Blueprint, render_template

from compete.accounts.models import VENUE_ROLES
from compete.web.access import guard

bp = Blueprint("judge", __name__, url_prefix="/judge")
bp.before_request(guard(*VENUE_ROLES))


@bp.get("/")
def index():
    return render_template("judge/index.html")
