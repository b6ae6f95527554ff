"""Sign-in, language and account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, SubmitField
from wtforms.validators import DataRequired, Length

from compete import labels
from compete.forms_base import text_field


class LoginForm(FlaskForm):
    username = text_field(_l("Username"), 64, DataRequired(message=_l("Enter your username.")))
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Enter your password.")), Length(max=200)]
    )
    submit = SubmitField(_l("Sign in"))


class LanguageForm(FlaskForm):
    locale = HiddenField()
    next = HiddenField()


class UserForm(FlaskForm):
    username = text_field(_l("Username"), 64, DataRequired(message=_l("Enter a username.")))
    display_name = text_field(_l("Full name"), 100, DataRequired(message=_l("Enter the person's name.")))
    role = SelectField(_l("Role"))
    unit_id = SelectField(_l("Unit"), coerce=int, description=_l("For unit contacts: the unit they enter people for."))
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(message=_l("Enter a password.")), Length(max=200)],
        description=_l("At least 8 characters, letters and digits."),
    )
    submit = SubmitField(_l("Create account"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = labels.choices(labels.ROLES)
        self.unit_id.choices = [(0, "—"), *[(unit.id, unit.name) for unit in units]]
