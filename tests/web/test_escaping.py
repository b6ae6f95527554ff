"""Names and free text are shown escaped on every page that shows them, in text and in attributes alike."""

import pytest
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import select

from compete.accounts.models import Role, User
from compete.certificates import services as certificates
from compete.extensions import db
from compete.registration import services as registration
from compete.registration.models import Registration, RegistrationSource, RegistrationStatus
from compete.results import appeals
from compete.results import services as results
from compete.venue import judging
from compete.venue import services as venue
from compete.venue.models import Entry
from compete.web.public import results as public_results
from tests import certificate_world
from tests.factories import make_user
from tests.venue_world import build_day, person, score_the_day, staff_the_day

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = "\"'><img src=x onerror=alert(1)>"
# What an unescaped payload leaves in a page; none of it may ever appear.
RAW = ("<script>alert(1)", "<img src=x onerror", "'><img", '"><img')


def hostile(label: str) -> str:
    """A field's payload: a label to find it by, then a script tag, then an attribute breakout."""
    return f"{label}{SCRIPT}{ATTRIBUTE}"


FIELDS = {
    field: hostile(label)
    for field, label in {
        "person": "P1",
        "unit": "U1",
        "competition": "C1",
        "description": "D1",
        "event": "E1",
        "criterion": "K1",
        "judge": "J1",
        "rejection": "R1",
        "appeal": "A1",
    }.items()
}


def check(page: str, where: str, *fields: str) -> None:
    for raw in RAW:
        assert raw not in page, f"unescaped {raw!r} on {where}"
    for field in fields:
        assert str(escape(FIELDS[field])) in page, f"{field} not shown (escaped) on {where}"


@pytest.fixture
def hostile_day(app):
    """A scored, published day whose every name and free text is a payload; a competitor appeals in one."""
    with app.test_request_context(), force_locale("en"):
        built = build_day()
        event, competition, organizer = built["event"], built["competition"], built["organizer"]
        competition.name, competition.description = FIELDS["competition"], FIELDS["description"]
        competition.announced = True
        event.name = FIELDS["event"]
        event.criteria[0].name = FIELDS["criterion"]
        unit = built["units"][0]
        unit.name = FIELDS["unit"]
        victim = built["registrations"][0]
        victim.person.name = FIELDS["person"]
        judge = built["judges"][0]
        judge.person.name = judge.user.display_name = FIELDS["judge"]
        refused = Registration(
            event=event,
            person=person("赵六", 50, unit),
            unit=unit,
            status=RegistrationStatus.SUBMITTED,
            source=RegistrationSource.UNIT,
        )
        db.session.add(refused)
        db.session.flush()
        registration.reject(organizer, refused, FIELDS["rejection"])
        score_the_day(staff_the_day(built))
        venue.assign_officer(organizer, event, built["officer"])
        results.review(organizer, event, built["supervisor"])
        results.publish(organizer, competition, publicity_days=5)
        # Rendered bodies are cached per publication id, which restarts with every test's empty database.
        public_results._body.cache_clear()
        competitor = make_user("competitor", Role.COMPETITOR, person=victim.person)
        make_user("unit", Role.UNIT_CONTACT, unit=unit)
        entry = db.session.scalar(select(Entry).where(Entry.registration_id == victim.id))
        appeals.file_appeal(competitor, entry, FIELDS["appeal"])
        link = judging.issue_link(organizer, event, judge)
        station = judging.stations_of(judge, event)[0]
        db.session.commit()
        return {
            "competition": competition.id,
            "event": event.id,
            "ticket": victim.ticket_token,
            "registration": victim.id,
            "link": link.token,
            "station": station,
            "person": victim.person_id,
        }


def test_the_public_pages_escape_every_name(app, hostile_day):
    client = app.test_client()
    competition = hostile_day["competition"]
    check(client.get("/").text, "home", "competition")
    check(client.get(f"/competitions/{competition}").text, "competition", "competition", "description", "event")
    check(client.get(f"/results/{competition}").text, "public results", "competition", "event", "person", "unit")
    check(client.get(f"/tickets/{hostile_day['ticket']}").text, "ticket", "person", "event")


