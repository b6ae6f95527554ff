"""The batch print as a background job: every valid certificate of an issuer (or one event) in one PDF."""

from flask_babel import gettext as _

from compete.certificates import printing
from compete.certificates import services as certificates
from compete.certificates.models import Issuer, PrintFile
from compete.competitions.models import Event
from compete.errors import NotFound
from compete.extensions import db
from compete.jobs.runner import Progress, handler

PRINT = "certificates.print"


def print_params(issuer: Issuer, event: Event | None) -> dict:
    return {"issuer_id": issuer.id, "event_id": event.id if event is not None else None}


def print_name(issuer: Issuer, event: Event | None) -> str:
    source = issuer.competition.name if issuer.competition is not None else issuer.round.title.name
    return f"{source}-{event.code}" if event is not None else source


@handler(PRINT)
def print_certificates(job, progress: Progress) -> dict:
    issuer = db.session.get(Issuer, job.params["issuer_id"])
    if issuer is None:
        raise NotFound(_("These certificates no longer exist."))
    event = db.session.get(Event, job.params["event_id"]) if job.params.get("event_id") else None
    chosen = certificates.valid_certificates(
        competition_id=issuer.competition_id,
        round_id=issuer.round_id,
        event_id=event.id if event is not None else None,
    )
    progress("laying_out", 0, len(chosen), force=True)
    with printing.url_context():
        pdf = printing.certificates_pdf(
            chosen, title=print_name(issuer, event), progress=lambda done, total: progress("laying_out", done, total)
        )
    printed = PrintFile(
        owner_id=job.owner_id,
        competition_id=issuer.competition_id,
        round_id=issuer.round_id,
        event_id=event.id if event is not None else None,
        file_name=f"{print_name(issuer, event)}.pdf",
        count=len(chosen),
        pdf=pdf,
    )
    db.session.add(printed)
    db.session.flush()
    return {"print_id": printed.id, "count": len(chosen), "issuer_id": issuer.id}
