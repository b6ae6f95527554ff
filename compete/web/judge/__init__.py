"""Judges at the venue: a tablet signs in by the private link on the judge's badge and sees station numbers only."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from compete.accounts.models import VENUE_ROLES, Role
from compete.errors import CompeteError
from compete.extensions import db
from compete.scoring import scores, signoff
from compete.scoring import services as scoring
from compete.venue import judging, services
from compete.venue.forms import ActionForm, CorrectionForm, ReopenForm
from compete.venue.models import Judge, JudgeLink, PanelRole
from compete.web.access import guard

bp = Blueprint("judge", __name__, url_prefix="/judge")
LINK_SESSION_KEY = "judge_link_id"
OPEN_ENDPOINTS = {"judge.link_sign_in"}
_check_role = guard(*VENUE_ROLES)


def judge_link_problem():
    """For a judge signed in by a badge link: why that link no longer holds (signing them out), else None."""
    # The judge and the event come with the link in one query: this runs before every request of every tablet.
    link = db.session.get(
        JudgeLink, session[LINK_SESSION_KEY], options=[joinedload(JudgeLink.judge), joinedload(JudgeLink.event)]
    )
    problem = judging.link_problem(link)
    if problem is None and link.judge.user_id != current_user.id:
        abort(403)
    if problem is not None:
        logout_user()
        session.pop(LINK_SESSION_KEY, None)
        return problem
    g.judge_link = link
    return None


@bp.before_request
def guard_judges():
    """Venue roles only; a judge's session holds only while the link that opened it is still valid."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    refused = _check_role()
    if refused is not None:
        return refused
    if current_user.role != Role.JUDGE or LINK_SESSION_KEY not in session:
        return None  # signed in with a password: no event's stations until a badge link is scanned
    problem = judge_link_problem()
    if problem is not None:
        return render_template("judge/link_refused.html", message=problem), 403
    return None


@bp.get("/link/<token>")
def link_sign_in(token: str):
    """Opened by scanning the badge: signs this tablet in as that judge, for that event only."""
    link = judging.link_by_token(token)
    problem = judging.link_problem(link)
    if problem is not None:
        judging.record_refused_link(token, problem)
        db.session.commit()
        return render_template("judge/link_refused.html", message=problem), 403
    logout_user()
    session.clear()
    login_user(link.judge.user)
    session.permanent = True
    session[LINK_SESSION_KEY] = link.id
    judging.record_link_sign_in(link, request.user_agent.string or "")
    db.session.commit()
    return redirect(url_for("judge.index"))


@bp.get("/")
def index():
    link = g.get("judge_link")
    if link is None:
        return render_template("judge/index.html", link=None)
    seat = judging.seat_of(link.judge, link.event)
    chief = seat is not None and seat.role == PanelRole.CHIEF
    return render_template(
        "judge/index.html",
        link=link,
        event=link.event,
        chief=chief,
        stations=judging.stations_of(link.judge, link.event),
        all_stations=judging.station_judges(link.event) if chief else None,
    )


@bp.get("/stations/<int:station>")
def station(station: int):
    """The marking sheet of one station, for the tablet: criteria, current marks, and the offline queue."""
    link = g.get("judge_link")
    if link is None or station not in judging.stations_of(link.judge, link.event):
        abort(404)
    event = link.event
    sheet = signoff.sheet_of(link.judge, event, station)
    marks = scoring.marks_of(link.judge, event, station)
    criteria = [
        {
            "id": c.id,
            "code": c.code,
            "name": c.name,
            "kind": str(c.kind),
            "max": c.max_mark,
            "step": c.step,
            "value": marks[c.id].value if c.id in marks else None,
            "version": marks[c.id].version if c.id in marks else 0,
        }
        for c in event.criteria
    ]
    return render_template(
        "judge/station.html",
        link=link,
        event=event,
        station=station,
        criteria=criteria,
        submitted=sheet is not None and sheet.submitted_at is not None,
    )


