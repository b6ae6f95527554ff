"""The archive commands: `archive export` writes the file, `archive import` prints the new id on its last line."""

import re

import pytest
from sqlalchemy import func, select

from compete.accounts.models import Role, User
from compete.archive import services as archives
from compete.audit.models import AuditEntry
from compete.certificates import services as certificates
from compete.competitions.models import Competition
from compete.errors import CompeteError
from compete.extensions import db
from tests.certificate_world import final
from tests.factories import make_user


@pytest.fixture
def competition_id(app):
    with app.test_request_context():
        competition = final(make_user("organizer"))
        certificates.issue_certificates(None, competition)
        db.session.commit()
        return competition.id


def run(app, *args):
    return app.test_cli_runner().invoke(args=["archive", *map(str, args)])


def wipe(app, keep_user: str | None = None):
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        if keep_user:
            make_user(keep_user, Role.ADMIN)
            db.session.commit()


def test_export_then_import_into_an_empty_installation(app, competition_id, tmp_path):
    out = tmp_path / "archive.zip"
    exported = run(app, "export", competition_id, "--out", out)
    assert exported.exit_code == 0, exported.output
    assert out.stat().st_size > 0 and out.read_bytes()[:2] == b"PK"
    with app.app_context():
        exports = select(func.count()).where(AuditEntry.action == "archive.export")
        assert db.session.scalar(exports.select_from(AuditEntry)) == 1  # committed by the command
    wipe(app, keep_user="city")
    imported = run(app, "import", out)
    assert imported.exit_code == 0, imported.output
    new_id = int(imported.output.strip().splitlines()[-1])
    with app.app_context():
        competition = db.session.get(Competition, new_id)
        assert competition.owner.username == "city"
        assert len(certificates.certificates_of(competition_id=new_id)) == 10


def test_a_refused_import_exits_with_its_message_and_writes_nothing(app, competition_id, tmp_path):
    out = tmp_path / "archive.zip"
    assert run(app, "export", competition_id, "--out", out).exit_code == 0
    refused = run(app, "import", out)  # into the installation it came from
    assert refused.exit_code == 1
    assert f"Error: {service_message(app, out.read_bytes())}" in refused.output  # in the installation's language
    assert re.search(rf"{competition_id}\s*[)）]", refused.output)  # names the competition it came from
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Competition)) == 1
    not_an_archive = tmp_path / "notes.zip"
    not_an_archive.write_bytes(b"hello")
    refused = run(app, "import", not_an_archive)
    assert refused.exit_code == 1 and f"Error: {service_message(app, b'hello')}" in refused.output


def service_message(app, data: bytes) -> str:
    """What the service says when it refuses these bytes, outside any request (as the command runs)."""
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.username == "organizer"))
        with pytest.raises(CompeteError) as refused:
            archives.import_archive(owner, data)
        db.session.rollback()
        return str(refused.value.message)


def test_export_of_a_missing_competition_is_refused(app, tmp_path):
    refused = run(app, "export", 999, "--out", tmp_path / "x.zip")
    assert refused.exit_code == 1 and "no competition 999" in refused.output
    assert not (tmp_path / "x.zip").exists()
