"""Pages anyone can read: announced competitions and their events."""

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from compete.competitions.models import Competition
from compete.extensions import db
from compete.registration.services import registration_by_ticket

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    competitions = db.session.scalars(
        select(Competition)
        .where(Competition.announced.is_(True))
        .order_by(Competition.starts_on.desc(), Competition.id.desc())
    ).all()
    return render_template("public/index.html", competitions=competitions)


@bp.get("/competitions/<int:competition_id>")
def competition(competition_id: int):
    competition = db.session.get(Competition, competition_id)
    if competition is None or not competition.announced:
        abort(404)  # an unannounced competition does not exist for the public
    return render_template("public/competition.html", competition=competition)


@bp.get("/tickets/<token>")
def ticket(token: str):
    """What an admission ticket's QR code opens: the ticket's own facts and whether it is still valid."""
    registration = registration_by_ticket(token)
    if registration is None:
        abort(404)
    return render_template("public/ticket.html", registration=registration)


from compete.web.public import health, results, verify  # noqa: E402, F401
