"""Forms of the targets dashboard: a region's annual target, added or changed."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired

from compete import labels
from compete.forms_base import optional, text_field
from compete.honours.targets import KIND_NAMES, NOTE_LENGTH


class WholeNumberField(IntegerField):
    """An integer typed by a person, full-width digits allowed, refused with our own translated message."""

    def __call__(self, **kwargs):
        kwargs.setdefault("inputmode", "numeric")
        return super().__call__(**kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.raw_data = valuelist
        text = (valuelist[0] or "").strip()
        if text == "":
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number, such as 15.")) from None


class TargetForm(FlaskForm):
    """The year and value ranges are the service's to check, so the rule lives in one place."""

    region_id = SelectField(_l("Region"), coerce=int)
    kind = SelectField(_l("Kind of target"))
    year = WholeNumberField(_l("Year"), validators=[InputRequired(message=_l("Enter the year."))])
    value = WholeNumberField(_l("Target"), validators=[InputRequired(message=_l("Enter the target value."))])
    per_county = BooleanField(
        _l("Each county"), description=_l("Every county or district under this region must reach the value.")
    )
    note = text_field(_l("Note"), NOTE_LENGTH, optional(), description=_l("e.g. the wording of the policy document."))
    submit = SubmitField(_l("Save target"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choose = str(_l("Choose…"))
        self.region_id.choices = [(0, choose), *[(region.id, region.full_name) for region in regions]]
        self.kind.choices = [("", choose), *labels.choices(KIND_NAMES)]
