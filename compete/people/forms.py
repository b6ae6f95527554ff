"""Forms of the talent registry."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField
from wtforms.validators import DataRequired, Regexp

from compete import labels
from compete.forms_base import optional, text_field


class PersonForm(FlaskForm):
    name = text_field(_l("Name"), 100, DataRequired(message=_l("Enter the person's name.")))
    id_number = text_field(
        _l("Resident ID number"),
        40,
        DataRequired(message=_l("Enter the resident ID number.")),
        description=_l("18 characters; birth date and gender are read from it."),
    )
    phone = text_field(_l("Phone"), 32, optional())
    unit_id = SelectField(_l("Unit"), coerce=int)
    grade = SelectField(_l("Current skill grade"))
    grade_certificate_number = text_field(_l("Grade certificate number"), 40, optional())
    grade_certified_on = DateField(_l("Grade certified on"), validators=[optional()])
    submit = SubmitField(_l("Add to registry"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [(0, "—"), *[(unit.id, unit.name) for unit in units]]
        self.grade.choices = labels.grade_choices()


class UnitForm(FlaskForm):
    name = text_field(_l("Unit name"), 200, DataRequired(message=_l("Enter the unit's name.")))
    kind = SelectField(_l("Kind"))
    region_id = SelectField(_l("Region"), coerce=int)
    contact_phone = text_field(_l("Contact phone"), 32, optional())
    submit = SubmitField(_l("Add unit"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = labels.choices(labels.UNIT_KINDS)
        self.region_id.choices = [(0, "—"), *[(region.id, region.full_name) for region in regions]]


class RegionForm(FlaskForm):
    code = text_field(
        _l("Division code"),
        12,
        DataRequired(message=_l("Enter the division code.")),
        Regexp(r"^\d{6}$", message=_l("A division code has 6 digits, e.g. 321300.")),
    )
    name = text_field(_l("Region name"), 100, DataRequired(message=_l("Enter the region's name.")))
    level = SelectField(_l("Level"))
    parent_id = SelectField(_l("Part of"), coerce=int)
    submit = SubmitField(_l("Add region"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = labels.choices(labels.REGION_LEVELS)
        self.parent_id.choices = [(0, "—"), *[(region.id, region.full_name) for region in regions]]
