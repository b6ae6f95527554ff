"""Background jobs for big registration sheets: the same check and import as the screen, with progress."""

from flask_babel import lazy_gettext as _l

from compete.competitions.models import Event
from compete.errors import InvalidInput
from compete.extensions import db
from compete.jobs.runner import Progress, handler
from compete.registration import importing

CHECK = "registration.check"
IMPORT = "registration.import"


def _event_and_upload(params: dict):
    event = db.session.get(Event, params["event_id"])
    path = importing.upload_path(event, params["token"]) if event is not None else None
    if path is None or not path.exists():
        raise InvalidInput(_l("That upload has already been imported or has expired: upload the file again."))
    return event, path


@handler(CHECK)
def check_sheet(job, progress: Progress) -> dict:
    event, path = _event_and_upload(job.params)
    return importing.check_import(event, path, progress=progress).report()


@handler(IMPORT)
def import_sheet(job, progress: Progress) -> dict:
    event, path = _event_and_upload(job.params)
    check = importing.check_import(event, path, progress=progress)  # again: the registry may have changed
    imported = importing.import_registrations(job.owner, event, check, file_name=path.name, progress=progress)
    # Removed before the runner's commit: if that fails, nothing was imported and the upload is asked for again.
    path.unlink(missing_ok=True)
    return {"imported": imported, "left_out": len(check.errors)}