def test_the_organizer_screens_escape_every_name(as_role, hostile_day):
    organizer = as_role("organizer")
    event, competition = hostile_day["event"], hostile_day["competition"]
    pages = {
        "/admin/": ("competition",),
        f"/admin/competitions/{competition}": ("competition", "event"),
        f"/admin/events/{event}/registrations": ("event", "person", "unit", "rejection"),
        f"/admin/events/{event}/day": ("event", "person"),
        f"/admin/events/{event}/theory": ("event", "person"),
        f"/admin/events/{event}/panel": ("event", "judge"),
        f"/admin/events/{event}/results": ("event", "person", "unit"),
        f"/admin/competitions/{competition}/results": ("competition", "person"),
        "/admin/people": ("person", "unit"),
        f"/admin/people/{hostile_day['person']}": ("person", "unit"),
        "/admin/units": ("unit",),
        "/admin/judges": ("judge",),
        f"/admin/events/{event}/scheme": ("criterion",),
    }
    for path, fields in pages.items():
        response = organizer.get(path)
        assert response.status_code == 200, path
        check(response.text, path, *fields)
    # In an attribute too: the theory score rows carry the name for the page's script.
    theory = organizer.get(f"/admin/events/{event}/theory").text
    assert f'data-theory-row="{escape(FIELDS["person"])}"' in theory


def test_the_venue_and_portal_screens_escape_every_name(app, as_role, hostile_day):
    event = hostile_day["event"]
    check(as_role("officer").get(f"/officer/events/{event}").text, "officer", "event", "person", "unit")
    check(as_role("supervisor").get("/arbitration/").text, "arbitration", "person", "appeal")
    check(as_role("competitor").get("/portal/").text, "competitor portal", "event", "competition")
    unit_portal = as_role("unit").get("/portal/").text
    check(unit_portal, "unit portal", "person", "rejection", "event")
    judge = app.test_client()
    assert judge.get(f"/judge/link/{hostile_day['link']}").status_code == 302
    judge.post("/language", data={"locale": "en"})
    check(judge.get("/judge/").text, "judge home", "event", "judge")
    check(judge.get(f"/judge/stations/{hostile_day['station']}").text, "judge station", "criterion")


def test_certificates_escape_the_holder_and_the_revocation_reason(app, as_role):
    reason = hostile("V1")
    with app.test_request_context(), force_locale("en"):
        owner = make_user("organizer")
        competition = certificate_world.final(owner, names={certificate_world.ZHANG: FIELDS["person"]})
        issued = certificates.issue_certificates(owner, competition)
        mine = next(item for item in issued if item.person.id_number == certificate_world.ZHANG)
        certificates.revoke(owner, mine, reason)
        db.session.commit()
        token, certificate_id = mine.token, mine.id
    verify = app.test_client().get(f"/verify/{token}").text
    check(verify, "verify", "person")
    assert str(escape(reason)) in verify
    admin = as_role("organizer").get(f"/admin/certificates/{certificate_id}").text
    check(admin, "certificate", "person")
    assert str(escape(reason)) in admin


def test_the_audit_log_escapes_what_it_quotes(as_role, hostile_day):
    page = as_role("organizer").get(f"/admin/competitions/{hostile_day['competition']}/audit").text
    check(page, "audit log", "competition")


def test_the_admin_only_pages_escape_names(app, as_role, hostile_day):
    with app.test_request_context():
        db.session.scalar(select(User).filter_by(username="organizer")).display_name = hostile("N1")
        make_user("admin", Role.ADMIN)
        db.session.commit()
    # The trail keeps the name its author had: an export after the renaming writes it there.
    assert as_role("organizer").get(f"/admin/events/{hostile_day['event']}/tickets.pdf").status_code == 200
    admin = as_role("admin")
    for path in ("/admin/users", "/admin/audit"):
        page = admin.get(path).text
        for raw in RAW:
            assert raw not in page, path
        assert str(escape(hostile("N1"))) in page, path
