"""Forms of the competition day: check-in, witnessed draws and decryption, judges and their panels."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from compete.forms_base import optional, text_field

REQUIRED = DataRequired(message=_l("This field is required."))


class TicketForm(FlaskForm):
    class Meta:
        csrf = False  # a GET lookup that changes nothing; marking present is the POST below

    ticket = text_field(
        _l("Ticket number"),
        300,
        REQUIRED,
        description=_l("As printed on the admission ticket, e.g. HG-W-00012, or scan its QR code."),
    )


class CheckInForm(FlaskForm):
    entry_id = HiddenField()
    submit = SubmitField(_l("Present: check in"))


class CloseCheckInForm(FlaskForm):
    submit = SubmitField(_l("Close check-in: mark the rest absent"))


class WitnessForm(FlaskForm):
    """A supervisor co-signs on the same screen with their own password."""

    witness_username = text_field(_l("Supervisor's username"), 64, REQUIRED)
    witness_password = PasswordField(_l("Supervisor's password"), validators=[REQUIRED, Length(max=200)])


class DrawForm(WitnessForm):
    stage = HiddenField()
    submit = SubmitField(_l("Draw"))


class CancelDrawForm(WitnessForm):
    reason = TextAreaField(_l("Reason for drawing again"), validators=[REQUIRED, Length(max=500)])
    submit = SubmitField(_l("Cancel both draws"))


class DecryptForm(WitnessForm):
    submit = SubmitField(_l("Decrypt"))


class OfficerForm(FlaskForm):
    officer_id = SelectField(_l("Encryption officer"), coerce=int)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.officer_id.choices = [(user.id, user.display_name) for user in officers]


class JudgeForm(FlaskForm):
    name = text_field(_l("Name"), 100, REQUIRED)
    id_number = text_field(_l("Resident ID number"), 40, REQUIRED)
    unit_id = SelectField(_l("Unit"), coerce=int, description=_l("The judge never marks competitors of this unit."))
    occupations = text_field(_l("Occupations judged"), 300, REQUIRED, description=_l("e.g. 焊工, 电工"))
    qualification = text_field(_l("Qualification"), 200, optional(), description=_l("e.g. 国家职业技能竞赛裁判员"))
    submit = SubmitField(_l("Add to the judge registry"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [(0, "—"), *[(unit.id, unit.name) for unit in units]]


class SeatForm(FlaskForm):
    judge_id = SelectField(_l("Judge"), coerce=int)
    role = SelectField(_l("Role"))
    submit = SubmitField(_l("Add to the panel"))

    def __init__(self, *args, judges=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [("judge", _l("Judge")), ("chief", _l("Chief judge"))]
        self.judge_id.choices = [(judge.id, f"{judge.person.name} · {judge.occupations}") for judge in judges]


class ConflictForm(FlaskForm):
    judge_id = SelectField(_l("Judge"), coerce=int)
    id_number = text_field(_l("Competitor's ID number"), 40, REQUIRED)
    reason = text_field(_l("Conflict"), 300, REQUIRED, description=_l("e.g. relative, teacher, same workshop"))
    submit = SubmitField(_l("Record the conflict"))

    def __init__(self, *args, judges=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.judge_id.choices = [(judge.id, judge.person.name) for judge in judges]


class ActionForm(FlaskForm):
    """A bare confirmation button (apply, issue, revoke): CSRF and nothing else."""

    submit = SubmitField(_l("Confirm"))


def manual_draw_form(entry_ids: list[int]):
    """A form with one number per competitor present, named after the entry."""

    class ManualDrawForm(WitnessForm):
        stage = HiddenField()
        submit = SubmitField(_l("Save the physical draw"))

    for entry_id in entry_ids:
        setattr(
            ManualDrawForm,
            f"number_{entry_id}",
            IntegerField(_l("Number"), validators=[REQUIRED, NumberRange(min=1, max=9999)]),
        )
    return ManualDrawForm()


class ReopenForm(FlaskForm):
    judge_id = HiddenField()
    station = HiddenField()
    reason = text_field(_l("Why"), 300, REQUIRED, description=_l("e.g. A2 differs by 8 from the other judges"))
    submit = SubmitField(_l("Ask to re-mark"))


class CorrectionForm(WitnessForm):
    """After the lock: the chief judge corrects one mark, with a reason, witnessed by a supervisor."""

    mark = SelectField(_l("Mark"), coerce=int)
    value = text_field(_l("Corrected value"), 20, REQUIRED)
    reason = text_field(_l("Reason"), 300, REQUIRED, description=_l("e.g. appeal upheld by the arbitration group"))
    submit = SubmitField(_l("Correct the mark"))

    def __init__(self, *args, marks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.mark.choices = list(marks)
