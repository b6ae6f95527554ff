"""Every route against every role, object-level checks by changed ids, and CSRF on every state-changing route."""

import re
from typing import NamedTuple

import pytest
from flask import Flask

from compete.extensions import db
from tests.factories import sign_in
from tests.web import access_world

ROLES = (
    "anonymous",
    "competitor",
    "unit_contact",
    "judge",  # a tablet signed in by a station judge's badge link
    "chief_judge",  # a tablet signed in by the chief judge's badge link
    "venue_account",  # a chief-judge account signed in with its password, no badge
    "encryption_officer",
    "supervisor",
    "other_organizer",
    "organizer",
    "admin",
)
EVERYONE = frozenset(ROLES)
STAFF = frozenset({"other_organizer", "organizer", "admin"})
OWNER = frozenset({"organizer", "admin"})  # the organizer of the competition in the URL, or an admin
ADMIN = frozenset({"admin"})
PORTAL = frozenset({"competitor", "unit_contact"})
VENUE = frozenset({"judge", "chief_judge", "venue_account", "encryption_officer", "supervisor"})
TABLETS = frozenset({"judge", "chief_judge"})
STATION_JUDGE = frozenset({"judge"})  # the station in the URL is the judge's; the chief judge marks none
CHIEF = frozenset({"chief_judge"})
OFFICER = frozenset({"encryption_officer"})
SUPERVISOR = frozenset({"supervisor"})
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NO_LINK = {"venue_account": 404, "encryption_officer": 404, "supervisor": 404}  # a venue account without a badge
NOT_THEIRS = {"other_organizer": 404}  # found only by their owner: another organizer learns nothing, not even 403
CSRF_HINT = "The form expired or was sent twice"


class Rule(NamedTuple):
    allowed: frozenset
    ok: int | dict = 200  # the status a permitted role's GET gets (per role when a dict)
    refused: dict = {}  # a refused role's status where it is not 403 (401 for the API, /login for anonymous)
    args: dict = {}  # URL arguments taken from elsewhere in the world than world["args"]
    query: str = ""
    body: dict | None = None  # what a state-changing request sends (as JSON for the API)


def login_form() -> Rule:
    """Anyone may open it; a signed-in user is sent to their home page instead."""
    return Rule(EVERYONE, ok={role: 200 if role == "anonymous" else 302 for role in ROLES})