def _chief_link():
    link = g.get("judge_link")
    seat = judging.seat_of(link.judge, link.event) if link is not None else None
    if seat is None or seat.role != PanelRole.CHIEF:
        abort(403)
    return link


@bp.get("/chief")
def chief():
    """Stations × criteria with each judge's marks, discrepancies, re-mark requests and the lock."""

    link = _chief_link()
    event = link.event
    return render_template(
        "judge/chief.html",
        event=event,
        rows=signoff.chief_matrix(event),
        times={score.entry.station_number: score.time_used_minutes for score in scores.scores_by_entry(event).values()},
        problems=signoff.lock_problems(event),
        locked=services.event_day(event).marks_locked_at is not None,
        reopen_form=ReopenForm(),
        lock_form=ActionForm(),
        correction_form=_correction_form(event),
    )


@bp.post("/chief/reopen")
def chief_reopen():

    link = _chief_link()
    form = ReopenForm()
    judge = db.session.get(Judge, int(form.judge_id.data or 0))
    if not form.validate_on_submit() or judge is None or not (form.station.data or "").isdigit():
        flash(form.reason.errors[0] if form.reason.errors else _("Say why the station is reopened."), "danger")
        return redirect(url_for("judge.chief"))
    try:
        signoff.reopen_sheet(current_user, link.event, int(form.station.data), judge, form.reason.data)
    except CompeteError as error:
        flash(str(error.message), "danger")
        return redirect(url_for("judge.chief"))
    db.session.commit()
    flash(
        _("%(name)s is asked to re-mark station %(station)s.", name=judge.person.name, station=form.station.data),
        "success",
    )
    return redirect(url_for("judge.chief"))


@bp.post("/chief/lock")
def chief_lock():

    link = _chief_link()
    if ActionForm().validate_on_submit():
        try:
            signoff.lock_event(current_user, link.event)
        except CompeteError as error:
            flash(str(error.message), "danger")
            return redirect(url_for("judge.chief"))
        db.session.commit()
        flash(_("The marks of this event are locked."), "success")
    return redirect(url_for("judge.chief"))


@bp.post("/chief/time")
def chief_time():
    """Minutes used at a station, for the tie-break, typed by the chief judge from the timekeeper's sheet."""
    link = _chief_link()
    station = request.form.get("station", "")
    if not station.isdigit():
        abort(404)
    try:
        minutes = scoring.parse_value(request.form.get("minutes", ""))
        scores.set_time_used(current_user, link.event, int(station), minutes)
    except CompeteError as error:
        flash(f"{_('Station')} {station}: {error.message}", "danger")
        return redirect(url_for("judge.chief"))
    db.session.commit()
    return redirect(url_for("judge.chief"))


def _correction_form(event) -> CorrectionForm:
    choices = [
        (mark.id, f"{mark.station_number} · {mark.criterion.code} · {mark.judge.person.name} · {mark.value}")
        for mark in signoff.event_marks(event)
    ]
    return CorrectionForm(marks=choices)


@bp.post("/chief/correct")
def chief_correct():
    """A correction after the lock: its reason and its witness stay in the mark's versions and the audit log."""
    link = _chief_link()
    form = _correction_form(link.event)
    if not form.validate_on_submit():
        flash(_("Choose the mark, the corrected value, the reason and the supervisor's credentials."), "danger")
        return redirect(url_for("judge.chief"))
    mark = next(m for m in signoff.event_marks(link.event) if m.id == form.mark.data)
    try:
        witness = services.witness(form.witness_username.data, form.witness_password.data)
        if services.event_day(link.event).marks_locked_at is None:
            raise CompeteError(_("Before the lock, ask the judge to re-mark instead."))
        scoring.correct_mark(
            current_user, witness, link.event, mark, scoring.parse_value(form.value.data), form.reason.data
        )
    except CompeteError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(url_for("judge.chief"))
    db.session.commit()
    flash(_("The mark is corrected; the change is in the trail."), "success")
    return redirect(url_for("judge.chief"))
