"""Organizer screens of selection rounds (评选): the title catalogue, rounds, candidates, review scores, approval."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from compete.accounts.models import User
from compete.columns import local_now
from compete.errors import CompeteError
from compete.extensions import db
from compete.honours import eligibility, forms, review
from compete.honours import selection as services
from compete.honours.models import Candidate, HonourTitle, RoundStage, SelectionRound
from compete.people.models import Person, Region, Unit
from compete.rules import idcard
from compete.web.access import owned_or_403
from compete.web.admin import bp
from compete.web.feedback import show_error

SEARCH_LIMIT = 20


def _round(round_id: int) -> SelectionRound:
    return owned_or_403(SelectionRound, round_id)


def _regions():
    return db.session.scalars(select(Region).order_by(Region.code)).all()


def _units():
    return db.session.scalars(select(Unit).order_by(Unit.name)).all()


@bp.get("/selection")
def selection_rounds(title_form=None, round_form=None):
    catalogue = services.titles()
    rounds = services.rounds_of(current_user)
    return render_template(
        "admin/selection_rounds.html",
        titles=catalogue,
        rounds=rounds,
        counts=services.round_counts(rounds),
        title_form=title_form or forms.TitleForm(),
        round_form=round_form or forms.RoundForm(titles=catalogue, regions=_regions(), year=_this_year()),
        describe=eligibility.describe_requirement,
        names=forms,
    )


def _this_year() -> int:
    return local_now().year


@bp.post("/selection/titles")
def add_selection_title():
    form = forms.TitleForm()
    if form.validate_on_submit():
        try:
            services.add_title(
                current_user, name=form.name.data, level=form.level.data, awarding_body=form.awarding_body.data
            )
        except CompeteError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s was added to the catalogue.", name=form.name.data), "success")
            return redirect(url_for("admin.selection_rounds"))
    return selection_rounds(title_form=form)


@bp.post("/selection/rounds")
def create_selection_round():
    form = forms.RoundForm(titles=services.titles(), regions=_regions())
    if form.validate_on_submit():
        try:
            created = services.create_round(
                current_user,
                title=db.session.get(HonourTitle, form.title_id.data),
                year=form.year.data,
                quota=form.quota.data,
                region=db.session.get(Region, form.region_id.data) if form.region_id.data else None,
                eligibility=form.eligibility(),
            )
        except CompeteError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("The round is open for recommendations."), "success")
            return redirect(url_for("admin.selection_round", round_id=created.id))
    return selection_rounds(round_form=form)


def _search(term: str):
    if not term:
        return []
    query = select(Person).where(or_(Person.name.contains(term), Person.id_number == idcard.normalize(term)))
    return db.session.scalars(query.order_by(Person.name).limit(SEARCH_LIMIT)).all()


def _problems(chosen: SelectionRound, candidates, held) -> dict:
    """Each candidate's eligibility problems while the round is open (once closed, winners hold the title)."""
    if chosen.stage == RoundStage.CLOSED:
        return {c.id: [] for c in candidates}
    return {c.id: eligibility.eligibility_problems(chosen, c.person, held.get(c.person_id, [])) for c in candidates}


@bp.get("/selection/<int:round_id>")
def selection_round(round_id: int, **given):
    chosen = _round(round_id)
    rows = review.standings(chosen)
    candidates = [row.candidate for row in rows]
    held = eligibility.held_titles([c.person_id for c in candidates])
    term = request.args.get("q", "").strip()[:100]
    found = _search(term) if chosen.stage == RoundStage.RECOMMENDATION else []
    return render_template(
        "admin/selection_round.html",
        round=chosen,
        rows=rows,
        held=held,
        problems=_problems(chosen, candidates, held),
        stages=services.STAGE_ORDER,
        next_stage=services.next_stage(chosen.stage),
        blockers=services.advance_blockers(chosen),
        term=term,
        found=found,
        found_problems={p.id: eligibility.eligibility_problems(chosen, p) for p in found},
        already={c.person_id for c in candidates},
        describe=eligibility.describe_requirement,
        min_reviewers=services.MIN_REVIEWERS,
        names=forms,
        recommend_form=given.get("recommend_form") or forms.RecommendForm(units=_units()),
        score_form=given.get("score_form") or forms.ScoreForm(candidates=candidates, reviewers=review.reviewers()),
        advance_form=forms.AdvanceForm(to=services.next_stage(chosen.stage) or ""),
        approve_form=given.get("approve_form") or forms.ApproveForm(),
    )


def _refused(form, error: CompeteError, round_id: int, form_name: str):
    """The page again with the service's message beside its field, the typed values kept."""
    db.session.rollback()
    show_error(form, error)
    return selection_round(round_id, **{form_name: form})


@bp.post("/selection/<int:round_id>/recommend")
def recommend_candidate(round_id: int):
    chosen = _round(round_id)
    form = forms.RecommendForm(units=_units())
    if not form.validate_on_submit():
        return selection_round(round_id, recommend_form=form)
    person = db.session.get(Person, form.person_id.data) or abort(404)
    try:
        services.recommend(
            current_user,
            chosen,
            person,
            unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
            note=form.note.data or "",
        )
    except CompeteError as error:
        return _refused(form, error, round_id, "recommend_form")
    db.session.commit()
    flash(_("%(name)s is a candidate now.", name=person.name), "success")
    return redirect(url_for("admin.selection_round", round_id=chosen.id))


@bp.post("/selection/<int:round_id>/scores")
def record_review_score(round_id: int):
    chosen = _round(round_id)
    form = forms.ScoreForm(candidates=chosen.candidates, reviewers=review.reviewers())
    if not form.validate_on_submit():
        return selection_round(round_id, score_form=form)
    candidate = db.session.get(Candidate, form.candidate_id.data)
    reviewer = db.session.get(User, form.reviewer_id.data)
    if candidate is None or candidate.round_id != chosen.id or reviewer is None:
        abort(404)
    try:
        review.record_score(current_user, candidate, reviewer, form.score.data, form.comment.data or "")
    except CompeteError as error:
        return _refused(form, error, round_id, "score_form")
    db.session.commit()
    flash(_("The score of %(name)s is recorded.", name=candidate.person.name), "success")
    return redirect(url_for("admin.selection_round", round_id=chosen.id))


@bp.post("/selection/<int:round_id>/advance")
def advance_selection_round(round_id: int):
    chosen = _round(round_id)
    form = forms.AdvanceForm()
    if not form.validate_on_submit():  # only the CSRF token to check; the service checks the stage named
        abort(400)
    try:
        stage = services.advance_stage(current_user, chosen, to=form.to.data or None)
    except CompeteError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(_("The round is at the stage: %(stage)s.", stage=str(forms.ROUND_STAGES[stage.value])), "success")
    return redirect(url_for("admin.selection_round", round_id=chosen.id))


@bp.post("/selection/<int:round_id>/approve")
def approve_selection_round(round_id: int):
    chosen = _round(round_id)
    form = forms.ApproveForm()
    if not form.validate_on_submit():
        return selection_round(round_id, approve_form=form)
    try:
        awarded = services.approve(current_user, chosen, form.candidate_ids.data or [], form.awarded_on.data)
    except CompeteError as error:
        return _refused(form, error, round_id, "approve_form")
    db.session.commit()
    flash(_("Titles awarded: %(count)d. The round is closed.", count=len(awarded)), "success")
    return redirect(url_for("admin.selection_round", round_id=chosen.id))
