"""The tablet's JSON API (/api/v1): a judge's stations, their marks, mark entry with idempotency keys."""

from flask import Blueprint, g, jsonify, request, session
from flask_babel import gettext as _
from flask_login import current_user

from compete.accounts.models import Role
from compete.errors import CompeteError, NotAllowed
from compete.extensions import db
from compete.scoring import services as scoring
from compete.scoring import signoff
from compete.venue import judging
from compete.web.api.openapi import SPEC
from compete.web.judge import LINK_SESSION_KEY, judge_link_problem

bp = Blueprint("api", __name__, url_prefix="/api/v1")
STATUS = {"NotAllowed": 403, "NotFound": 404, "Conflict": 409, "InvalidInput": 422}


def error(message, status: int, field: str | None = None):
    return jsonify({"error": str(message), "field": field}), status


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)


@bp.before_request
def judges_by_link_only():
    """Only a tablet signed in by a judge's badge link, while that link holds; the description is public."""
    if request.endpoint == "api.openapi":
        return None
    if not current_user.is_authenticated:
        return error(_("Sign in by scanning your badge."), 401)
    if current_user.role != Role.JUDGE or LINK_SESSION_KEY not in session:
        return error(_("Only a judge's tablet signed in by a badge link can use this."), 403)
    problem = judge_link_problem()
    if problem is not None:
        return error(problem, 401)
    return None


@bp.errorhandler(CompeteError)
def refused(exception: CompeteError):
    db.session.rollback()
    return error(exception.message, STATUS.get(type(exception).__name__, 400), exception.field)


def _station_or_403(station: int) -> int:
    if station not in judging.stations_of(g.judge_link.judge, g.judge_link.event):
        raise NotAllowed(_("Station %(station)s is not assigned to you.", station=station), "station")
    return station


def _sheet_json(judge, event, station: int) -> dict:
    marks = scoring.marks_of(judge, event, station)
    sheet = signoff.sheet_of(judge, event, station)
    return {
        "station": station,
        "submitted": sheet is not None and sheet.submitted_at is not None,
        "marked": len(marks),
        "total": len(event.criteria),
        "marks": {
            str(criterion_id): {"value": str(mark.value), "version": mark.version}
            for criterion_id, mark in marks.items()
        },
    }


@bp.get("/stations")
def stations():
    link = g.judge_link
    return jsonify(
        {
            "event": {"code": link.event.code, "name": link.event.name},
            "stations": [_sheet_json(link.judge, link.event, s) for s in judging.stations_of(link.judge, link.event)],
        }
    )


@bp.get("/stations/<int:station>")
def station_sheet(station: int):
    link = g.judge_link
    return jsonify(_sheet_json(link.judge, link.event, _station_or_403(station)))


@bp.put("/stations/<int:station>/marks/<int:criterion_id>")
def put_mark(station: int, criterion_id: int):
    """Store one mark: {"value": "42.5", "base_version": 0, "key": "<unique per change>"}."""
    link = g.judge_link
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(_("Send the mark as a JSON object."), 422)
    base_version = body.get("base_version")
    if not isinstance(base_version, int) or isinstance(base_version, bool) or base_version < 0:
        return error(_("The change must say which version of the mark it replaces."), 422, "base_version")
    if not isinstance(body.get("value"), str):
        # A JSON number went through the sender's binary floating point: 0.1 may already be 0.1000000000000000055.
        return error(_('Send the mark as text, such as "42.5".'), 422, "value")
    key = body.get("key")
    saved = scoring.submit_mark(
        link.judge,
        link.event,
        station,
        criterion_id,
        scoring.parse_value(body["value"]),
        base_version=base_version,
        idempotency_key=key if isinstance(key, str) else "",  # no key, or not text: refused as missing
        device=request.user_agent.string or "",
    )
    db.session.commit()
    return jsonify({"value": str(saved.value), "version": saved.version, "replayed": saved.replayed})


@bp.post("/stations/<int:station>/submit")
def submit_station(station: int):
    link = g.judge_link
    signoff.submit_sheet(link.judge, link.event, station)
    db.session.commit()
    return jsonify(_sheet_json(link.judge, link.event, station))
