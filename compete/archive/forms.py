"""Uploading a competition archive to import it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import SubmitField

from compete.archive.services import MAX_ARCHIVE_BYTES


class ArchiveImportForm(FlaskForm):
    file = FileField(
        _l("Competition archive (.zip)"),
        validators=[
            FileRequired(message=_l("Choose the archive file to import.")),
            FileAllowed(["zip"], message=_l("Upload a competition archive: a .zip file exported by this system.")),
            FileSize(
                MAX_ARCHIVE_BYTES,
                message=_l("The file is too large: at most %(size)d MB.", size=MAX_ARCHIVE_BYTES // (1024 * 1024)),
            ),
        ],
    )
    submit = SubmitField(_l("Import the competition"))