MATRIX = {
    # public pages and the sign-in screens
    "public.index": Rule(EVERYONE),
    "public.competition": Rule(EVERYONE),
    "public.results_page": Rule(EVERYONE),
    "public.event_results": Rule(EVERYONE),
    "public.ticket": Rule(EVERYONE, args={"token": "ticket_token"}),
    "public.verify": Rule(EVERYONE, args={"token": "verify_token"}),
    "public.verify_search": Rule(EVERYONE),
    "public.health": Rule(EVERYONE),
    "auth.login": login_form(),
    "auth.signup": login_form(),
    "auth.logout": Rule(EVERYONE),
    "auth.language": Rule(EVERYONE, body={"locale": "en"}),
    "api.openapi": Rule(EVERYONE),
    "judge.link_sign_in": Rule(EVERYONE, ok=302, args={"token": "third_token"}),
    # the tablet
    "judge.index": Rule(VENUE),
    "judge.station": Rule(STATION_JUDGE, refused={"chief_judge": 404, **NO_LINK}),
    "judge.chief": Rule(CHIEF),
    "judge.chief_reopen": Rule(CHIEF, body={"judge_id": "@judge_id", "station": "@station", "reason": "重评"}),
    "judge.chief_lock": Rule(CHIEF),
    "judge.chief_time": Rule(CHIEF, body={"station": "@station", "minutes": "99"}),
    "judge.chief_correct": Rule(CHIEF, body={"value": "1", "reason": "x", "witness_username": "supervisor"}),
    "api.stations": Rule(TABLETS),
    "api.station_sheet": Rule(STATION_JUDGE),
    "api.put_mark": Rule(STATION_JUDGE, body={"value": "1", "base_version": 1, "key": "intrusion"}),
    "api.submit_station": Rule(STATION_JUDGE),
    # the encryption officer and the arbitration group
    "officer.index": Rule(OFFICER),
    "officer.sealed": Rule(OFFICER),
    "officer.sealed_pdf": Rule(OFFICER),
    "officer.decrypt": Rule(OFFICER, body={"witness_username": "supervisor", "witness_password": "secret123"}),
    "arbitration.index": Rule(SUPERVISOR),
    "arbitration.decide": Rule(SUPERVISOR, body={"outcome": "upheld", "decision": "成立"}),
    "arbitration.order_tie": Rule(SUPERVISOR, body={"order": "1,2", "reason": "x"}),
    # competitors and unit contacts
    "portal.index": Rule(PORTAL),
    "portal.certificate": Rule(PORTAL),
    "portal.ticket": Rule(PORTAL),
    "portal.appeal": Rule(PORTAL, body={"grounds": "再次申诉"}),
    "portal.withdraw": Rule(PORTAL),
    "portal.register": Rule(frozenset({"competitor"}), args={"event_id": "open_event"}),
    "portal.unit_register": Rule(frozenset({"unit_contact"})),
    # the whole registry and the organizers' shared tools
    "admin.index": Rule(STAFF),
    "admin.new_competition": Rule(STAFF),
    "admin.people": Rule(STAFF),
    "admin.new_person": Rule(STAFF),
    "admin.person": Rule(STAFF),
    "admin.units": Rule(STAFF, body={"name": "入侵单位", "kind": "employer"}),
    "admin.regions": Rule(STAFF, body={"code": "999999", "name": "入侵区", "level": "county"}),
    "admin.judges": Rule(STAFF),
    "admin.record_conflict": Rule(STAFF),
    "admin.honours_index": Rule(STAFF),
    "admin.policies_list": Rule(STAFF),
    "admin.copy_preset": Rule(STAFF),
    "admin.preview_policy": Rule(STAFF, query="policy=suqian"),
    "admin.selection_rounds": Rule(STAFF),
    "admin.add_selection_title": Rule(STAFF, body={"name": "入侵称号", "level": "municipal", "awarding_body": "x"}),
    "admin.create_selection_round": Rule(STAFF),
    "admin.targets": Rule(STAFF),
    "admin.save_target": Rule(
        STAFF, body={"region_id": "@region_id", "year": "2026", "kind": "promotions", "value": "9"}
    ),
    "admin.delete_target": Rule(STAFF),
    "admin.targets_xlsx": Rule(STAFF),
    "admin.import_template": Rule(STAFF),
    "admin.import_archive": Rule(STAFF),
    # system administration
    "admin.users": Rule(
        ADMIN, body={"username": "intruder", "password": "intruder123", "display_name": "x", "role": "admin"}
    ),
    "admin.audit_log": Rule(ADMIN),
    # one competition's screens: its organizer and the admin only
    "admin.competition": Rule(OWNER),
    "admin.edit_competition": Rule(OWNER),
    "admin.announce_competition": Rule(OWNER),
    "admin.copy_competition": Rule(OWNER),
    "admin.competition_audit": Rule(OWNER),
    "admin.export_archive": Rule(OWNER),
    "admin.new_event": Rule(OWNER),
    "admin.edit_event": Rule(OWNER),
    "admin.event_scheme": Rule(OWNER),
    "admin.copy_event": Rule(OWNER),
    "admin.registrations": Rule(OWNER, query="reveal=1"),
    "admin.decide_registrations": Rule(OWNER, body={"selected": "@registration_id", "reject": "y", "reason": "x"}),
    "admin.event_tickets": Rule(OWNER),
    "admin.export_registrations": Rule(OWNER, query="full=1"),
    "admin.import_registrations": Rule(OWNER),
    "admin.import_report": Rule(OWNER, ok=302, args={"job_id": "check_job_id"}),
    "admin.import_errors": Rule(OWNER),
    "admin.commit_import": Rule(OWNER, body={"token": access_world.IMPORT_TOKEN}),
    "admin.job": Rule(OWNER, refused=NOT_THEIRS),
    "admin.job_progress": Rule(OWNER, refused=NOT_THEIRS),
    "admin.event_day": Rule(OWNER),
    "admin.check_in": Rule(OWNER, body={"entry_id": "@entry_id"}),
    "admin.attendance": Rule(OWNER),
    "admin.close_check_in": Rule(OWNER),
    "admin.run_draw": Rule(OWNER, body={"stage": "stations", "witness_username": "supervisor"}),
    "admin.manual_draw": Rule(OWNER),
    "admin.cancel_draws": Rule(OWNER, body={"reason": "x", "witness_username": "supervisor"}),
    "admin.assign_officer": Rule(OWNER),
    "admin.event_panel": Rule(OWNER),
    "admin.remove_from_panel": Rule(OWNER),
    "admin.assign_stations": Rule(OWNER),
    "admin.issue_link": Rule(OWNER),
    "admin.revoke_link": Rule(OWNER),
    "admin.judge_badges": Rule(OWNER),
    "admin.theory_scores": Rule(OWNER),
    "admin.import_theory_scores": Rule(OWNER),
    "admin.competition_results": Rule(OWNER),
    "admin.event_results_page": Rule(OWNER),
    "admin.review_results": Rule(OWNER),
    "admin.publish_results": Rule(OWNER, body={"publicity_days": "0", "appeal_hours": "0", "note": "x"}),
    "admin.finalize_results": Rule(OWNER, body={"confirm": "y"}),
    "admin.reopen_results": Rule(OWNER, body={"reason": "x"}),
    "admin.results_workbook": Rule(OWNER),
    "admin.results_document": Rule(OWNER),
    "admin.competition_honours": Rule(OWNER),
    "admin.apply_policy": Rule(OWNER),
    "admin.confirm_outcome": Rule(OWNER),
    "admin.confirm_all_outcomes": Rule(OWNER),
    "admin.decline_outcome": Rule(OWNER, body={"reason": "x"}),
    "admin.edit_policy": Rule(OWNER, refused=NOT_THEIRS),
    "admin.competition_certificates": Rule(OWNER),
    "admin.round_certificates": Rule(OWNER),
    "admin.save_issuer": Rule(OWNER, body={"code": "X", "authority": "入侵机关", "issued_on": "2026-12-20"}),
    "admin.upload_seal": Rule(OWNER),
    "admin.generated_seal": Rule(OWNER),
    "admin.seal_image": Rule(OWNER),
    "admin.edit_design": Rule(OWNER),
    "admin.preview_design": Rule(OWNER),
    "admin.issue_certificates": Rule(OWNER),
    "admin.print_certificates": Rule(OWNER),
    "admin.print_file": Rule(OWNER, refused=NOT_THEIRS),
    "admin.certificate": Rule(OWNER),
    "admin.certificate_pdf": Rule(OWNER),
    "admin.revoke_certificate": Rule(OWNER, body={"revoke-reason": "x"}),
    "admin.reissue_certificate": Rule(OWNER, body={"reissue-reason": "x"}),
    "admin.selection_round": Rule(OWNER),
    "admin.recommend_candidate": Rule(OWNER),
    "admin.record_review_score": Rule(OWNER),
    "admin.advance_selection_round": Rule(OWNER),
    "admin.approve_selection_round": Rule(OWNER),
}


