"""Forms for competitions, events and marking schemes (they check format; services check rules)."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from compete import labels
from compete.competitions.models import COMPETITION_FIELDS, EVENT_FIELDS
from compete.forms_base import ExactDecimalField, optional, text_field

CODE_PATTERN = Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Use letters, digits, - and _ only."))
REQUIRED = DataRequired(message=_l("This field is required."))


class CompetitionForm(FlaskForm):
    name = text_field(_l("Competition name"), 200, REQUIRED)
    level = SelectField(_l("Level"))
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(message=_l("Enter the year.")),
            NumberRange(2000, 2100, message=_l("Enter a year between 2000 and 2100.")),
        ],
    )
    starts_on = DateField(_l("First day"), validators=[InputRequired(message=_l("Enter a date."))])
    ends_on = DateField(_l("Last day"), validators=[InputRequired(message=_l("Enter a date."))])
    venue = text_field(_l("Venue"), 200, optional())
    organizer_body = text_field(
        _l("Organizing body"),
        200,
        REQUIRED,
        description=_l("As printed on certificates, e.g. 宿迁市人力资源和社会保障局"),
    )
    policy_preset = SelectField(_l("Promotion and honours policy"))
    description = TextAreaField(
        _l("Notice to applicants"), validators=[Length(max=5000, message=_l("At most %(max)d characters."))]
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, own_policies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = labels.level_choices()
        self.policy_preset.choices = labels.preset_choices(own_policies)

    def competition_values(self) -> dict:
        return {name: self[name].data for name in COMPETITION_FIELDS} | {
            "venue": self.venue.data or "",
            "description": self.description.data or "",
        }


class CopyCompetitionForm(CompetitionForm):
    submit = SubmitField(_l("Copy competition with all events"))


class EventForm(FlaskForm):
    code = text_field(_l("Event code"), 20, REQUIRED, CODE_PATTERN, description=_l("Short and unique, e.g. HG-W"))
    name = text_field(_l("Event name"), 200, REQUIRED)
    occupation = text_field(_l("Occupation"), 100, REQUIRED)
    group = SelectField(_l("Group"))
    theory_weight = ExactDecimalField(
        _l("Theory weight"),
        validators=[InputRequired(message=_l("Enter a weight."))],
        description=_l("e.g. 0.3; 0 for practical-only events"),
    )
    practical_weight = ExactDecimalField(
        _l("Practical weight"),
        validators=[InputRequired(message=_l("Enter a weight."))],
        description=_l("Theory and practical weights add up to 1."),
    )
    aggregation = SelectField(_l("Combining the judges' marks"))
    tie_break_1 = SelectField(_l("1st tie-break"))
    tie_break_2 = SelectField(_l("2nd tie-break"))
    tie_break_3 = SelectField(_l("3rd tie-break"))
    tie_break_4 = SelectField(_l("4th tie-break"))
    award_scheme = SelectField(_l("Award scheme"))
    shared_ranks = SelectField(
        _l("Competitors equal on every tie-break"),
        coerce=lambda value: value in (True, "1", "True", "true"),
        default=True,
        description=_l("The national competition ranks without ties: the arbitration group then decides the order."),
    )
    pass_mark = ExactDecimalField(
        _l("Pass mark (total)"),
        validators=[optional()],
        description=_l("Below it a competitor is ranked but gets no award or promotion."),
    )
    judges_per_station = IntegerField(
        _l("Judges per station"),
        default=3,
        validators=[InputRequired(message=_l("Enter a number.")), NumberRange(1, 15)],
    )
    discrepancy_percent = IntegerField(
        _l("Discrepancy threshold, percent of the maximum"),
        default=20,
        validators=[InputRequired(message=_l("Enter a number.")), NumberRange(1, 100)],
        description=_l("The chief judge sees a measurement criterion flagged when its marks are further apart."),
    )
    capacity = IntegerField(
        _l("Capacity"), validators=[optional(), NumberRange(1, 100000)], description=_l("Leave empty for no limit.")
    )
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), validators=[optional()])
    registration_closes_at = DateTimeLocalField(_l("Registration closes"), validators=[optional()])
    min_age = IntegerField(
        _l("Minimum age"),
        validators=[optional(), NumberRange(14, 80)],
        description=_l("Age on the first day of the competition."),
    )
    max_age = IntegerField(_l("Maximum age"), validators=[optional(), NumberRange(14, 80)])
    required_grade = SelectField(_l("Required current grade (at least)"))
    region_ids = SelectMultipleField(
        _l("Eligible regions"),
        coerce=int,
        description=_l("Units from these regions may enter; none selected means any region."),
    )
    submit = SubmitField(_l("Save event"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = labels.choices(labels.GROUPS)
        self.aggregation.choices = labels.choices(labels.AGGREGATIONS)
        self.shared_ranks.choices = [
            (True, _l("Share the rank (1, 2, 2, 4)")),
            (False, _l("No shared ranks: the arbitration group decides")),
        ]
        self.award_scheme.choices = labels.choices(labels.AWARD_SCHEMES)
        tie_break_choices = [("", "—"), *labels.choices(labels.TIE_BREAKS)]
        for name in self.TIE_BREAK_FIELDS:
            self[name].choices = tie_break_choices
        self.required_grade.choices = labels.grade_choices(blank_label=_l("No requirement"))
        self.region_ids.choices = [(region.id, region.full_name) for region in regions]

    TIE_BREAK_FIELDS = ("tie_break_1", "tie_break_2", "tie_break_3", "tie_break_4")

    def tie_breaks_value(self) -> str:
        return ",".join(self[name].data for name in self.TIE_BREAK_FIELDS if self[name].data)

    def set_tie_breaks(self, keys: list[str]) -> None:
        for name, key in zip(self.TIE_BREAK_FIELDS, [*keys, "", "", "", ""], strict=False):
            self[name].data = key

    def event_values(self) -> dict:
        values = {name: self[name].data for name in EVENT_FIELDS if name not in ("tie_breaks", "required_grade")}
        values["tie_breaks"] = self.tie_breaks_value()
        values["required_grade"] = self.required_grade.data or None
        return values


class CriterionForm(Form):
    code = text_field(_l("Code"), 20, REQUIRED, CODE_PATTERN)
    name = text_field(_l("Criterion"), 200, REQUIRED)
    kind = SelectField(_l("Kind"))
    max_mark = ExactDecimalField(_l("Max mark"), validators=[InputRequired(message=_l("Enter the maximum mark."))])
    step = ExactDecimalField(
        _l("Step"), default=Decimal("0.5"), validators=[InputRequired(message=_l("Enter the step."))]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = labels.choices(labels.CRITERION_KINDS)


class SchemeForm(FlaskForm):
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=200)
    submit = SubmitField(_l("Save marking scheme"))

    def rows(self) -> list[dict]:
        return [entry.form.data for entry in self.criteria]


class CopyEventForm(FlaskForm):
    competition_id = SelectField(_l("Copy into competition"), coerce=int)
    code = text_field(_l("Code of the copy"), 20, REQUIRED, CODE_PATTERN)
    submit = SubmitField(_l("Copy event"))

    def __init__(self, *args, competitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.competition_id.choices = [(c.id, f"{c.year} {c.name}") for c in competitions]
