"""Sign-up, self-registration, unit entry and the organizer's review, through the screens."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from compete.accounts.models import Role
from compete.audit.models import AuditEntry
from compete.columns import local_now
from compete.extensions import db
from compete.people.models import Unit, UnitKind
from compete.registration.models import Registration, RegistrationStatus
from tests.factories import make_competition, make_event, make_user, sign_in, valid_id_number

ZHANG = valid_id_number("32130219900307001")


@pytest.fixture
def site(app):
    """An announced competition whose event is open now, a unit with its contact, and the organizer."""
    now = local_now().replace(microsecond=0)
    with app.test_request_context():
        organizer = make_user("organizer")
        unit = Unit(name="江苏洋河酒厂股份有限公司", kind=UnitKind.EMPLOYER)
        db.session.add(unit)
        make_user("unit", Role.UNIT_CONTACT, unit=unit)
        starts = (now + timedelta(days=40)).date()
        competition = make_competition(organizer, starts_on=starts, ends_on=starts, year=starts.year)
        competition.announced = True
        event = make_event(
            organizer,
            competition,
            min_age=18,
            max_age=40,
            capacity=10,
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=now + timedelta(days=20),
        )
        db.session.commit()
        return {"event": event.id, "unit": unit.id}


def read(app, query):
    with app.app_context():
        try:
            return query()
        finally:
            db.session.remove()


def english(client):
    client.post("/language", data={"locale": "en"})
    return client


def sign_up(client, **changes):
    data = {
        "name": "张伟",
        "id_number": ZHANG,
        "phone": "13912345678",
        "unit_id": "0",
        "grade": "g3",
        "username": "zhangwei",
        "password": "zhang2026",
        "confirm": "zhang2026",
    } | changes
    return client.post("/signup", data=data)


def test_a_new_user_signs_up_registers_and_sees_the_status(app, client, site):
    english(client)
    assert sign_up(client).headers["Location"] == "/portal/"
    page = client.get("/portal/").text
    assert 'data-open-event="HG-W"' in page
    client.post(f"/portal/events/{site['event']}/register")
    page = client.get("/portal/").text
    assert 'data-registration="HG-W"' in page and "awaiting review" in page
    status = read(app, lambda: db.session.scalar(select(Registration.status)))
    assert status == RegistrationStatus.SUBMITTED
    client.post(f"/portal/events/{site['event']}/register")
    assert "already registered" in client.get("/portal/").text


def test_sign_up_never_duplicates_a_person_or_an_account(app, client, site):
    english(client)
    sign_up(client)
    client.post("/logout")
    response = sign_up(client, username="other")
    assert "An account already exists" in response.text
    response = sign_up(client, username="third", name="张玮")
    assert "under another name" in response.text
    assert 'value="third"' in response.text  # what was typed is kept


def test_the_applicant_sees_a_rejection_reason_and_can_withdraw(app, client, site):
    english(client)
    sign_up(client)
    client.post(f"/portal/events/{site['event']}/register")
    organizer = english(app.test_client())
    sign_in(organizer, "organizer")
    registration_id = read(app, lambda: db.session.scalar(select(Registration.id)))
    organizer.post(
        f"/admin/events/{site['event']}/registrations/decide",
        data={"selected": [str(registration_id)], "reason": "照片不合格", "reject": "1"},
    )
    page = client.get("/portal/").text
    assert "Rejected" in page and "照片不合格" in page
    client.post(f"/portal/events/{site['event']}/register")  # entered again after fixing it
    client.post(f"/portal/registrations/{registration_id}/withdraw")
    assert read(app, lambda: db.session.get(Registration, registration_id).status) == RegistrationStatus.WITHDRAWN


def test_a_unit_contact_enters_several_people_all_or_nothing(app, site):
    contact = english(app.test_client())
    sign_in(contact, "unit")
    rows = {f"people-{i}-grade": "none" for i in range(10)}
    rows |= {
        "event_id": str(site["event"]),
        "people-0-name": "钱七",
        "people-0-id_number": valid_id_number("32130219960101001"),
        "people-1-name": "孙八",
        "people-1-id_number": "32130219960101002X",
    }
    response = contact.post("/portal/unit/register", data=rows)
    assert "Nothing was saved" in response.text
    assert read(app, lambda: db.session.scalar(select(Registration.id))) is None
    rows["people-1-id_number"] = valid_id_number("32130219960101002")
    assert contact.post("/portal/unit/register", data=rows).status_code == 302
    page = contact.get("/portal/").text
    assert "钱七" in page and "孙八" in page
    units = read(app, lambda: {r.unit_id for r in db.session.scalars(select(Registration))})
    assert units == {site["unit"]}


def test_a_unit_contact_sees_only_their_units_registrations(app, client, site):
    english(client)
    sign_up(client)  # 张伟 has no unit
    client.post(f"/portal/events/{site['event']}/register")
    contact = english(app.test_client())
    sign_in(contact, "unit")
    assert "张伟" not in contact.get("/portal/").text
    registration_id = read(app, lambda: db.session.scalar(select(Registration.id)))
    assert contact.post(f"/portal/registrations/{registration_id}/withdraw").status_code == 403


def test_the_reviewer_sees_failed_checks_and_bulk_decides(app, client, site):
    english(client)
    sign_up(client, id_number=valid_id_number("32130219700101001"), name="老王")  # 56 years old: over 40
    client.post(f"/portal/events/{site['event']}/register")
    organizer = english(app.test_client())
    sign_in(organizer, "organizer")
    page = organizer.get(f"/admin/events/{site['event']}/registrations").text
    assert "the maximum is 40" in page
    assert "3213**********" in page and valid_id_number("32130219700101001") not in page
    registration_id = read(app, lambda: db.session.scalar(select(Registration.id)))
    organizer.post(
        f"/admin/events/{site['event']}/registrations/decide",
        data={"selected": [str(registration_id)], "reason": "", "approve": "1"},
    )
    assert read(app, lambda: db.session.get(Registration, registration_id).status) == RegistrationStatus.SUBMITTED
    organizer.post(
        f"/admin/events/{site['event']}/registrations/decide",
        data={"selected": [str(registration_id)], "reason": "组委会批准", "approve": "1"},
    )
    assert read(app, lambda: db.session.get(Registration, registration_id).status) == RegistrationStatus.APPROVED


def test_revealing_full_id_numbers_is_audited(app, client, site):
    english(client)
    sign_up(client)
    client.post(f"/portal/events/{site['event']}/register")
    organizer = english(app.test_client())
    sign_in(organizer, "organizer")
    assert ZHANG in organizer.get(f"/admin/events/{site['event']}/registrations?reveal=1").text
    entry = read(
        app, lambda: db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.reveal_ids"))
    )
    assert entry is not None and entry.after["count"] == 1


def test_registration_screens_are_guarded(app, client, site):
    assert client.get(f"/admin/events/{site['event']}/registrations").status_code == 302
    other = english(app.test_client())
    with app.test_request_context():
        make_user("other_organizer")
        db.session.commit()
    sign_in(other, "other_organizer")
    assert other.get(f"/admin/events/{site['event']}/registrations").status_code == 403
    assert other.post(f"/admin/events/{site['event']}/registrations/decide", data={}).status_code == 403


def test_the_import_screen_checks_reports_and_commits_once(app, site):
    import io

    from openpyxl import load_workbook

    from tests.services.test_importing import sheet

    organizer = english(app.test_client())
    sign_in(organizer, "organizer")
    data = sheet(["张伟", ZHANG, "", "高级工", ""], ["李娜", "3213021988051200", "", "", ""])
    response = organizer.post(
        f"/admin/events/{site['event']}/import",
        data={"file": (io.BytesIO(data), "报名表.xlsx")},
        content_type="multipart/form-data",
    )
    assert "data-valid-count>1<" in response.text and "data-error-count>1<" in response.text
    token = response.text.split('name="token" type="hidden" value="')[1].split('"')[0]
    errors = organizer.get(f"/admin/events/{site['event']}/import/{token}/errors.xlsx")
    rows = list(load_workbook(io.BytesIO(errors.data)).active.values)
    assert rows[1][:2] == (4, "身份证号")
    assert organizer.post(f"/admin/events/{site['event']}/import/commit", data={"token": token}).status_code == 302
    assert read(app, lambda: db.session.scalar(select(Registration.id))) is not None
    again = organizer.post(f"/admin/events/{site['event']}/import/commit", data={"token": token})
    assert again.status_code == 302 and "import" in again.headers["Location"]
    assert read(app, lambda: len(db.session.scalars(select(Registration)).all())) == 1


@pytest.mark.parametrize(("name", "data"), [("报名表.csv", b"name,id"), ("报名表.xlsx", b"not a workbook")])
def test_the_import_screen_refuses_a_file_that_is_not_a_workbook(app, site, name, data):
    import io

    organizer = english(app.test_client())
    sign_in(organizer, "organizer")
    response = organizer.post(
        f"/admin/events/{site['event']}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "is-invalid" in response.text and "data-import-report" not in response.text


def test_an_approved_competitor_downloads_a_ticket_whose_code_opens_its_page(app, client, site):
    english(client)
    sign_up(client)
    client.post(f"/portal/events/{site['event']}/register")
    registration_id, token = read(
        app, lambda: db.session.execute(select(Registration.id, Registration.ticket_token)).one()
    )
    refused = client.get(f"/portal/registrations/{registration_id}/ticket.pdf")
    assert refused.status_code == 302  # not approved yet: no ticket
    organizer = english(app.test_client())
    sign_in(organizer, "organizer")
    organizer.post(
        f"/admin/events/{site['event']}/registrations/decide",
        data={"selected": [str(registration_id)], "reason": "", "approve": "1"},
    )
    ticket = client.get(f"/portal/registrations/{registration_id}/ticket.pdf")
    assert ticket.status_code == 200 and ticket.data.startswith(b"%PDF")
    page = app.test_client().get(f"/tickets/{token}").text
    assert "张伟" in page and "3213**********" in page and ZHANG not in page
    assert app.test_client().get("/tickets/not-a-real-token").status_code == 404
    batch = organizer.get(f"/admin/events/{site['event']}/tickets.pdf")
    assert batch.status_code == 200 and batch.data.startswith(b"%PDF")


def test_exports_are_masked_unless_asked_and_always_audited(app, client, site):
    import io

    from openpyxl import load_workbook

    english(client)
    sign_up(client)
    client.post(f"/portal/events/{site['event']}/register")
    organizer = english(app.test_client())
    sign_in(organizer, "organizer")
    masked = organizer.get(f"/admin/events/{site['event']}/registrations.xlsx")
    full = organizer.get(f"/admin/events/{site['event']}/registrations.xlsx?full=1")
    cells = lambda response: {c for row in load_workbook(io.BytesIO(response.data)).active.values for c in row}  # noqa: E731
    assert ZHANG not in cells(masked) and ZHANG in cells(full)
    entries = read(
        app,
        lambda: [
            e.after["full_id_numbers"]
            for e in db.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "registration.export").order_by(AuditEntry.id)
            )
        ],
    )
    assert entries == [False, True]


def test_the_person_page_lists_registrations_and_audits_a_reveal(app, client, site):
    english(client)
    sign_up(client)
    client.post(f"/portal/events/{site['event']}/register")
    organizer = english(app.test_client())
    sign_in(organizer, "organizer")
    person_id = read(app, lambda: db.session.scalar(select(Registration.person_id)))
    page = organizer.get(f"/admin/people/{person_id}").text
    assert "焊工(职工组)" in page and ZHANG not in page
    assert ZHANG in organizer.get(f"/admin/people/{person_id}?reveal=1").text
    assert read(app, lambda: db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "person.reveal_id")))
    assert organizer.get("/admin/people/999999").status_code == 404


def test_a_big_sheet_is_checked_and_imported_by_background_jobs_with_progress(app, site):
    import io

    from compete.jobs.models import Job, JobState
    from tests.registration_sheets import build_sheet, many_rows

    rows = many_rows(600)
    rows[10][1] = "321302199003070010"  # a bad check digit
    organizer = english(app.test_client())
    sign_in(organizer, "organizer")
    uploaded = organizer.post(
        f"/admin/events/{site['event']}/import",
        data={"file": (io.BytesIO(build_sheet(rows)), "报名表.xlsx")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302 and "/admin/jobs/" in uploaded.headers["Location"]
    checked = organizer.get(uploaded.headers["Location"])  # the job has finished: on to its report
    assert checked.status_code == 302 and "/import/checked/" in checked.headers["Location"]
    report = organizer.get(checked.headers["Location"]).text
    assert "data-valid-count>599<" in report and "data-error-count>1<" in report
    token = report.split('name="token" type="hidden" value="')[1].split('"')[0]

    committed = organizer.post(f"/admin/events/{site['event']}/import/commit", data={"token": token})
    assert "/admin/jobs/" in committed.headers["Location"]
    done = organizer.get(committed.headers["Location"])
    assert done.headers["Location"].endswith(f"/admin/events/{site['event']}/registrations")
    assert "599 registrations imported; 1 rows were left out." in organizer.get(done.headers["Location"]).text
    assert read(app, lambda: len(db.session.scalars(select(Registration)).all())) == 599
    states = read(app, lambda: [job.state for job in db.session.scalars(select(Job))])
    assert states == [JobState.SUCCEEDED, JobState.SUCCEEDED]


def test_the_job_page_shows_progress_and_failures_to_its_owner_only(app, site):
    from compete.accounts.models import User
    from compete.jobs import services as jobs
    from compete.jobs.models import JobState

    def running_job():
        owner = db.session.scalar(select(User).where(User.username == "organizer"))
        job = jobs.create_job(owner, "registration.check", {"event_id": site["event"], "token": "x" * 32}, locale="en")
        jobs.mark_running(job)
        job.phase, job.done, job.total = "checking", 150, 600
        db.session.commit()
        return job.id

    job_id = read(app, running_job)
    organizer = english(app.test_client())
    sign_in(organizer, "organizer")
    page = organizer.get(f"/admin/jobs/{job_id}").text
    assert "Checking rows against the registry and the event" in page and "150 / 600" in page and "25%" in page
    progress = organizer.get(f"/admin/jobs/{job_id}/progress").json
    assert progress == {
        "state": "running",
        "finished": False,
        "percent": 25,
        "phase": "Checking rows against the registry and the event",
        "done": 150,
        "total": 600,
        "count": "150 / 600",
        "error": None,
    }

    def fail():
        from compete.jobs.models import Job

        jobs.mark_failed(db.session.get(Job, job_id), "That upload has already been imported or has expired.")
        db.session.commit()

    read(app, fail)
    failed = organizer.get(f"/admin/jobs/{job_id}").text
    assert "data-job-error" in failed and "already been imported" in failed
    assert organizer.get(f"/admin/jobs/{job_id}/progress").json["state"] == JobState.FAILED.value

    read(app, lambda: make_user("organizer2") and db.session.commit())
    stranger = app.test_client()
    sign_in(stranger, "organizer2")
    assert stranger.get(f"/admin/jobs/{job_id}").status_code == 404
    assert stranger.get(f"/admin/jobs/{job_id}/progress").status_code == 404