# --- the world, signed-in clients, and what "nothing changed" means -------------------------------------------------


def wipe(app: Flask) -> None:
    with app.app_context():
        access_world.remove_upload()
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


def build_world(app: Flask) -> dict:
    with app.test_request_context():
        world = access_world.build()
        db.session.commit()
        db.session.remove()
    return world


def signed_in(app: Flask, world: dict, role: str):
    """A client of the role, its interface in English; tablets sign in by scanning their badge link."""
    client = app.test_client()
    if role in access_world.LINK_USERS:
        assert client.get(f"/judge/link/{world['tokens'][role]}").status_code == 302
    elif role != "anonymous":
        assert sign_in(client, access_world.PASSWORD_USERS[role]).status_code == 302, role
    client.post("/language", data={"locale": "en"})
    return client


def snapshot(app: Flask) -> dict:
    """Every row of every table: a refused request must leave all of them as they were. (Read through the driver:
    the matrix takes hundreds of these, and the ORM would triple their cost.)"""
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            rows = {}
            for table in db.metadata.sorted_tables:
                cursor.execute(f'SELECT * FROM "{table.name}"')
                rows[table.name] = sorted(map(repr, cursor.fetchall()))
            return rows
        finally:
            connection.close()


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def methods_of(app: Flask, endpoint: str) -> set[str]:
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    return set().union(*(rule.methods for rule in rules)) - {"HEAD", "OPTIONS"}


