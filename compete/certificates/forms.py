"""Forms of the certificate screens: the issuer, the seal, a design, issuing, printing, revoking, reissuing."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from compete import labels
from compete.certificates.wording import MAX_LENGTH as WORDING_MAX
from compete.forms_base import optional, text_field


class IssuerForm(FlaskForm):
    authority = text_field(_l("Issuing authority"), 200, DataRequired(message=_l("Give the issuing authority.")))
    code = text_field(
        _l("Code in certificate numbers"),
        20,
        DataRequired(message=_l("Give a code, e.g. SQ2026.")),
        description=_l("Letters, digits and . _ - ; the {competition} token of the number patterns."),
    )
    issued_on = DateField(
        _l("Date printed"),
        validators=[optional()],
        description=_l("Leave empty for the competition's last day."),
    )


class SealForm(FlaskForm):
    seal = FileField(_l("Seal image (PNG)"), validators=[FileRequired(message=_l("Choose a PNG file."))])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class DesignForm(FlaskForm):
    enabled = BooleanField(_l("Issue this kind of certificate"))
    layout = SelectField(_l("Layout"), choices=[])
    title = text_field(
        _l("Title"), 40, description=_l("Leave empty for the standard title in the language of the print.")
    )
    wording = TextAreaField(
        _l("Wording"),
        validators=[Length(max=WORDING_MAX, message=_l("At most %(max)d characters."))],
        render_kw={"rows": 5, "maxlength": WORDING_MAX},
        description=_l(
            "Leave empty for the standard wording. One paragraph per line; a first line ending in a colon "
            "is the salutation."
        ),
    )
    number_pattern = text_field(_l("Number pattern"), 60, DataRequired(message=_l("Give a number pattern.")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout.choices = labels.choices(labels.CERTIFICATE_LAYOUTS)


class PrintForm(FlaskForm):
    event_id = HiddenField()


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give the reason: it is shown on the verification page.")),
            Length(max=500, message=_l("At most %(max)d characters.")),
        ],
        render_kw={"rows": 2, "maxlength": 500},
    )
