"""Forms of scoring screens for organizers."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SubmitField


class TheoryFileForm(FlaskForm):
    file = FileField(
        _l("Exam system export (.xlsx or .csv)"),
        validators=[
            FileRequired(message=_l("Choose a file.")),
            FileAllowed(["xlsx", "csv"], message=_l("Choose an .xlsx or .csv file.")),
        ],
        description=_l("Columns 身份证号 (or 参赛号) and 理论成绩; a title row above them is fine."),
    )
    submit = SubmitField(_l("Import theory scores"))