def url_of(app: Flask, world: dict, endpoint: str, **changes) -> str:
    rule = MATRIX[endpoint]
    (url_rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    values = {name: world["args"][name] for name in url_rule.arguments}
    values |= {name: world[key] if key in world else world["args"][key] for name, key in rule.args.items()}
    values |= changes
    url = app.url_map.bind("localhost").build(endpoint, values)
    return f"{url}?{rule.query}" if rule.query else url


def body_of(world: dict, endpoint: str) -> dict:
    """The rule's body, its "@name" values replaced by the world's ids of that name."""
    body = MATRIX[endpoint].body or {}
    return {
        name: str(world["args"][value[1:]]) if isinstance(value, str) and value.startswith("@") else value
        for name, value in body.items()
    }


def send(client, method: str, url: str, body: dict | None, **extra):
    if url.startswith("/api/"):
        return client.open(url, method=method, json=body or {}, **extra)
    return client.open(url, method=method, data=body or {}, **extra)


def expected_refusal(role: str, endpoint: str) -> int:
    if role == "anonymous":
        return 401 if endpoint.startswith("api.") else 302
    return MATRIX[endpoint].refused.get(role, 403)


def assert_refused(response, role: str, endpoint: str, world: dict) -> None:
    expected = expected_refusal(role, endpoint)
    assert response.status_code == expected, f"{endpoint} as {role}: {response.status_code}, expected {expected}"
    if expected == 302:
        assert response.headers["Location"].startswith("/login?next="), f"{endpoint}: {response.headers['Location']}"
    leaked = [name for name in world["secrets"] if name in response.get_data(as_text=True)]
    assert not leaked, f"{endpoint} as {role} refused but showed {leaked}"


def route_methods() -> dict[str, set[str]]:
    """The routes' methods when the tests are collected, before any fixture exists."""
    from compete import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "collecting"})
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return methods


ROUTE_METHODS = route_methods()


def cases():
    """(endpoint, role) wherever there is something to check: every GET, and every refused change."""
    methods = {endpoint: ROUTE_METHODS.get(endpoint, set()) for endpoint in MATRIX}
    for endpoint in sorted(MATRIX):
        for role in ROLES:
            if "GET" in methods[endpoint] or (methods[endpoint] & CHANGING and role not in MATRIX[endpoint].allowed):
                yield pytest.param(endpoint, role, id=f"{endpoint}-{role}")


def csrf_cases():
    for endpoint in sorted(ROUTE_METHODS):
        if ROUTE_METHODS[endpoint] & CHANGING:
            yield pytest.param(endpoint, id=endpoint)


# --- the matrix, on one world built once -----------------------------------------------------------------------------


@pytest.fixture(scope="class")
def world(app):
    """This module's world (see access_world), in place of the smaller one of tests/web/conftest.py."""
    wipe(app)
    world = build_world(app)
    yield world
    wipe(app)


@pytest.fixture(scope="class")
def clients(app, world):
    """Signed-in clients, one per role, made when first asked for."""
    made = {}

    def client_of(role: str):
        if role not in made:
            made[role] = signed_in(app, world, role)
        return made[role]

    return client_of


