"""Exporting a competition as an archive file, and importing one into this installation."""

import hashlib
import socket
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select, text

from compete.archive import collect, fileformat
from compete.archive.fileformat import DuplicateArchive, SchemaMismatch
from compete.archive.models import ArchiveImport
from compete.archive.restore import Restore, recompute_digests
from compete.audit import services as audit
from compete.audit.models import AuditEntry
from compete.columns import utcnow
from compete.competitions.models import Competition
from compete.errors import Conflict, InvalidInput, NotAllowed
from compete.extensions import db
from compete.results.services import computed_results

# The web form and the service refuse larger files alike; a competition of thousands fits well inside.
MAX_ARCHIVE_BYTES = 16 * 1024 * 1024  # under the app's request limit, so the form can say why
EXPORT_ACTION = "archive.export"  # what audit.record_export names it
IMPORT_ACTION = "archive.import"


def schema_version() -> str:
    """The database's Alembic revision, or (a database made without migrations) the migration scripts' head."""
    connection = db.session.connection()
    if inspect(connection).has_table("alembic_version"):
        versions = sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
        if versions:
            return "+".join(versions)
    from alembic.script import ScriptDirectory

    directory = current_app.extensions["migrate"].directory
    return "+".join(sorted(ScriptDirectory(str(directory)).get_heads()))


def installation_name() -> str:
    return current_app.config.get("INSTALLATION_NAME") or socket.gethostname()


def competition_uid(competition: Competition) -> str:
    """The competition's identity wherever it travels: kept from its archive when it was imported, else made
    from what never changes here (its id and the moment it was created)."""
    imported = db.session.scalar(select(ArchiveImport.origin).where(ArchiveImport.competition_id == competition.id))
    if imported is not None:
        return imported
    return hashlib.sha256(f"{competition.id}|{competition.created_at.isoformat()}".encode()).hexdigest()[:32]


def archive_file_name(competition: Competition) -> str:
    return f"competition-{competition.id}-{competition.year}.compete.zip"


def export_competition(actor, competition: Competition) -> bytes:
    """The whole competition as one archive file; the export of personal data is audited."""
    if actor is not None and not actor.is_admin and competition.owner_id != actor.id:
        raise NotAllowed(_l("Only the competition's organizer or an administrator may export it."))
    db.session.flush()
    rows = collect.competition_rows(competition)
    digests = {event.code: results.digest for event, results in computed_results(competition)}
    manifest = {
        "schema_version": schema_version(),
        "exported_at": utcnow().isoformat(),
        "exported_by": actor.display_name if actor is not None else "system",
        "source": {
            "installation": installation_name(),
            "database": db.engine.dialect.name,
            "competition_id": competition.id,
            "competition_uid": competition_uid(competition),
            "competition_name": competition.name,
            "year": competition.year,
        },
    }
    data = fileformat.pack(manifest, rows, {"digests": digests})
    counts = {sorted_table.name: len(table_rows) for sorted_table, table_rows in rows.items()}
    audit.record_export(
        actor,
        "archive",
        competition,
        rows=counts.get("persons", 0),
        competition_id=competition.id,
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        counts=counts,
    )
    return data


