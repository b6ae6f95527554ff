"""Competition archives: a final competition with certificates goes out of one installation and into another
whole, verifiable by the same QR codes; wrong, damaged, mismatched and repeated archives are refused, unwritten."""

import io
import json
import os
import re
import uuid
import zipfile

import pytest
from flask_babel import force_locale
from sqlalchemy import create_engine, func, select, text

from compete import create_app
from compete.accounts.models import Role, User
from compete.archive import fileformat
from compete.archive import services as archives
from compete.archive.models import ArchiveImport
from compete.audit.models import AuditEntry
from compete.certificates import services as certificates
from compete.certificates.models import Certificate, Sequence
from compete.competitions.models import Competition
from compete.errors import Conflict, InvalidInput, NotAllowed
from compete.extensions import db
from compete.honours import services as honours
from compete.people import services as people
from compete.people.models import Person, Unit
from compete.results import services as results
from compete.results.models import Publication, ResultReview
from compete.venue.models import Judge
from tests.certificate_world import LIU, ZHANG, final
from tests.factories import make_user

TEST_DATABASE_URL = os.environ.get("COMPETE_TEST_DATABASE_URL", "sqlite://")
POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def results_of(competition) -> dict:
    """The `flask results export` document, without the competition's id (each installation has its own)."""
    exported = results.results_export(competition, honours.export_fields(competition))
    exported["competition"].pop("id")
    return exported


def verification(token: str) -> dict | None:
    """What the public page shows for a QR code's token."""
    found = certificates.by_token(token)
    if found is None:
        return None
    return {
        "number": found.number,
        "kind": str(found.kind),
        "status": str(found.status),
        "name": found.person.name,
        "facts": found.content["facts"],
        "superseded_by": found.superseded_by.number if found.superseded_by else None,
        "by_number": certificates.by_number(found.number).token,
    }


def build_source(organizer) -> dict:
    """The small example, final, its certificates issued and one of them reissued (a superseded number)."""
    competition = final(organizer)
    issued = certificates.issue_certificates(organizer, competition)
    certificates.reissue(organizer, issued[0], "姓名更正")
    db.session.flush()
    return {
        "id": competition.id,
        "results": results_of(competition),
        "tokens": [certificate.token for certificate in certificates.certificates_of(competition_id=competition.id)],
    }


def wipe() -> None:
    """A fresh installation: every table emptied (as the test fixture does between tests)."""
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables
    }


def rezip(data: bytes, change) -> bytes:
    """The archive with its members passed through change(name, bytes) -> bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            target.writestr(name, change(name, source.read(name)))
    return buffer.getvalue()


def zeroed_mark(content: bytes) -> bytes:
    """A marks file with its first mark set to zero, its checksum in the manifest left as it was."""
    marks = json.loads(content)
    marks["rows"][0][marks["columns"].index("value")] = "0.00"
    return json.dumps(marks).encode()


@pytest.fixture
def exported(app):
    """A source installation's competition and its archive; then the installation is wiped."""
    with app.test_request_context(), force_locale("en"):
        organizer = make_user("organizer")
        source = build_source(organizer)
        source["verification"] = {token: verification(token) for token in source["tokens"]}
        source["audit_entries"] = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.competition_id == source["id"])
        )
        source["archive"] = archives.export_competition(organizer, db.session.get(Competition, source["id"]))
        db.session.commit()
        source["export_entry"] = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "archive.export", AuditEntry.competition_id == source["id"])
        ).after
    return source


def test_an_export_is_a_zip_with_a_manifest_and_is_audited(exported):
    archive = zipfile.ZipFile(io.BytesIO(exported["archive"]))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "compete-competition-archive"
    assert manifest["format_version"] == 1
    assert manifest["source"]["competition_id"] == exported["id"]
    assert len(manifest["source"]["competition_uid"]) == 32
    assert manifest["counts"]["competitions"] == 1
    assert manifest["counts"]["certificates"] == 11  # ten issued, one of them reissued
    assert manifest["counts"]["persons"] == 9  # six competitors, three judges
    assert "judge_links" not in manifest["counts"] and "certificate_prints" not in manifest["counts"]
    users = json.loads(archive.read("tables/users.json"))
    assert "password_hash" not in users["columns"]
    marks = json.loads(archive.read("tables/marks.json"))
    value = marks["columns"].index("value")
    assert all(isinstance(row[value], str) for row in marks["rows"])  # decimals as strings, never floats
    assert set(archive.namelist()) == {"manifest.json", *manifest["files"]}
    # The export of personal data is in the competition's trail: who, which file, how many people.
    assert exported["export_entry"]["rows"] == 9
    assert len(exported["export_entry"]["sha256"]) == 64