class TestMatrix:
    """Read-only against the world: every refused request is checked to change nothing, so the world stays put."""

    @pytest.fixture(autouse=True)
    def _clean_database(self):
        """Overrides the per-test wipe: these tests share one world, torn down with the class."""
        yield

    def test_every_route_has_a_row_in_the_matrix(self, app):
        routes = {rule.endpoint for rule in app.url_map.iter_rules() if not rule.endpoint.endswith("static")}
        assert routes - set(MATRIX) == set(), "routes missing from the access matrix"
        assert set(MATRIX) - routes == set(), "rows of the matrix without a route"

    @pytest.mark.parametrize(("endpoint", "role"), list(cases()))
    def test_route_by_role(self, app, world, clients, endpoint, role):
        rule = MATRIX[endpoint]
        # Signing in by a badge link replaces the session: that route gets a client of its own.
        client = signed_in(app, world, role) if endpoint == "judge.link_sign_in" else clients(role)
        url = url_of(app, world, endpoint)
        methods = methods_of(app, endpoint)
        refused = role not in rule.allowed
        before = snapshot(app) if refused else None
        if "GET" in methods:
            response = client.get(url)
            if refused:
                assert_refused(response, role, endpoint, world)
            else:
                expected = rule.ok[role] if isinstance(rule.ok, dict) else rule.ok
                assert response.status_code == expected, f"GET {url} as {role}: {response.status_code}"
        if refused:
            for method in sorted(methods & CHANGING):
                assert_refused(send(client, method, url, body_of(world, endpoint)), role, endpoint, world)
            assert changed_tables(before, snapshot(app)) == [], f"{endpoint} refused to {role} but wrote"

    @pytest.mark.parametrize("endpoint", list(csrf_cases()))
    def test_a_change_without_the_csrf_token_is_refused_and_writes_nothing(
        self, app, world, clients, endpoint, monkeypatch
    ):
        rule = MATRIX[endpoint]
        role = next(role for role in ROLES if role in rule.allowed)
        client = clients(role)
        url = url_of(app, world, endpoint)
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
        before = snapshot(app)
        for method in sorted(methods_of(app, endpoint) & CHANGING):
            body = body_of(world, endpoint) or {"username": "organizer", "password": "secret123"}
            response = send(client, method, url, body)
            assert response.status_code == 400, f"{method} {url} as {role} without a token: {response.status_code}"
            assert CSRF_HINT in response.get_data(as_text=True)
        assert changed_tables(before, snapshot(app)) == []
        if role != "anonymous":
            assert client.get("/login").status_code == 302, "the refused request signed the user out"

    def test_with_the_token_the_same_requests_pass_the_csrf_check(self, app, world, monkeypatch):
        tablet, organizer = signed_in(app, world, "judge"), signed_in(app, world, "organizer")
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
        page = tablet.get(f"/judge/stations/{world['args']['station']}").get_data(as_text=True)
        token = re.search(r'data-csrf="([^"]+)"', page).group(1)
        url = url_of(app, world, "api.put_mark")
        body = {"value": "1", "base_version": 1, "key": "with-token"}
        response = tablet.put(url, json=body, headers={"X-CSRFToken": token})
        # Past the CSRF check, the mark meets the lock: the marks of this event were locked by the chief judge.
        assert response.status_code == 409 and "locked" in response.json["error"]
        form = organizer.get("/admin/").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        assert organizer.post("/language", data={"locale": "en", "csrf_token": token}).status_code == 302

    # --- object-level checks: the right role with someone else's ids ---------------------------------------------

    @pytest.mark.parametrize(
        ("endpoint", "changes"),
        [
            ("admin.competition", {"competition_id": "competition"}),
            ("admin.competition_results", {"competition_id": "competition"}),
            ("admin.results_workbook", {"competition_id": "competition"}),
            ("admin.registrations", {"event_id": "event"}),
            ("admin.export_registrations", {"event_id": "event"}),
            ("admin.event_results_page", {"event_id": "event"}),
            ("admin.certificate", {"certificate_id": "certificate"}),
            ("admin.certificate_pdf", {"certificate_id": "certificate"}),
            ("admin.edit_design", {"issuer_id": "issuer"}),
            ("admin.seal_image", {"issuer_id": "issuer"}),
            ("admin.selection_round", {"round_id": "round"}),
            ("admin.round_certificates", {"round_id": "round"}),
        ],
    )
    def test_an_organizer_cannot_open_another_organizers_objects(self, app, world, clients, endpoint, changes):
        url = url_of(app, world, endpoint, **{name: world["their"][key] for name, key in changes.items()})
        response = clients("organizer").get(url)
        assert response.status_code == 403, url
        assert access_world.THEIRS not in response.get_data(as_text=True)

    @pytest.mark.parametrize(
        ("endpoint", "changes", "body"),
        [
            ("admin.announce_competition", {"competition_id": "competition"}, {}),
            ("admin.decide_registrations", {"event_id": "event"}, {"selected": "registration", "reason": "x"}),
            ("admin.revoke_certificate", {"certificate_id": "certificate"}, {"revoke-reason": "x"}),
            ("admin.issue_certificates", {"issuer_id": "issuer"}, {}),
            ("admin.confirm_outcome", {"outcome_id": "outcome"}, {}),
            ("admin.decline_outcome", {"outcome_id": "outcome"}, {"reason": "x"}),
            ("admin.apply_policy", {"competition_id": "competition"}, {}),
            ("admin.advance_selection_round", {"round_id": "round"}, {}),
        ],
    )
    def test_an_organizer_cannot_change_another_organizers_objects(self, app, world, clients, endpoint, changes, body):
        url = url_of(app, world, endpoint, **{name: world["their"][key] for name, key in changes.items()})
        body = {name: world["their"].get(value, value) for name, value in body.items()}
        before = snapshot(app)
        assert clients("organizer").post(url, data=body).status_code == 403, url
        assert changed_tables(before, snapshot(app)) == []

    @pytest.mark.parametrize(
        ("endpoint", "body"),
        [
            # ids of the other organizer's objects sent in a form about one's own event, issuer or round
            ("admin.decide_registrations", {"selected": "registration", "approve": "y", "reason": "x"}),
            ("admin.check_in", {"entry_id": "entry"}),
            ("admin.print_certificates", {"event_id": "event"}),
            ("admin.record_review_score", {"candidate_id": "candidate", "reviewer_id": "1", "score": "90"}),
            ("admin.copy_event", {"competition_id": "competition", "code": "X-1"}),
        ],
    )
    def test_ids_of_another_competition_in_a_form_change_nothing(self, app, world, clients, endpoint, body):
        body = {name: str(world["their"].get(value, value)) for name, value in body.items()}
        before = snapshot(app)
        response = clients("organizer").post(url_of(app, world, endpoint), data=body)
        assert response.status_code in (200, 302, 404), f"{endpoint}: {response.status_code}"
        assert changed_tables(before, snapshot(app)) == []

    def test_a_panel_seat_or_link_is_reached_only_through_its_own_event(self, app, world, clients):
        organizer = clients("organizer")
        their_event = world["their"]["event"]
        before = snapshot(app)
        for endpoint in ("admin.remove_from_panel", "admin.issue_link", "admin.revoke_link"):
            url = url_of(app, world, endpoint, event_id=world["open_event"])
            assert organizer.post(url).status_code == 404, endpoint
        assert changed_tables(before, snapshot(app)) == []
        assert clients("other_organizer").post(url_of(app, world, "admin.revoke_link")).status_code == 403
        assert organizer.get(url_of(app, world, "admin.event_panel", event_id=their_event)).status_code == 403

    @pytest.mark.parametrize(
        ("role", "registration", "status"),
        [
            ("unit_contact", 2, 403),  # 王芳, of another unit
            ("unit_contact", 1, 200),  # 刘洋, a colleague of the contact's unit
            ("competitor", 1, 403),  # 刘洋, a colleague: still someone else
            ("competitor", 3, 403),
        ],
    )
    def test_the_portal_shows_only_ones_own_or_ones_units_registrations(
        self, app, world, clients, role, registration, status
    ):
        client = clients(role)
        registration_id = world["registrations"][registration]
        ticket = client.get(url_of(app, world, "portal.ticket", registration_id=registration_id))
        appeal = client.get(url_of(app, world, "portal.appeal", registration_id=registration_id))
        assert (ticket.status_code, appeal.status_code) == (status, status)
        if status == 403:
            before = snapshot(app)
            withdraw = client.post(url_of(app, world, "portal.withdraw", registration_id=registration_id))
            filed = client.post(
                url_of(app, world, "portal.appeal", registration_id=registration_id), data={"grounds": "x"}
            )
            assert (withdraw.status_code, filed.status_code) == (403, 403)
            assert changed_tables(before, snapshot(app)) == []

    def test_a_unit_contact_without_a_unit_sees_no_ones_registrations(self, app, world):
        """Not those of everyone registered without a unit, as "no unit" would otherwise match them all."""
        contact = app.test_client()
        sign_in(contact, "unitless_contact")
        home = contact.get("/portal/")
        assert home.status_code == 200 and access_world.UNITLESS not in home.get_data(as_text=True)
        ticket = url_of(app, world, "portal.ticket", registration_id=world["unitless_registration"])
        assert contact.get(ticket).status_code == 403

    @pytest.mark.parametrize(
        ("role", "certificate"),
        [("competitor", "colleague"), ("competitor", "other_unit"), ("unit_contact", "other_unit")],
    )
    def test_a_certificate_of_someone_else_is_not_found(self, app, world, clients, role, certificate):
        url = url_of(app, world, "portal.certificate", certificate_id=world["certificates"][certificate])
        assert clients(role).get(url).status_code == 404

    def test_an_officer_holds_only_the_mapping_of_their_own_events(self, app, world):
        officer = app.test_client()
        sign_in(officer, "other_officer")
        before = snapshot(app)
        for endpoint in ("officer.sealed", "officer.sealed_pdf"):
            assert officer.get(url_of(app, world, endpoint)).status_code == 403, endpoint
        decrypt = officer.post(url_of(app, world, "officer.decrypt"), data=body_of(world, "officer.decrypt"))
        assert decrypt.status_code == 403
        assert changed_tables(before, snapshot(app)) == []
        assert access_world.MINE not in officer.get("/officer/").get_data(as_text=True)

    def test_a_tablet_cannot_mark_a_criterion_of_another_event_or_a_station_not_its_own(self, app, world, clients):
        tablet = clients("judge")
        station, body = world["args"]["station"], {"value": "1", "base_version": 1, "key": "other-event"}
        before = snapshot(app)
        other_criterion = tablet.put(f"/api/v1/stations/{station}/marks/{world['their']['criterion']}", json=body)
        assert other_criterion.status_code == 404 and other_criterion.json["field"] == "criterion"
        other_station = tablet.put(f"/api/v1/stations/999/marks/{world['args']['criterion_id']}", json=body)
        assert other_station.status_code == 403
        assert tablet.get("/api/v1/stations/999").status_code == 403
        assert tablet.get("/judge/stations/999").status_code == 404
        assert changed_tables(before, snapshot(app)) == []


