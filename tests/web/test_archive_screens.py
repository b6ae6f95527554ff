"""Archive screens: the owner (or an admin) downloads a competition's archive; staff upload one to import it."""

import io
import zipfile

import pytest
from sqlalchemy import func, select

from compete.accounts.models import User
from compete.audit.models import AuditEntry
from compete.certificates import services as certificates
from compete.competitions.models import Competition
from compete.extensions import db
from tests.certificate_world import final


@pytest.fixture
def final_competition(app, world):
    """The organizer's small example, final, with its certificates."""
    with app.test_request_context():
        organizer = db.session.scalar(select(User).where(User.username == "organizer"))
        competition = final(organizer)
        certificates.issue_certificates(organizer, competition)
        db.session.commit()
        return competition.id


def download(client, competition_id: int):
    return client.get(f"/admin/competitions/{competition_id}/archive.zip")


def upload(client, data: bytes, name="archive.zip"):
    return client.post(
        "/admin/archive/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def competitions() -> int:
    return db.session.scalar(select(func.count()).select_from(Competition))


def test_the_competition_page_links_to_the_archive_and_the_owner_downloads_it(app, as_role, final_competition):
    client = as_role("organizer")
    page = client.get(f"/admin/competitions/{final_competition}").get_data(as_text=True)
    assert f'href="/admin/competitions/{final_competition}/archive.zip"' in page
    assert "Download archive" in page
    response = download(client, final_competition)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert f"competition-{final_competition}-2026.compete.zip" in response.headers["Content-Disposition"]
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "archive.export"))
        assert entry.actor_name == "organizer" and entry.competition_id == final_competition


@pytest.mark.parametrize(("username", "status"), [("admin", 200), ("other_organizer", 403), ("judge", 403)])
def test_only_the_owner_or_an_admin_downloads(as_role, final_competition, username, status):
    assert download(as_role(username), final_competition).status_code == status


def test_a_signed_out_visitor_is_sent_to_sign_in(client, final_competition):
    assert download(client, final_competition).status_code in (302, 401)
    assert client.get("/admin/archive/import").status_code in (302, 401)


@pytest.mark.parametrize(
    ("username", "status"), [("admin", 200), ("organizer", 200), ("judge", 403), ("competitor", 403)]
)
def test_the_import_page_is_for_staff(as_role, world, username, status):
    response = as_role(username).get("/admin/archive/import")
    assert response.status_code == status
    if status == 200:
        page = response.get_data(as_text=True)
        assert 'enctype="multipart/form-data"' in page
        assert "<script" not in page.split("<main", 1)[-1].split("</main>", 1)[0]
        assert "style=" not in page.split("<main", 1)[-1].split("</main>", 1)[0]


def test_an_import_from_the_same_installation_is_refused_with_its_message(app, as_role, final_competition):
    client = as_role("organizer")
    data = download(client, final_competition).data
    response = upload(as_role("admin"), data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "This archive was exported from this installation" in page
    with app.app_context():
        assert competitions() == 3  # the world's two and the final one: nothing added


def test_an_upload_that_is_not_an_archive_is_refused(app, as_role, world):
    client = as_role("organizer")
    page = upload(client, b"PK not really").get_data(as_text=True)
    assert "This file is not a competition archive" in page
    page = upload(client, b"hello", name="notes.txt").get_data(as_text=True)
    assert "Upload a competition archive: a .zip file exported by this system." in page
    page = client.post("/admin/archive/import", data={}, content_type="multipart/form-data").get_data(as_text=True)
    assert "Choose the archive file to import." in page


def test_an_archive_over_the_limit_is_refused_by_the_form(app, as_role, world, monkeypatch):
    from compete.archive import forms

    size_check = next(v for v in forms.ArchiveImportForm.file.kwargs["validators"] if hasattr(v, "max_size"))
    monkeypatch.setattr(size_check, "max_size", 10)
    page = upload(as_role("organizer"), b"x" * 11).get_data(as_text=True)
    assert "The file is too large: at most 16 MB." in page


def test_an_archive_from_another_installation_is_imported_and_owned_by_the_importer(app, as_role, final_competition):
    data = download(as_role("organizer"), final_competition).data
    with app.app_context():
        # Another installation: the same database emptied, with an organizer of its own.
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        from tests.factories import make_user

        make_user("organizer")
        db.session.commit()
    client = as_role("organizer")
    response = upload(client, data)
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Competition imported. People: 0 found in the registry here, 9 added" in page
    with app.app_context():
        competition = db.session.get(Competition, new_id)
        assert competition.owner.username == "organizer"
        assert len(certificates.certificates_of(competition_id=new_id)) == 10
    # And its index page offers the import.
    assert 'href="/admin/archive/import"' in client.get("/admin/").get_data(as_text=True)