def test_the_schema_version_is_the_migrations_head_when_the_database_has_no_alembic_table(app):
    from alembic.script import ScriptDirectory

    with app.app_context():
        heads = ScriptDirectory(app.extensions["migrate"].directory).get_heads()
        assert archives.schema_version() == "+".join(heads) == "538a1569a582"


def test_round_trip_into_an_empty_installation(app, exported):
    with app.test_request_context(), force_locale("en"):
        wipe()
        city = make_user("city", Role.ADMIN)
        competition = archives.import_archive(city, exported["archive"])
        db.session.commit()

        assert results_of(competition) == exported["results"]
        # Every QR code and every number verifies as before, the reissue chain included.
        assert {token: verification(token) for token in exported["tokens"]} == exported["verification"]
        # The importing organizer owns it; the accounts that worked on it there are kept, unable to sign in.
        assert competition.owner_id == city.id
        others = db.session.scalars(select(User).where(User.id != city.id)).all()
        assert others and all(user.username.startswith("imported-") for user in others)
        assert not any(user.active for user in others if user.role != Role.JUDGE)
        # Reviews and publications still match the results (their digests name this installation's entry ids).
        assert results.publish_blockers(competition) == ["The results are final; reopen them first."]
        assert results.stale_events(competition) == []
        assert db.session.scalar(select(func.count()).select_from(ResultReview)) == 1
        # Issuing again finds every certificate: nothing new, no number taken twice.
        again = certificates.issue_certificates(city, competition)
        assert len(again) == 10
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 11
        # The trail came along, and the import is in it.
        carried = db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.competition_id == competition.id, AuditEntry.action != "archive.import")
        )
        assert carried == exported["audit_entries"]
        summary = archives.import_summary(competition)
        assert summary["persons"] == {"matched": 0, "added": 9}
        assert summary["source"]["competition_id"] == exported["id"]
        origin = db.session.scalar(select(ArchiveImport).where(ArchiveImport.competition_id == competition.id))
        assert origin.source_competition_id == exported["id"]


def test_a_reimported_competition_keeps_its_identity_in_a_new_archive(app, exported):
    with app.test_request_context(), force_locale("en"):
        wipe()
        city = make_user("city", Role.ADMIN)
        competition = archives.import_archive(city, exported["archive"])
        again = archives.export_competition(city, competition)
        db.session.commit()
        manifest = json.loads(zipfile.ZipFile(io.BytesIO(again)).read("manifest.json"))
        first = json.loads(zipfile.ZipFile(io.BytesIO(exported["archive"])).read("manifest.json"))
        assert manifest["source"]["competition_uid"] == first["source"]["competition_uid"]
        with pytest.raises(fileformat.DuplicateArchive):
            archives.import_archive(city, again)


def test_people_units_and_judges_already_here_are_matched_not_duplicated(app, exported):
    with app.test_request_context(), force_locale("en"):
        wipe()
        city = make_user("city", Role.ADMIN)
        unit = people.add_unit(city, name="江苏洋河酒厂股份有限公司", kind="employer")
        zhang = people.add_person(city, name="张伟伟", id_number=ZHANG, unit=unit, grade="g3")
        db.session.commit()
        competition = archives.import_archive(city, exported["archive"])
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Person).where(Person.id_number == ZHANG)) == 1
        assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.name == unit.name)) == 1
        summary = archives.import_summary(competition)
        assert summary["persons"] == {"matched": 1, "added": 8}
        assert summary["units"]["matched"] == 1
        # The registry here is kept as it is, and what the archive says otherwise is reported.
        db.session.refresh(zhang)
        assert zhang.name == "张伟伟"
        assert {"person": "3213**********0019", "field": "name", "archive": "张伟", "here": "张伟伟"} in summary[
            "differences"
        ]
        # The competition's promotion (g3 → g2) reaches the person here, who still held g3.
        assert zhang.grade == "g2"
        assert not any(line["field"] == "grade" for line in summary["differences"])
        # Judges known by name and unit only are matched the same way on a second import (a copy of the same world).
        assert db.session.scalar(select(func.count()).select_from(Judge)) == 3