def import_archive(actor, data: bytes) -> Competition:
    """A new competition from an archive, owned by the importing organizer; everything is checked before the
    first row is written, and the whole import is one transaction (flushed here, committed by the caller)."""
    if actor is None or not actor.is_staff:
        raise NotAllowed(_l("Only an organizer or an administrator may import a competition."))
    if len(data) > MAX_ARCHIVE_BYTES:
        raise InvalidInput(
            _l("The archive is larger than %(size)d MB: this installation refuses it.", size=MAX_ARCHIVE_BYTES >> 20)
        )
    opened, manifest = fileformat.read_manifest(data)
    here = schema_version()
    if manifest.get("schema_version") != here:
        raise SchemaMismatch(
            _l(
                "The archive was written by schema version %(archive)s; this installation is at %(here)s. "
                "Upgrade the older installation (flask db upgrade), export again and import that file.",
                archive=manifest.get("schema_version"),
                here=here,
            )
        )
    archive = fileformat.unpack(opened, manifest, db.metadata.tables)
    if len(archive.tables.get("competitions", [])) != 1:
        raise fileformat.CorruptArchive(_l("The archive carries no competition."))
    origin = str(manifest["source"].get("competition_uid") or "")
    _refuse_duplicate(origin, manifest["source"])
    _refuse_clashes(archive.tables)
    db.session.flush()
    restore = Restore(actor, archive, origin)
    competition = db.session.get(Competition, restore.run())
    recompute_digests(competition, computed_results(competition))
    source = manifest["source"]
    db.session.add(
        ArchiveImport(
            competition_id=competition.id,
            origin=origin,
            source_installation=str(source.get("installation", ""))[:200],
            source_competition_id=int(source.get("competition_id") or 0),
            schema_version=here,
            sha256=manifest["sha256"],
            exported_at=_exported_at(manifest),
            imported_by_id=actor.id,
        )
    )
    audit.record(
        actor,
        IMPORT_ACTION,
        competition,
        after={"source": source, "sha256": manifest["sha256"], "counts": manifest.get("counts"), **restore.summary},
        competition_id=competition.id,
    )
    db.session.flush()
    return competition


def _exported_at(manifest: dict) -> datetime:
    try:
        return datetime.fromisoformat(str(manifest.get("exported_at")))
    except ValueError:
        return utcnow()


def _refuse_duplicate(origin: str, source: dict) -> None:
    if not origin:
        raise fileformat.CorruptArchive(_l("The archive does not say which competition it holds."))
    imported = db.session.scalar(select(ArchiveImport).where(ArchiveImport.origin == origin))
    if imported is not None:
        raise DuplicateArchive(
            _l(
                "This competition was already imported here on %(date)s: it is “%(name)s” (competition %(id)d).",
                date=imported.imported_at.date().isoformat(),
                name=imported.competition.name,
                id=imported.competition_id,
            )
        )
    local = db.session.get(Competition, int(source.get("competition_id") or 0))
    if local is not None and competition_uid(local) == origin:
        raise DuplicateArchive(
            _l(
                "This archive was exported from this installation: the competition is “%(name)s” (competition %(id)d).",
                name=local.name,
                id=local.id,
            )
        )


# Values that identify one thing in the whole installation: an archive repeating one here is not importable.
_UNIQUE_VALUES = (
    ("certificates", "number"),
    ("certificates", "token"),
    ("registrations", "ticket_token"),
    ("mark_versions", "idempotency_key"),
)


def _refuse_clashes(tables: dict[str, list[dict]]) -> None:
    for name, column in _UNIQUE_VALUES:
        values = sorted({row[column] for row in tables.get(name, []) if row.get(column) is not None})
        target = collect.table(name).c[column]
        for batch in collect.batches(values):
            found = db.session.scalar(select(target).where(target.in_(batch)).limit(1))
            if found is not None:
                raise _clash(name, column, found)


def _clash(name: str, column: str, value: str) -> Conflict:
    if (name, column) == ("certificates", "number"):
        return Conflict(
            _l(
                "Certificate number %(number)s already exists in this installation: the archive's certificates "
                "cannot keep their numbers here. Change the issuer code of one of the two, or import elsewhere.",
                number=value,
            )
        )
    if (name, column) == ("certificates", "token"):
        return Conflict(
            _l(
                "A certificate of the archive has the verification code of a certificate already here: "
                "it was imported before."
            )
        )
    return Conflict(
        _l("The archive's registrations or marks are already in this installation: it was imported before.")
    )


def import_summary(competition: Competition) -> dict | None:
    """What the import of this competition matched, added and found different (from its audit entry)."""
    entry = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == IMPORT_ACTION, AuditEntry.competition_id == competition.id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return entry.after if entry is not None else None
