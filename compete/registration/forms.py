"""Forms for signing up, registering, entering people for a unit, and reviewing."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import FieldList, Form, FormField, HiddenField, PasswordField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length

from compete import labels
from compete.forms_base import optional, text_field

REQUIRED = DataRequired(message=_l("This field is required."))


class PersonFields(Form):
    """Who is being entered: the registry matches them by ID number."""

    # Optional here: blank rows are skipped, and a half-filled row is refused by the service.
    name = text_field(_l("Name"), 100, optional())
    id_number = text_field(_l("Resident ID number"), 40, optional())
    phone = text_field(_l("Phone"), 32, optional())
    grade = SelectField(_l("Current skill grade"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grade.choices = labels.grade_choices()


class SignupForm(FlaskForm):
    name = text_field(_l("Name"), 100, REQUIRED)
    id_number = text_field(
        _l("Resident ID number"), 40, REQUIRED, description=_l("Your ID number identifies you in the talent registry.")
    )
    phone = text_field(_l("Phone"), 32, optional())
    unit_id = SelectField(_l("Unit"), coerce=int, description=_l("Your employer or school."))
    grade = SelectField(_l("Current skill grade"))
    username = text_field(_l("Username"), 64, REQUIRED)
    password = PasswordField(
        _l("Password"),
        validators=[REQUIRED, Length(max=200)],
        description=_l("At least 8 characters, letters and digits."),
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[REQUIRED, EqualTo("password", message=_l("The passwords differ."))]
    )
    submit = SubmitField(_l("Create my account"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [(0, "—"), *[(unit.id, unit.name) for unit in units]]
        self.grade.choices = labels.grade_choices()


class UnitEntryForm(FlaskForm):
    event_id = SelectField(_l("Event"), coerce=int)
    people = FieldList(FormField(PersonFields), min_entries=10, max_entries=100)
    submit = SubmitField(_l("Register these people"))

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.event_id.choices = [(event.id, f"{event.competition.name} · {event.name}") for event in events]

    def filled_rows(self) -> list[tuple[int, dict]]:
        """The rows someone typed in, with their index; blank rows are ignored."""
        return [
            (index, entry.form.data)
            for index, entry in enumerate(self.people)
            if (entry.form.name.data or entry.form.id_number.data)
        ]


class ReviewForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=500, message=_l("At most %(max)d characters."))],
        description=_l("Required to reject (the applicant sees it), or to approve someone who misses a requirement."),
    )
    approve = SubmitField(_l("Approve selected"))
    reject = SubmitField(_l("Reject selected"))


# Ten thousand registrations make about 1 MB of .xlsx: anything far larger is not a registration sheet.
SHEET_MAX_BYTES = 10 * 1024 * 1024


class ImportForm(FlaskForm):
    file = FileField(
        _l("Excel file (.xlsx)"),
        validators=[
            FileRequired(message=_l("Choose the Excel file to import.")),
            FileAllowed(["xlsx"], message=_l("Upload an .xlsx workbook (Excel 2007 or later, or WPS).")),
            FileSize(
                SHEET_MAX_BYTES,
                message=_l("The file is too large: at most %(size)d MB.", size=SHEET_MAX_BYTES // (1024 * 1024)),
            ),
        ],
    )
    submit = SubmitField(_l("Check the file"))


class ImportCommitForm(FlaskForm):
    token = HiddenField()
    submit = SubmitField(_l("Import the valid rows"))