def test_a_schema_version_other_than_this_installations_is_refused(app, exported):
    def older(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["schema_version"] = "1dd00214019f"
        return json.dumps(manifest).encode()

    with app.test_request_context(), force_locale("en"):
        wipe()
        city = make_user("city", Role.ADMIN)
        before = row_counts()
        with pytest.raises(fileformat.SchemaMismatch) as refused:
            archives.import_archive(city, rezip(exported["archive"], older))
        assert refused.value.message == (
            "The archive was written by schema version 1dd00214019f; this installation is at 538a1569a582. "
            "Upgrade the older installation (flask db upgrade), export again and import that file."
        )
        assert row_counts() == before


def test_the_same_competition_is_not_imported_twice(app, exported):
    with app.test_request_context(), force_locale("en"):
        # Into the installation it came from: still there.
        organizer = db.session.scalar(select(User).where(User.username == "organizer"))
        before = row_counts()
        with pytest.raises(fileformat.DuplicateArchive) as refused:
            archives.import_archive(organizer, exported["archive"])
        assert "exported from this installation" in refused.value.message
        assert f"(competition {exported['id']})" in refused.value.message
        assert row_counts() == before

        wipe()
        city = make_user("city", Role.ADMIN)
        first = archives.import_archive(city, exported["archive"])
        db.session.commit()
        before = row_counts()
        with pytest.raises(fileformat.DuplicateArchive) as refused:
            archives.import_archive(city, exported["archive"])
        assert refused.value.message.startswith("This competition was already imported here on ")
        assert f"(competition {first.id})" in refused.value.message
        assert row_counts() == before


@pytest.mark.parametrize(
    ("make_bad", "expected"),
    [
        (lambda data: b"not a zip at all", "This file is not a competition archive"),
        (lambda data: data[: len(data) // 2], "This file is not a competition archive"),
        (lambda data: rezip(data, lambda name, content: content if name != "manifest.json" else b"{}"), "not a"),
        (
            lambda data: rezip(
                data, lambda name, content: zeroed_mark(content) if name == "tables/marks.json" else content
            ),
            "The archive is damaged (tables/marks.json does not match its checksum)",
        ),
        (
            lambda data: rezip(
                data,
                lambda name, content: (
                    json.dumps({**json.loads(content), "format_version": 9}).encode()
                    if name == "manifest.json"
                    else content
                ),
            ),
            "The archive has format version 9; this installation reads version 1.",
        ),
    ],
    ids=["random-bytes", "truncated", "no-manifest", "changed-member", "future-format"],
)
def test_wrong_or_damaged_files_are_refused_unwritten(app, exported, make_bad, expected):
    with app.test_request_context(), force_locale("en"):
        wipe()
        city = make_user("city", Role.ADMIN)
        before = row_counts()
        with pytest.raises(InvalidInput) as refused:
            archives.import_archive(city, make_bad(exported["archive"]))
        assert expected in refused.value.message
        assert row_counts() == before


def test_a_member_changed_in_place_is_caught_by_its_checksum(app, exported):
    """A member whose content changed but whose listing did not: the CRC or the SHA-256 catches it."""
    archive = zipfile.ZipFile(io.BytesIO(exported["archive"]))
    original = archive.read("tables/persons.json")
    changed = original.replace("张伟".encode(), "张三".encode())
    assert changed != original
    with app.test_request_context(), force_locale("en"):
        wipe()
        city = make_user("city", Role.ADMIN)
        with pytest.raises(fileformat.CorruptArchive, match=r"tables/persons\.json"):
            archives.import_archive(
                city, rezip(exported["archive"], lambda name, data: changed if name == "tables/persons.json" else data)
            )


def test_a_certificate_number_already_here_is_refused(app, exported):
    with app.test_request_context(), force_locale("en"):
        wipe()
        city = make_user("city", Role.ADMIN)
        here = build_source(city)  # another competition here, its certificates issued
        archived_number = exported["verification"][exported["tokens"][1]]["number"]
        local = certificates.certificates_of(competition_id=here["id"])[1]
        local.number = archived_number
        db.session.commit()
        before = row_counts()
        with pytest.raises(Conflict) as refused:
            archives.import_archive(city, exported["archive"])
        # The first number found here is named (with SQLite's reused ids, the other competition's own numbers
        # may already be the archive's).
        named = re.match(r"Certificate number (\S+) already exists in this installation", str(refused.value.message))[1]
        archived = {line["number"] for line in exported["verification"].values()}
        assert named in archived and certificates.by_number(named) is not None
        assert row_counts() == before


def test_certificate_counters_move_past_the_imported_numbers(app, exported):
    with app.test_request_context(), force_locale("en"):
        wipe()
        city = make_user("city", Role.ADMIN)
        db.session.add(Sequence(key="2026C999-HJ#", last=0))
        competition = archives.import_archive(city, exported["archive"])
        db.session.commit()
        numbers = {c.number for c in certificates.certificates_of(competition_id=competition.id)}
        sequences = dict(db.session.execute(select(Sequence.key, Sequence.last)).all())
        for key, last in sequences.items():
            prefix, _, suffix = key.partition("#")
            taken = [int(n[len(prefix) : len(n) - len(suffix)]) for n in numbers if n.startswith(prefix)]
            assert not taken or last >= max(taken)
        assert sequences["2026C999-HJ#"] == 0


def test_only_staff_import_and_only_the_owner_or_an_admin_exports(app, exported):
    with app.test_request_context(), force_locale("en"):
        judge = make_user("someone", Role.JUDGE)
        other = make_user("other", Role.ORGANIZER)
        with pytest.raises(NotAllowed):
            archives.import_archive(judge, exported["archive"])
        with pytest.raises(NotAllowed):
            archives.export_competition(other, db.session.get(Competition, exported["id"]))


def test_an_archive_over_the_size_limit_is_refused(app, monkeypatch, exported):
    monkeypatch.setattr(archives, "MAX_ARCHIVE_BYTES", len(exported["archive"]) - 1)
    with app.test_request_context(), force_locale("en"):
        city = make_user("city", Role.ADMIN)
        with pytest.raises(InvalidInput, match="larger than"):
            archives.import_archive(city, exported["archive"])


# --- another installation on another database ---------------------------------------------------------------------


def _postgresql_answers() -> bool:
    try:
        engine = create_engine(POSTGRESQL_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture
def other_installation(tmp_path):
    """A second installation: PostgreSQL in a database of its own when this run uses SQLite (and a server
    answers), else a SQLite file; its tables made by the migrations, as `make run` makes them."""
    from flask_migrate import upgrade

    if TEST_DATABASE_URL.startswith("sqlite") and _postgresql_answers():
        name = f"compete_archive_test_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRESQL_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url, drop = POSTGRESQL_URL.rsplit("/", 1)[0] + f"/{name}", name
    else:
        admin, url, drop = None, f"sqlite:///{tmp_path}/other.sqlite3", None
    other = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "other", "TESTING": True, "JOBS_RUNNER": "inline"}
    )
    with other.app_context():
        upgrade()
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
    if drop:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{drop}" WITH (FORCE)'))
        admin.dispose()


def test_an_archive_moves_between_installations_on_different_databases(app, exported, other_installation):
    with app.app_context():
        source_dialect = db.engine.dialect.name
    with other_installation.test_request_context(), force_locale("en"):
        assert db.engine.dialect.name != source_dialect or source_dialect == "sqlite"
        # Tables made by migrations: the version is the database's own alembic_version.
        assert archives.schema_version() == "538a1569a582"
        city = make_user("city", Role.ADMIN)
        competition = archives.import_archive(city, exported["archive"])
        db.session.commit()
        competition_id = competition.id
    with other_installation.test_request_context(), force_locale("en"):
        competition = db.session.get(Competition, competition_id)
        assert results_of(competition) == exported["results"]
        assert {token: verification(token) for token in exported["tokens"]} == exported["verification"]
        assert verification(exported["tokens"][0])["facts"]["name"] == "张伟"
        welders = next(event for event in results_of(competition)["events"] if event["code"] == "HG-W")
        assert LIU in {row["id_number"] for row in welders["results"]}
        assert db.session.scalar(select(func.count()).select_from(Publication)) == 1