# --- permitted roles get past the guards (on a world of their own: these requests do change it) ---------------------


def test_every_state_changing_route_lets_its_permitted_roles_through(app):
    world = build_world(app)
    clients: dict = {}
    refused = []
    # The portal and the tablet first: the organizers' changes that follow (an announcement withdrawn, a lock)
    # would otherwise turn some of those requests away for reasons other than access.
    for endpoint in sorted(MATRIX, reverse=True):
        methods = methods_of(app, endpoint) & CHANGING
        rule = MATRIX[endpoint]
        if not methods:
            continue
        # Every permitted role; signing in, up or out changes the session itself, so those get fresh clients.
        fresh = endpoint.startswith("auth.")
        roles = ("anonymous", "organizer") if fresh else [role for role in ROLES if role in rule.allowed]
        for role in roles:
            if fresh:
                client = signed_in(app, world, role)
            else:
                if role not in clients:
                    clients[role] = signed_in(app, world, role)
                client = clients[role]
            for method in sorted(methods):
                response = send(client, method, url_of(app, world, endpoint), body_of(world, endpoint))
                location = response.headers.get("Location", "")
                if response.status_code in (401, 403) or location.startswith("/login"):
                    refused.append(f"{method} {endpoint} as {role}: {response.status_code} {location}")
    assert refused == []
