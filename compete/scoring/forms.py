"""Forms of scoring screens for organizers."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import SubmitField

# An exam system's score list is a few columns per competitor: a few hundred kB at most.
THEORY_MAX_BYTES = 5 * 1024 * 1024


class TheoryFileForm(FlaskForm):
    file = FileField(
        _l("Exam system export (.xlsx or .csv)"),
        validators=[
            FileRequired(message=_l("Choose a file.")),
            FileAllowed(["xlsx", "csv"], message=_l("Choose an .xlsx or .csv file.")),
            FileSize(
                THEORY_MAX_BYTES,
                message=_l("The file is too large: at most %(size)d MB.", size=THEORY_MAX_BYTES // (1024 * 1024)),
            ),
        ],
        description=_l("Columns 身份证号 (or 参赛号) and 理论成绩; a title row above them is fine."),
    )
    submit = SubmitField(_l("Import theory scores"))
