"""Organizer screens: a competition's archive downloaded, an archive from another installation imported."""

from io import BytesIO

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from compete.archive import services as archives
from compete.archive.forms import ArchiveImportForm
from compete.competitions.models import Competition
from compete.errors import CompeteError
from compete.extensions import db
from compete.web.access import owned_or_403
from compete.web.admin import bp


@bp.get("/competitions/<int:competition_id>/archive.zip")
def export_archive(competition_id: int):
    competition = owned_or_403(Competition, competition_id)
    data = archives.export_competition(current_user, competition)
    db.session.commit()  # the export's audit entry
    return send_file(
        BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=archives.archive_file_name(competition),
    )


@bp.route("/archive/import", methods=["GET", "POST"])
def import_archive():
    form = ArchiveImportForm()
    if form.validate_on_submit():
        try:
            competition = archives.import_archive(current_user, form.file.data.read())
        except CompeteError as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, str(error.message)]
        else:
            summary = archives.import_summary(competition)
            db.session.commit()
            flash(_imported_message(summary), "success")
            return redirect(url_for("admin.competition", competition_id=competition.id))
    return render_template("admin/archive_import.html", form=form, max_size=archives.MAX_ARCHIVE_BYTES >> 20)


def _imported_message(summary: dict) -> str:
    return _(
        "Competition imported. People: %(matched)d found in the registry here, %(added)d added; "
        "%(differences)d differences kept as recorded here (see the audit trail).",
        matched=summary["persons"]["matched"],
        added=summary["persons"]["added"],
        differences=len(summary["differences"]),
    )
