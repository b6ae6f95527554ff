"""Forms of the selection rounds: the title catalogue, a new round, recommendation, review scores, stages, approval."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from compete import labels
from compete.forms_base import ExactDecimalField, optional, text_field

TITLE_LEVELS = {
    "national": _l("National"),
    "provincial": _l("Provincial"),
    "municipal": _l("Municipal"),
    "district": _l("County or district"),
    "industry": _l("Industry"),
    "enterprise": _l("Enterprise"),
}
ROUND_STAGES = {
    "recommendation": _l("Unit recommendation"),
    "review": _l("Expert review"),
    "publicity": _l("Publicity"),
    "approval": _l("Approval"),
    "closed": _l("Closed"),
}
CANDIDATE_STATUSES = {
    "recommended": _l("Recommended"),
    "awarded": _l("Awarded"),
    "not_awarded": _l("Not awarded"),
}
CANDIDATE_STATUS_STYLES = {"recommended": "secondary", "awarded": "success", "not_awarded": "light"}
ADVANCE_LABELS = {
    "review": _l("Close recommendations and start the expert review"),
    "publicity": _l("Close the review and start publicity"),
    "approval": _l("End publicity and go to approval"),
}


class TitleForm(FlaskForm):
    name = text_field(_l("Title"), 100, DataRequired(message=_l("Enter the title's name.")))
    level = SelectField(_l("Level"))
    awarding_body = text_field(_l("Awarding body"), 200, DataRequired(message=_l("Enter the awarding body.")))
    submit = SubmitField(_l("Add to the catalogue"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = labels.choices(TITLE_LEVELS)


class RoundForm(FlaskForm):
    title_id = SelectField(_l("Title"), coerce=int)
    year = IntegerField(_l("Year"), validators=[InputRequired(message=_l("Enter a number.")), NumberRange(2000, 2100)])
    quota = IntegerField(
        _l("Quota"),
        validators=[
            InputRequired(message=_l("Enter a number.")),
            NumberRange(min=1, message=_l("The quota is a whole number above 0.")),
        ],
    )
    region_id = SelectField(_l("Region"), coerce=int)
    # The service checks the grade code, so a missing or unknown one gets the domain's own message.
    min_grade = SelectField(_l("Required grade (at least)"), validate_choice=False)
    holds_titles = SelectMultipleField(
        _l("Required title (any one of those ticked)"),
        description=_l("E.g. 全国技术能手 by selection needs a provincial or industry 技术能手 title."),
        validate_choice=False,
    )
    nominated = BooleanField(_l("Requires a competition nomination for this title"))
    submit = SubmitField(_l("Create the round"))

    def __init__(self, *args, titles=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.title_id.choices = [(0, str(_l("Choose…"))), *[(title.id, title.name) for title in titles]]
        self.region_id.choices = [(0, "—"), *[(region.id, region.full_name) for region in regions]]
        self.min_grade.choices = labels.grade_choices(blank_label=_l("No requirement"))
        self.holds_titles.choices = [(title.name, title.name) for title in titles]

    def validate_title_id(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a title from the catalogue."))

    def eligibility(self) -> list[dict]:
        """The ticked requirements in the round's stored form: every one of them must be met."""
        requirements = []
        if self.min_grade.data:
            requirements.append({"kind": "min_grade", "grade": self.min_grade.data})
        if self.holds_titles.data:
            requirements.append({"kind": "holds_title", "titles": list(self.holds_titles.data)})
        if self.nominated.data:
            requirements.append({"kind": "nominated"})
        return requirements


class RecommendForm(FlaskForm):
    person_id = IntegerField(
        _l("Person"), validators=[InputRequired(message=_l("Choose the person to recommend from the search results."))]
    )
    unit_id = SelectField(_l("Recommending unit"), coerce=int, description=_l("Empty means the person's own unit."))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Recommend"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [(0, "—"), *[(unit.id, unit.name) for unit in units]]


class ScoreForm(FlaskForm):
    candidate_id = SelectField(_l("Candidate"), coerce=int)
    reviewer_id = SelectField(_l("Reviewer"), coerce=int)
    score = ExactDecimalField(
        _l("Score (0–100)"),
        validators=[InputRequired(message=_l("Enter a number such as 12.5."))],
        description=_l("Entering a reviewer's score again replaces it."),
    )
    comment = text_field(_l("Comment"), 500, optional())
    submit = SubmitField(_l("Record the score"))

    def __init__(self, *args, candidates=(), reviewers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate_id.choices = [(c.id, c.person.name) for c in candidates]
        self.reviewer_id.choices = [
            (user.id, f"{user.display_name} ({labels.label(labels.ROLES, user.role)})") for user in reviewers
        ]


class AdvanceForm(FlaskForm):
    to = HiddenField()
    submit = SubmitField(_l("Move to the next stage"))


class ApproveForm(FlaskForm):
    # The boxes are the candidate table's; the service checks each id belongs to the round.
    candidate_ids = SelectMultipleField(_l("Candidates to award"), coerce=int, validate_choice=False)
    awarded_on = DateField(
        _l("Awarded on"), validators=[InputRequired(message=_l("Enter the date of the award decision."))]
    )
    submit = SubmitField(_l("Award the ticked candidates and close the round"))
