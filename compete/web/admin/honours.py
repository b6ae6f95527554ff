"""Organizer screens of honours: policies and their preview, and outcomes applied to final results."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compete.competitions.models import Competition
from compete.errors import CompeteError
from compete.extensions import db
from compete.honours import derive, policies
from compete.honours import services as honours
from compete.honours.models import Outcome, OutcomeStatus
from compete.honours.policy_forms import (
    ApplyForm,
    ConfirmForm,
    CopyPresetForm,
    DeclineForm,
    PolicyForm,
    PreviewForm,
)
from compete.results.services import is_final
from compete.rules import policy as rules
from compete.web.access import owned_or_403
from compete.web.admin import bp
from compete.web.feedback import show_error


@bp.get("/honours")
def honours_index():
    return render_template("admin/honours.html")


@bp.get("/policies")
def policies_list():
    return render_template(
        "admin/policies.html",
        presets=rules.presets(),
        own=policies.own_policies(current_user),
        copy_form=CopyPresetForm(),
    )


@bp.post("/policies/copy/<preset_id>")
def copy_preset(preset_id: str):
    if not CopyPresetForm().validate_on_submit():
        abort(400)
    try:
        own = policies.copy_preset(current_user, preset_id)
    except CompeteError as error:
        flash(error.message, "danger")
        return redirect(url_for("admin.policies_list"))
    db.session.commit()
    flash(_("A copy you can edit was made. Check each rule against your competition's rules."), "success")
    return redirect(url_for("admin.edit_policy", policy_id=own.id))


def _own_or_404(policy_id: int):
    try:
        return policies.own_policy(current_user, policy_id)
    except CompeteError:
        abort(404)


@bp.route("/policies/<int:policy_id>", methods=["GET", "POST"])
def edit_policy(policy_id: int):
    own = _own_or_404(policy_id)
    form = PolicyForm()
    if not form.is_submitted():
        form.fill(own.data)
    elif form.add_rule.data:
        form.rules.append_entry()
    elif form.validate():
        try:
            policies.save_policy(current_user, own, form.policy_data(own.data))
        except CompeteError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved as version %(version)d.", version=own.version), "success")
            return redirect(url_for("admin.edit_policy", policy_id=own.id))
    return render_template("admin/policy_form.html", own=own, form=form)


@bp.get("/policies/preview")
def preview_policy():
    """The "rank → outcome" table of a preset or an own policy, for a chosen level, group, entrant count and grade."""
    key = request.args.get("policy", "")
    if not policies.may_use(current_user, key):
        abort(404)
    chosen, version = policies.resolve(key)
    form = PreviewForm(request.args)
    if not request.args.get("level"):
        form.level.data = next((level for rule in chosen.rules for level in rule.when.levels), "municipal-1")
    lines = policies.preview_table(chosen, **_preview_facts(form)) if form.validate() else []
    return render_template("admin/policy_preview.html", key=key, policy=chosen, version=version, form=form, lines=lines)


def _preview_facts(form: PreviewForm) -> dict:
    return {
        "level": form.level.data,
        "group": form.group.data,
        "entrants": form.entrants.data,
        "grade": form.grade.data,
    }


@bp.get("/competitions/<int:competition_id>/honours")
def competition_honours(competition_id: int):
    competition = owned_or_403(Competition, competition_id)
    recorded = honours.recorded_outcomes(competition)
    return render_template(
        "admin/competition_honours.html",
        competition=competition,
        final=is_final(competition.id),
        version=policies.resolve(competition.policy_preset)[1],
        preview=derive.preview(competition),
        recorded=[o for o in recorded if o.status != OutcomeStatus.WITHDRAWN],
        decided=honours.by_registration(o for o in recorded if o.status != OutcomeStatus.WITHDRAWN),
        withdrawn=[o for o in recorded if o.status in (OutcomeStatus.WITHDRAWN, OutcomeStatus.DECLINED)],
        apply_form=ApplyForm(),
        confirm_form=ConfirmForm(),
        decline_form=DeclineForm(),
    )


@bp.post("/competitions/<int:competition_id>/honours/apply")
def apply_policy(competition_id: int):
    competition = owned_or_403(Competition, competition_id)
    if not ApplyForm().validate_on_submit():
        abort(400)
    try:
        applied = honours.apply_policy(current_user, competition)
    except CompeteError as error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(
            _(
                "Recorded: %(recorded)d new, %(kept)d unchanged, %(withdrawn)d withdrawn.",
                recorded=applied.recorded,
                kept=applied.kept,
                withdrawn=applied.withdrawn,
            ),
            "success",
        )
    return redirect(url_for("admin.competition_honours", competition_id=competition.id))


def _outcome(outcome_id: int) -> Outcome:
    outcome = db.session.get(Outcome, outcome_id)
    if outcome is None:
        abort(404)
    owned_or_403(Competition, outcome.competition_id)
    return outcome


@bp.post("/outcomes/<int:outcome_id>/confirm")
def confirm_outcome(outcome_id: int):
    outcome = _outcome(outcome_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        honours.confirm_promotion(current_user, outcome)
    except CompeteError as error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Promotion of %(name)s confirmed.", name=outcome.person.name), "success")
    return redirect(url_for("admin.competition_honours", competition_id=outcome.competition_id))


@bp.post("/competitions/<int:competition_id>/honours/confirm-all")
def confirm_all_outcomes(competition_id: int):
    competition = owned_or_403(Competition, competition_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        count = honours.confirm_all(current_user, competition)
    except CompeteError as error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("%(count)d promotions confirmed.", count=count), "success")
    return redirect(url_for("admin.competition_honours", competition_id=competition.id))


@bp.post("/outcomes/<int:outcome_id>/decline")
def decline_outcome(outcome_id: int):
    outcome = _outcome(outcome_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for declining the promotion."), "danger")
        return redirect(url_for("admin.competition_honours", competition_id=outcome.competition_id))
    try:
        honours.decline_promotion(current_user, outcome, form.reason.data)
    except CompeteError as error:
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("The promotion of %(name)s was declined.", name=outcome.person.name), "success")
    return redirect(url_for("admin.competition_honours", competition_id=outcome.competition_id))
