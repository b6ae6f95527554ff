"""The public results (公示): read from the latest published snapshot, never from live marks."""

from functools import lru_cache

from flask import abort, render_template
from flask_babel import get_locale
from markupsafe import Markup

from compete.extensions import db
from compete.results import services as results
from compete.results.models import Publication
from compete.web.public import bp


@lru_cache(maxsize=512)
def _body(publication_id: int, locale: str, event_code: str | None) -> Markup:
    """The rendered tables of one publication. A publication never changes, so its id is the whole cache key:
    a new publication gets a new id, and nothing needs clearing. Per process; the layout around it (the signed-in
    user, the language switch) is rendered fresh for every request."""
    publication = db.session.get(Publication, publication_id)
    events = publication.snapshot["events"]
    if event_code is not None:
        events = [event for event in events if event["code"] == event_code]
    return Markup(render_template("public/_results_body.html", publication=publication, events=events))


def _page(competition_id: int, event_code: str | None):
    publication = results.latest_publication_header(competition_id)
    if publication is None:
        abort(404)
    body = _body(publication.id, str(get_locale()), event_code)
    if event_code is not None and "data-public-event" not in body:
        abort(404)
    return render_template("public/results.html", publication=publication, body=body, event_code=event_code)


@bp.get("/results/<int:competition_id>")
def results_page(competition_id: int):
    return _page(competition_id, None)


@bp.get("/results/<int:competition_id>/<event_code>")
def event_results(competition_id: int, event_code: str):
    return _page(competition_id, event_code)
