"""Forms of the policy screens: the rule editor (no YAML typing), the preview and the outcome decisions."""

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from compete import labels
from compete.forms_base import ExactDecimalField, MultiCheckboxField, optional, text_field
from compete.rules import awards
from compete.rules.levels import LEVELS

REQUIRED = InputRequired(message=_l("This field is required."))
ALL_AWARDS = tuple(name for names in awards.AWARD_NAMES.values() for name in names)
# Titles are typed one after another, separated by commas or the Chinese 、 and ，.
TITLE_SEPARATORS = re.compile(r"[,，、;；\n]+")


def _titles(text: str | None) -> list[str]:
    return [title.strip() for title in TITLE_SEPARATORS.split(text or "") if title.strip()]


class RuleForm(Form):
    """One row of the rule table; an empty row is ignored."""

    rule_id = text_field(_l("Name"), 40, optional())
    text = text_field(_l("Wording of the published rule"), 200, optional())
    levels = MultiCheckboxField(_l("Competition levels (none ticked: any)"))
    group = SelectField(_l("Group"))
    rank_from = IntegerField(_l("From rank"), validators=[optional(), NumberRange(1, 100000)])
    rank_to = IntegerField(_l("To rank (empty: no limit)"), validators=[optional(), NumberRange(1, 100000)])
    top_share = ExactDecimalField(_l("Top share of entrants (%)"), validators=[optional()])
    awards = MultiCheckboxField(_l("Awards (any of)"))
    must_pass = BooleanField(_l("Only who reached the pass mark"))
    team_size = IntegerField(_l("Team size"), validators=[optional(), NumberRange(1, 10)])
    grant = text_field(_l("Grant titles"), 300, optional())
    nominate = text_field(_l("Nominate for titles"), 300, optional())
    promote_to = SelectField(_l("Promote to"))
    promote_steps = IntegerField(_l("Or promote by levels"), validators=[optional(), NumberRange(1, 3)])
    already = SelectField(_l("Who already holds that grade"))
    precedence = IntegerField(_l("Precedence (1 first)"), validators=[optional(), NumberRange(1, 99)])
    remove = BooleanField(_l("Remove this rule"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels.choices = [(level.code, labels.localized(level)) for level in LEVELS]
        self.group.choices = [("", _l("Any group")), ("worker", _l("Workers")), ("student", _l("Students"))]
        self.awards.choices = [(name, labels.label(labels.AWARDS, name)) for name in ALL_AWARDS]
        self.promote_to.choices = labels.grade_choices(blank_label=_l("No promotion"))
        self.already.choices = [
            ("", _l("As the policy says")),
            ("next", _l("The next grade")),
            ("nothing", _l("Nothing")),
        ]

    def is_empty(self) -> bool:
        filled = (self.rule_id, self.text, self.grant, self.nominate, self.promote_to, self.promote_steps)
        return not any(field.data for field in filled)

    def rule_data(self) -> dict:
        ranked = self.rank_from.data or self.rank_to.data
        when = {
            "levels": list(self.levels.data or []),
            "group": self.group.data or None,
            "ranks": [self.rank_from.data or 1, self.rank_to.data] if ranked else None,
            "top_share": str(self.top_share.data / 100) if self.top_share.data is not None else None,
            "awards": list(self.awards.data or []),
            "must_pass": bool(self.must_pass.data),
            "team_size": self.team_size.data,
        }
        data = {
            "id": self.rule_id.data,
            "text": self.text.data,
            "when": {key: value for key, value in when.items() if value not in (None, [], False)},
            "grant": _titles(self.grant.data),
            "nominate": _titles(self.nominate.data),
            "precedence": self.precedence.data,
        }
        if self.promote_to.data or self.promote_steps.data:
            promote = {
                "to": self.promote_to.data or None,
                "steps": self.promote_steps.data,
                "already": self.already.data,
            }
            data["promote"] = {key: value for key, value in promote.items() if value}
        return {key: value for key, value in data.items() if value not in (None, [])}

    def fill(self, rule: dict) -> None:
        when = rule.get("when", {})
        ranks = when.get("ranks") or [None, None]
        promote = rule.get("promote") or {}
        self.rule_id.data, self.text.data = rule.get("id"), rule.get("text")
        self.levels.data, self.group.data = when.get("levels", []), when.get("group") or ""
        self.rank_from.data, self.rank_to.data = ranks
        share = when.get("top_share")
        self.top_share.data = None if share is None else Decimal(share) * 100
        self.awards.data, self.must_pass.data = when.get("awards", []), when.get("must_pass", False)
        self.team_size.data = when.get("team_size")
        self.grant.data, self.nominate.data = "、".join(rule.get("grant", [])), "、".join(rule.get("nominate", []))
        self.promote_to.data, self.promote_steps.data = promote.get("to") or "", promote.get("steps")
        self.already.data, self.precedence.data = promote.get("already") or "", rule.get("precedence")


class PolicyForm(FlaskForm):
    name_zh = text_field(_l("Name (Chinese)"), 100, REQUIRED)
    name_en = text_field(_l("Name (English)"), 100, REQUIRED)
    citation = text_field(_l("Document it follows"), 300, optional())
    award_scheme = SelectField(_l("Award scheme used by the rules"))
    cap = SelectField(_l("Competition promotion stops at"))
    already_holds = SelectField(_l("Who already holds the target grade gets"))
    one_promotion_per_year = BooleanField(_l("At most one competition promotion per person per calendar year"))
    student_one_less = BooleanField(_l("Student groups get one grade less than workers"))
    proposed = BooleanField(_l("Promotions are proposed and need the organizer's confirmation"))
    rules = FieldList(FormField(RuleForm), min_entries=1)
    add_rule = SubmitField(_l("Add a rule"))
    submit = SubmitField(_l("Save as a new version"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.award_scheme.choices = labels.choices(labels.AWARD_SCHEMES)
        self.cap.choices = [
            (code, name) for code, name in labels.grade_choices(blank_label=_l("No cap")) if code in ("", "g2", "g1")
        ]
        self.already_holds.choices = [("next", _l("The next grade")), ("nothing", _l("Nothing"))]

    def fill(self, data: dict) -> None:
        switches = data["switches"]
        self.name_zh.data, self.name_en.data = data["name"]["zh"], data["name"]["en"]
        self.citation.data, self.award_scheme.data = data.get("citation", ""), data["award_scheme"]
        self.cap.data, self.already_holds.data = switches["cap"] or "", switches["already_holds"]
        self.one_promotion_per_year.data = switches["one_promotion_per_year"]
        self.student_one_less.data, self.proposed.data = switches["student_one_less"], switches["proposed"]
        while len(self.rules.entries):
            self.rules.pop_entry()
        for rule in data["rules"]:
            self.rules.append_entry()
            self.rules.entries[-1].form.fill(rule)

    def policy_data(self, stored: dict) -> dict:
        """The policy as data: the stored one with what the form changed; empty and removed rows left out."""
        rules = [row.form.rule_data() for row in self.rules if not row.form.remove.data and not row.form.is_empty()]
        return {
            **stored,
            "name": {"zh": self.name_zh.data, "en": self.name_en.data},
            "citation": self.citation.data or "",
            "award_scheme": self.award_scheme.data,
            "switches": {
                "cap": self.cap.data or None,
                "one_promotion_per_year": self.one_promotion_per_year.data,
                "already_holds": self.already_holds.data,
                "student_one_less": self.student_one_less.data,
                "proposed": self.proposed.data,
            },
            "rules": rules,
        }


class PreviewForm(FlaskForm):
    """The "rank → outcome" preview: read from the query string, so it needs no CSRF token."""

    class Meta:
        csrf = False

    level = SelectField(_l("Competition level"))
    group = SelectField(_l("Group"))
    entrants = IntegerField(_l("Ranked entrants"), default=20, validators=[REQUIRED, NumberRange(1, 500)])
    grade = SelectField(_l("Grade held"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [(level.code, labels.localized(level)) for level in LEVELS]
        self.group.choices = [("worker", _l("Workers")), ("student", _l("Students"))]
        self.grade.choices = labels.grade_choices()


class CopyPresetForm(FlaskForm):
    submit = SubmitField(_l("Copy and edit"))


class ApplyForm(FlaskForm):
    submit = SubmitField(_l("Record these outcomes"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Why the promotion is not granted"), validators=[REQUIRED, Length(max=1000)])
    submit = SubmitField(_l("Decline"))
