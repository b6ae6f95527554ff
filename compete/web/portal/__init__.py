"""The portal of competitors and unit contacts."""

from flask import Blueprint, render_template

from compete.accounts.models import PORTAL_ROLES
from compete.web.access import guard

bp = Blueprint("portal", __name__, url_prefix="/portal")
bp.before_request(guard(*PORTAL_ROLES))


@bp.get("/")
def index():
    return render_template("portal/index.html")
