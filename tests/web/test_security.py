"""Web security: headers, cookies, lockout, password rules, upload limits, masked ID numbers, audited exports."""

import io
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from compete import create_app
from compete.accounts import services as accounts
from compete.accounts.lockout import AccountLocked
from compete.accounts.models import Role, User
from compete.audit.models import AuditEntry
from compete.certificates import services as certificates
from compete.certificates.models import PrintFile
from compete.competitions.models import Event
from compete.errors import InvalidInput, NotAllowed
from compete.extensions import db, limiter
from compete.registration.forms import SHEET_MAX_BYTES
from compete.scoring.forms import THEORY_MAX_BYTES
from compete.venue import judging
from compete.venue import services as venue
from compete.venue.models import Entry
from compete.web.public import results as public_results
from compete.web.security import CONTENT_SECURITY_POLICY
from tests import certificate_world
from tests.factories import PASSWORD, make_user, sign_in
from tests.venue_world import build_day, score_the_day, staff_the_day

LOCKED = "Too many failed sign-ins for this account."


def other_app(tmp_path, **config):
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/other.sqlite3",
            "SECRET_KEY": "t",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            **config,
        }
    )


def english(client):
    client.post("/language", data={"locale": "en"})
    return client


def audit_entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
        db.session.expunge_all()
        return entries


# --- headers ----------------------------------------------------------------------------------------------------


