"""Forms of the results screens: review sign-off, publication, appeals, arbitration and finalization."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from compete.venue.forms import WitnessForm

REQUIRED = InputRequired(message=_l("This field is required."))


class ReviewForm(WitnessForm):
    submit = SubmitField(_l("Record the review"))


class PublishForm(FlaskForm):
    publicity_days = IntegerField(
        _l("Publicity period (days)"),
        default=5,
        validators=[InputRequired(message=_l("Enter a number.")), NumberRange(0, 30)],
        description=_l("5 working days is common practice."),
    )
    appeal_hours = IntegerField(
        _l("Appeals accepted for (hours)"),
        validators=[Optional(), NumberRange(0, 24 * 30)],
        description=_l("Leave empty to accept appeals until the publicity period ends."),
    )
    note = TextAreaField(
        _l("Why published again"),
        validators=[Length(max=1000)],
        description=_l("Needed from the second publication on."),
    )
    submit = SubmitField(_l("Publish the results"))


class AppealForm(FlaskForm):
    grounds = TextAreaField(_l("Grounds of the appeal"), validators=[REQUIRED, Length(max=4000)])
    submit = SubmitField(_l("File the appeal"))


class DecisionForm(FlaskForm):
    outcome = SelectField(_l("Decision"))
    decision = TextAreaField(_l("Reason"), validators=[REQUIRED, Length(max=4000)])
    submit = SubmitField(_l("Record the decision"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = [("upheld", _l("Upheld: the marks are to be corrected")), ("rejected", _l("Rejected"))]


class TieForm(FlaskForm):
    order = TextAreaField(_l("Order, best first"))
    reason = TextAreaField(_l("Reason"), validators=[REQUIRED, Length(max=2000)])
    submit = SubmitField(_l("Record the order"))


class FinalizeForm(FlaskForm):
    confirm = BooleanField(_l("I have checked the blockers list: the results become final."), validators=[REQUIRED])
    submit = SubmitField(_l("Finalize the results"))


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Reason for reopening"), validators=[REQUIRED, Length(max=2000)])
    submit = SubmitField(_l("Reopen the final results"))
