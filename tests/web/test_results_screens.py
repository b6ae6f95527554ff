"""Results on screen: the organizer's review and publication, the public snapshot, an appeal and its decision."""

import re
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from compete.accounts.models import Role, User
from compete.competitions.models import Event
from compete.extensions import db
from compete.results.models import Appeal, AppealStatus, Publication
from compete.scoring import services as scoring
from compete.scoring.models import Mark
from compete.venue.models import Entry
from tests.factories import PASSWORD, make_user, sign_in
from tests.venue_world import build_day, score_the_day, staff_the_day


@pytest.fixture
def scored(app):
    """An event scored, locked and decrypted; a competitor account for the competitor at station 1."""
    with app.test_request_context(), force_locale("en"):
        built = score_the_day(staff_the_day(build_day()))
        entry = db.session.scalar(select(Entry).where(Entry.event_id == built["event"].id, Entry.station_number == 1))
        person = entry.registration.person
        make_user("competitor", Role.COMPETITOR, person=person)
        db.session.commit()
        yield {
            "competition_id": built["competition"].id,
            "event_id": built["event"].id,
            "name": person.name,
            "id_number": person.id_number,
            "registration_id": entry.registration_id,
        }


def tables(page: str) -> list[str]:
    return re.findall(r"<section.*?</section>", page, re.S)


def review_and_publish(client, scored, days="5"):
    sign_in(client, "organizer")
    page = client.get(f"/admin/events/{scored['event_id']}/results").get_data(as_text=True)
    assert scored["name"] in page and "data-results" in page
    reviewed = client.post(
        f"/admin/events/{scored['event_id']}/results/review",
        data={"witness_username": "supervisor", "witness_password": PASSWORD},
    )
    assert reviewed.status_code == 302
    published = client.post(
        f"/admin/competitions/{scored['competition_id']}/results/publish", data={"publicity_days": days}
    )
    assert published.status_code == 302
    client.post("/logout")


def test_a_review_needs_a_supervisors_password(client, scored):
    sign_in(client, "organizer")
    refused = client.post(
        f"/admin/events/{scored['event_id']}/results/review",
        data={"witness_username": "supervisor", "witness_password": "wrong-password1"},
        follow_redirects=True,
    )
    assert "supervisor" in refused.get_data(as_text=True).lower()
    page = client.get(f"/admin/competitions/{scored['competition_id']}/results").get_data(as_text=True)
    assert "data-publish-blockers" in page  # not reviewed, so not publishable


def test_the_public_page_shows_the_published_snapshot_masked_and_never_later_changes(app, client, scored):
    assert client.get(f"/results/{scored['competition_id']}").status_code == 404  # nothing published yet
    review_and_publish(client, scored)
    page = client.get(f"/results/{scored['competition_id']}").get_data(as_text=True)
    assert scored["name"] in page
    assert scored["id_number"] not in page and scored["id_number"][-4:] in page
    before = tables(page)
    with app.test_request_context(), force_locale("en"):
        event = db.session.get(Event, scored["event_id"])
        organizer = db.session.scalar(select(Publication)).published_by
        witness = db.session.scalar(select(User).where(User.username == "supervisor"))
        for mark in db.session.scalars(select(Mark).where(Mark.event_id == event.id, Mark.station_number == 1)):
            if str(mark.criterion.kind) == "measurement":
                scoring.correct_mark(organizer, witness, event, mark, Decimal(59), "measured again")
        db.session.commit()
    assert tables(client.get(f"/results/{scored['competition_id']}").get_data(as_text=True)) == before
    sign_in(client, "organizer")
    admin_page = client.get(f"/admin/competitions/{scored['competition_id']}/results").get_data(as_text=True)
    assert "changed since publication" in admin_page


def test_a_competitor_appeals_and_the_arbitration_group_decides(app, client, scored):
    review_and_publish(client, scored)
    sign_in(client, "competitor")
    portal = client.get("/portal/").get_data(as_text=True)
    assert f"/portal/registrations/{scored['registration_id']}/appeal" in portal
    empty = client.post(f"/portal/registrations/{scored['registration_id']}/appeal", data={"grounds": " "})
    assert empty.status_code == 200  # the form again, with the message
    filed = client.post(
        f"/portal/registrations/{scored['registration_id']}/appeal", data={"grounds": "A1 was measured wrong."}
    )
    assert filed.status_code == 302
    client.post("/logout")
    assert client.get("/arbitration/").status_code in (302, 401)  # signed out
    sign_in(client, "organizer")
    assert client.get("/arbitration/").status_code == 403  # the organizer is not the arbitration group
    client.post("/logout")
    sign_in(client, "supervisor")
    page = client.get("/arbitration/").get_data(as_text=True)
    assert "A1 was measured wrong." in page
    with app.app_context():
        appeal_id = db.session.scalar(select(Appeal.id))
    decided = client.post(
        f"/arbitration/appeals/{appeal_id}", data={"outcome": "rejected", "decision": "Re-measured: the mark stands."}
    )
    assert decided.status_code == 302
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        assert (appeal.status, appeal.decision) == (AppealStatus.REJECTED, "Re-measured: the mark stands.")


def test_exports_are_offered_to_the_owner_only(client, scored):
    review_and_publish(client, scored)
    sign_in(client, "organizer")
    workbook = client.get(f"/admin/competitions/{scored['competition_id']}/results.xlsx")
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"
    document = client.get(f"/admin/competitions/{scored['competition_id']}/results.pdf")
    assert document.status_code == 200 and document.data[:4] == b"%PDF"
    client.post("/logout")
    sign_in(client, "competitor")
    assert client.get(f"/admin/competitions/{scored['competition_id']}/results.xlsx").status_code == 403