def test_every_page_carries_the_security_headers(client):
    response = client.get("/login")
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; object-src 'none'; "
        "base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Permissions-Policy"].startswith("camera=(self)")
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    # Error pages and static files too.
    assert client.get("/no-such-page").headers["X-Frame-Options"] == "DENY"
    with client.get("/static/js/app.js") as script:
        assert script.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://compete.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_behind_a_proxy_the_forwarded_scheme_counts_only_when_the_proxy_is_trusted(client, tmp_path):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    # Not configured: a client could claim HTTPS with a header of its own.
    assert "Strict-Transport-Security" not in client.get("/login", headers=forwarded).headers
    proxied = other_app(tmp_path, PROXY_COUNT=1)
    response = proxied.test_client().get("/login", headers=forwarded)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    with proxied.test_request_context("/", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"}):
        from flask import request

        # The WSGI app, not the request context, applies ProxyFix: check it wraps the app as configured.
        assert proxied.wsgi_app.x_proto == 1 and proxied.wsgi_app.x_for == 1 and proxied.wsgi_app.x_host == 0
        assert request.remote_addr == "10.0.0.2"


def test_environment_switches_on_secure_cookies_and_the_proxy(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPETE_SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("COMPETE_PROXY_COUNT", "1")
    monkeypatch.setenv("COMPETE_LOGIN_LOCKOUT_ATTEMPTS", "7")
    configured = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "t"})
    config = configured.config
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert config["PROXY_COUNT"] == 1 and config["LOGIN_LOCKOUT_ATTEMPTS"] == 7
    assert config["REMEMBER_COOKIE_HTTPONLY"] is True and config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    cookie = configured.test_client().get("/login", base_url="https://compete.example").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_session_cookie_is_http_only_and_same_site_by_default(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # `make run` is plain HTTP


# --- lockout ----------------------------------------------------------------------------------------------------


@pytest.fixture
def locking(tmp_path):
    """An app with rate limiting on (as in production): three failures lock a username for 15 minutes."""
    app = other_app(
        tmp_path,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="1000 per minute",  # the address limit stays out of the way of the account's
        LOGIN_LOCKOUT_ATTEMPTS=3,
        LOGIN_LOCKOUT_MINUTES=15,
    )
    limiter.reset()
    try:
        with app.app_context():
            db.create_all()
            with app.test_request_context():
                make_user("organizer")
                make_user("supervisor", Role.SUPERVISOR)
                db.session.commit()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        # Flask-Limiter keeps its switch on the shared extension object: give the other tests theirs back.
        limiter.reset()
        limiter.enabled = False


def test_three_failures_lock_the_account_even_for_the_right_password(locking):
    client = english(locking.test_client())
    first, second = (sign_in(client, "organizer", "wrong-password1") for _ in range(2))
    assert "The username or password is wrong." in first.text and "The username or password is wrong." in second.text
    third = sign_in(client, "Organizer ", "wrong-password1")  # the same username however it is typed
    assert LOCKED in third.text and "Wait 15 minutes" in third.text
    right = sign_in(client, "organizer", PASSWORD)
    assert right.status_code == 200 and LOCKED in right.text
    assert client.get("/admin/").status_code == 302  # not signed in
    (entry,) = audit_entries(locking, "user.lockout")
    assert entry.object_type == "users" and entry.after == {"username": "organizer", "minutes": 15}
    # Another account is not touched by this one's lock.
    assert sign_in(locking.test_client(), "supervisor", PASSWORD).status_code == 302


def test_an_unknown_username_locks_alike_so_the_lock_tells_nothing(locking):
    client = english(locking.test_client())
    pages = [sign_in(client, "nobody-here", "wrong-password1").text for _ in range(3)]
    assert LOCKED in pages[-1] and "Wait 15 minutes" in pages[-1]
    (entry,) = audit_entries(locking, "user.lockout")
    assert entry.object_type == "-" and entry.after["username"] == "nobody-here"


def test_a_successful_sign_in_starts_the_count_again(locking):
    client = english(locking.test_client())
    for _ in range(2):
        sign_in(client, "organizer", "wrong-password1")
    assert sign_in(client, "organizer", PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(2):
        assert LOCKED not in sign_in(client, "organizer", "wrong-password1").text
    assert sign_in(client, "organizer", PASSWORD).status_code == 302


def test_a_supervisors_password_typed_as_a_witness_counts_towards_the_same_lock(locking):
    with locking.test_request_context(), force_locale("en"):
        for _ in range(2):
            with pytest.raises(NotAllowed):
                venue.witness("supervisor", "wrong-password1")
        with pytest.raises(AccountLocked):
            venue.witness("supervisor", "wrong-password1")
        with pytest.raises(AccountLocked) as locked:
            venue.witness("supervisor", PASSWORD)
        assert "Wait 15 minutes" in locked.value.message
        db.session.rollback()
    assert LOCKED in sign_in(english(locking.test_client()), "supervisor", PASSWORD).text


def test_the_lockout_is_off_with_rate_limiting_switched_off(app, client):
    """Flask-Limiter's RATELIMIT_ENABLED is the one switch for every counter it stores (the test suite's apps)."""
    with app.test_request_context():
        make_user("organizer")
        db.session.commit()
    for _ in range(8):
        sign_in(client, "organizer", "wrong-password1")
    assert sign_in(client, "organizer").status_code == 302


# --- password rules ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "username", "refusal"),
    [
        ("short1a", "li", "at least 8 characters"),
        ("12345678", "li", "letters and digits together"),
        ("abcdefghij", "li", "letters and digits together"),
        ("zhangwei88", "zhangwei88", "must not be the username"),
        ("ZhangWei88", "zhangwei88 ", "must not be the username"),
        ("88iewgnahz", "zhangwei88", "must not be the username"),
        ("password123", "li", "first ones anyone tries"),
        ("12345678a", "li", "first ones anyone tries"),
        ("Woaini1314", "li", "first ones anyone tries"),
        ("1qaz2wsx", "li", "first ones anyone tries"),
        ("hanjie-2026", "li", None),
        ("admin2026", "admin", None),  # the demo accounts' pattern: a blocklist, not ever more composition rules
        ("焊工比赛2026", "li", None),
    ],
)
def test_password_rules(ctx, password, username, refusal):
    with force_locale("en"):
        if refusal is None:
            accounts.check_password_rules(password, username)
            return
        with pytest.raises(InvalidInput) as refused:
            accounts.check_password_rules(password, username)
        assert refusal in str(refused.value.message) and refused.value.field == "password"


def test_an_account_cannot_be_created_with_its_username_as_password(ctx):
    with force_locale("en"), pytest.raises(InvalidInput, match="username"):
        accounts.create_user(None, username="zhao2026x", password="zhao2026x", display_name="赵", role=Role.ORGANIZER)


# --- uploads ----------------------------------------------------------------------------------------------------


@pytest.fixture
def day_event(app):
    with app.test_request_context(), force_locale("en"):
        built = staff_the_day(build_day())
        venue.assign_officer(
            built["organizer"], built["event"], db.session.scalar(select(User).filter_by(username="officer"))
        )
        db.session.commit()
        return built["event"].id


def upload(client, path: str, name: str, size: int):
    """A multipart body built in memory: the test client would spool a large one to a file it never closes."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(b"a" * size), name)})
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_each_upload_has_its_own_size_limit_with_a_message(as_role, day_event):
    organizer = as_role("organizer")
    sheet = upload(organizer, f"/admin/events/{day_event}/import", "big.xlsx", SHEET_MAX_BYTES + 1)
    assert sheet.status_code == 200 and "The file is too large: at most 10 MB." in sheet.text
    theory = upload(organizer, f"/admin/events/{day_event}/theory/import", "scores.csv", THEORY_MAX_BYTES + 1)
    assert theory.status_code == 200 and "The file is too large: at most 5 MB." in theory.text
    # Just under the limit, the size is no objection (the content is, later).
    fits = upload(organizer, f"/admin/events/{day_event}/theory/import", "scores.csv", 1000)
    assert "The file is too large" not in fits.text


def test_a_request_over_the_overall_limit_gets_a_translated_413(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    client = app.test_client()
    big = {"username": "x" * 4096, "password": "y"}
    chinese = client.post("/login", data=big)
    assert chinese.status_code == 413 and "文件" in chinese.text
    english_page = english(client).post("/login", data=big)
    assert english_page.status_code == 413 and "The file is too large" in english_page.text


def test_an_api_request_over_the_limit_gets_json(tmp_path):
    from flask import jsonify, request

    limited = other_app(tmp_path, MAX_CONTENT_LENGTH=1024)

    @limited.post("/api/v1/probe")
    def probe():
        return jsonify(len(request.get_data()))

    client = limited.test_client()
    assert client.post("/api/v1/probe", data=b"x" * 100).json == 100
    refused = client.post("/api/v1/probe", data=b"x" * 4096, content_type="application/json")
    assert refused.status_code == 413 and refused.is_json and refused.json["error"]


# --- full ID numbers only on organizer screens ------------------------------------------------------------------


@pytest.fixture
def scored_day(app):
    """A day scored, locked and decrypted, the officer assigned, results published; a competitor account."""
    from compete.results import services as results

    with app.test_request_context(), force_locale("en"):
        built = score_the_day(staff_the_day(build_day()))
        event, organizer = built["event"], built["organizer"]
        venue.assign_officer(organizer, event, built["officer"])
        event.competition.announced = True
        results.review(organizer, event, built["supervisor"])
        results.publish(organizer, event.competition, publicity_days=5)
        # Rendered bodies are cached per publication id, which restarts with every test's empty database.
        public_results._body.cache_clear()
        entry = db.session.scalar(select(Entry).where(Entry.event_id == event.id, Entry.station_number == 1))
        person = entry.registration.person
        make_user("competitor", Role.COMPETITOR, person=person)
        make_user("unit", Role.UNIT_CONTACT, unit=entry.registration.unit)
        db.session.commit()
        return {
            "event": event.id,
            "competition": event.competition_id,
            "registration": entry.registration_id,
            "ticket_token": entry.registration.ticket_token,
            "id_numbers": [registration.person.id_number for registration in built["registrations"]],
            "own_id": person.id_number,
        }


def test_full_id_numbers_appear_on_no_page_outside_the_organizers(app, as_role, scored_day):
    pages = {
        "officer": ["/officer/", f"/officer/events/{scored_day['event']}"],
        "competitor": ["/portal/", f"/portal/registrations/{scored_day['registration']}/appeal"],
        "unit": ["/portal/"],
        "supervisor": ["/arbitration/", "/judge/"],
    }
    public = [
        f"/results/{scored_day['competition']}",
        f"/competitions/{scored_day['competition']}",
        f"/tickets/{scored_day['ticket_token']}",
    ]
    seen = {}
    for role, paths in pages.items():
        client = as_role(role)
        for path in paths:
            seen[f"{role} {path}"] = client.get(path)
    for path in public:
        seen[f"public {path}"] = app.test_client().get(path)
    for where, response in seen.items():
        assert response.status_code == 200, where
        for number in scored_day["id_numbers"]:
            assert number not in response.text, f"full ID number on {where}"
    # Where an ID number is shown at all, it is masked: the first four and the last four.
    own = scored_day["own_id"]
    masked = f"{own[:4]}**********{own[-4:]}"
    assert masked in seen[f"public /tickets/{scored_day['ticket_token']}"].text
    assert masked in seen[f"public /results/{scored_day['competition']}"].text


def test_organizer_screens_show_full_numbers_only_when_asked_and_audited(app, as_role, scored_day):
    organizer = as_role("organizer")
    masked = organizer.get(f"/admin/events/{scored_day['event']}/registrations").text
    assert scored_day["own_id"] not in masked
    revealed = organizer.get(f"/admin/events/{scored_day['event']}/registrations?reveal=1").text
    assert scored_day["own_id"] in revealed
    (entry,) = audit_entries(app, "registration.reveal_ids")
    assert entry.actor_name == "organizer" and entry.after["count"] == 6


def audit_entries_like(app, fragment: str) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.contains(fragment)).order_by(AuditEntry.id)
        ).all()
        db.session.expunge_all()
        return entries


# --- every export of personal data is audited ------------------------------------------------------------------


def export_entry(app, action: str) -> AuditEntry:
    (entry,) = audit_entries(app, action)
    return entry


def test_every_export_of_the_competition_day_is_audited(app, as_role, scored_day):
    event, competition = scored_day["event"], scored_day["competition"]
    organizer = as_role("organizer")
    with app.test_request_context():
        day_event = db.session.get(Event, event)
        owner = db.session.scalar(select(User).filter_by(username="organizer"))
        for seat in judging.panel(day_event):
            judging.issue_link(owner, day_event, seat.judge)
        db.session.commit()
    downloads = {
        "tickets.export": (organizer, f"/admin/events/{event}/tickets.pdf", 6),
        "judge_badges.export": (organizer, f"/admin/events/{event}/badges.pdf", 4),
        "results.export": (organizer, f"/admin/competitions/{competition}/results.xlsx", 6),
        "registration.export": (organizer, f"/admin/events/{event}/registrations.xlsx?full=1", None),
        "sealed_list.export": (as_role("officer"), f"/officer/events/{event}/sealed.pdf", 6),
        "ticket.export": (as_role("competitor"), f"/portal/registrations/{scored_day['registration']}/ticket.pdf", 1),
    }
    for action, (client, path, rows) in downloads.items():
        response = client.get(path)
        assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"], path
        entry = export_entry(app, action)
        assert entry.actor_name, action
        if rows is not None:
            assert entry.after["rows"] == rows, action
    pdf = organizer.get(f"/admin/competitions/{competition}/results.pdf")
    assert pdf.status_code == 200
    formats = sorted(entry.after["format"] for entry in audit_entries(app, "results.export"))
    assert formats == ["pdf", "xlsx"]
    assert all(entry.competition_id == competition for entry in audit_entries_like(app, ".export"))


def test_the_import_error_list_is_audited(app, as_role, day_event):
    from tests.services.test_importing import sheet

    organizer = as_role("organizer")
    data = sheet(["张伟", "321302199003070019", "", "高级工", ""], ["李娜", "3213021988051200", "", "", ""])
    response = organizer.post(
        f"/admin/events/{day_event}/import",
        data={"file": (io.BytesIO(data), "报名表.xlsx")},
        content_type="multipart/form-data",
    )
    errors_path = re.search(r"/admin/events/\d+/import/[\w-]+/errors\.xlsx", response.text)[0]
    assert organizer.get(errors_path).status_code == 200
    assert export_entry(app, "import_errors.export").after == {"rows": 2}


def test_certificate_downloads_are_audited(app, as_role):
    with app.test_request_context(), force_locale("en"):
        owner = make_user("organizer")
        competition = certificate_world.final(owner)
        issued = certificates.issue_certificates(owner, competition)
        make_user("competitor", Role.COMPETITOR, person=issued[0].person)
        db.session.commit()
        certificate_id, competition_id = issued[0].id, competition.id
    organizer = as_role("organizer")
    assert organizer.get(f"/admin/certificates/{certificate_id}.pdf").status_code == 200
    assert as_role("competitor").get(f"/portal/certificates/{certificate_id}.pdf").status_code == 200
    entries = audit_entries(app, "certificate.export")
    assert [entry.object_id for entry in entries] == [str(certificate_id)] * 2
    assert [entry.actor_name for entry in entries] == ["organizer", "competitor"]
    page = organizer.get(f"/admin/competitions/{competition_id}/certificates").text
    issuer_id = re.search(r"/admin/certificate-issuers/(\d+)/print", page)[1]
    job_page = organizer.post(f"/admin/certificate-issuers/{issuer_id}/print", data={"event_id": ""})
    assert job_page.status_code == 302
    with app.app_context():
        print_id = db.session.scalar(select(PrintFile.id))
    assert organizer.get(f"/admin/certificate-prints/{print_id}.pdf").status_code == 200
    entry = export_entry(app, "certificate_print.export")
    assert entry.after["rows"] == len(issued) and entry.competition_id == competition_id
