"""The arbitration group (监督仲裁组, supervisors): appeals and the order of exact ties where ranks are not shared."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from compete.accounts.models import Role
from compete.competitions.models import Event
from compete.errors import CompeteError
from compete.extensions import db
from compete.results import appeals
from compete.results.compute import event_results
from compete.results.forms import DecisionForm, TieForm
from compete.results.models import Appeal
from compete.web.access import guard

bp = Blueprint("arbitration", __name__, url_prefix="/arbitration")
bp.before_request(guard(Role.SUPERVISOR))


@bp.get("/")
def index():
    waiting = appeals.open_appeals()
    tables = {event_id: event_results(appeal.event) for event_id, appeal in {a.event_id: a for a in waiting}.items()}
    rows = {appeal.id: _row_of(tables[appeal.event_id], appeal) for appeal in waiting}
    ties = [
        (event, computed)
        for event in _events_without_shared_ranks()
        if (computed := event_results(event)).unresolved_ties
    ]
    return render_template(
        "arbitration/index.html",
        appeals=waiting,
        rows=rows,
        ties=ties,
        decision_form=DecisionForm(),
        tie_form=TieForm(),
    )


def _row_of(table, appeal: Appeal):
    """The appealing competitor's current line; each event's results are computed once for all its appeals."""
    return next((row for row in table.rows if row.entry_id == appeal.entry_id), None)


def _events_without_shared_ranks() -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.shared_ranks.is_(False))))


@bp.post("/appeals/<int:appeal_id>")
def decide(appeal_id: int):
    appeal = db.session.get(Appeal, appeal_id) or abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose a decision and give the reason."), "danger")
        return redirect(url_for("arbitration.index"))
    return _act(
        lambda: appeals.decide_appeal(
            current_user, appeal, upheld=form.outcome.data == "upheld", decision=form.decision.data
        ),
        _("The decision is recorded."),
    )


@bp.post("/events/<int:event_id>/tie")
def order_tie(event_id: int):
    event = db.session.get(Event, event_id) or abort(404)
    form = TieForm()
    if not form.validate_on_submit():
        flash(_("Give the order and the reason."), "danger")
        return redirect(url_for("arbitration.index"))
    try:
        order = [int(part) for part in (form.order.data or "").replace("，", ",").split(",") if part.strip()]
    except ValueError:
        flash(_("Give the order as entry numbers separated by commas."), "danger")
        return redirect(url_for("arbitration.index"))
    return _act(lambda: appeals.decide_tie(current_user, event, order, form.reason.data), _("The order is recorded."))


def _act(action, done: str):
    try:
        action()
    except CompeteError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("arbitration.index"))
