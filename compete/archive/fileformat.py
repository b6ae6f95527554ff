"""The archive file: a zip of manifest.json and one JSON file per table, each file checked by its SHA-256."""

import base64
import enum
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table

from compete.errors import Conflict, InvalidInput

FORMAT = "compete-competition-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Beyond the web upload limit, a zip bomb: the uncompressed members may not grow past this.
MAX_UNPACKED_BYTES = 512 * 1024 * 1024


class WrongFormat(InvalidInput):
    """The file is not a competition archive (or one of a format this installation cannot read)."""


class CorruptArchive(InvalidInput):
    """The archive's content does not match its checksums, or refers to rows it does not carry."""


class SchemaMismatch(InvalidInput):
    """The archive was written by another version of the database schema."""


class DuplicateArchive(Conflict):
    """The archived competition is already in this installation."""


def _table_file(name: str) -> str:
    return f"tables/{name}.json"


def encode(value):
    """A column value as JSON: Decimals as strings (never floats), dates ISO, bytes base64, enums by value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _python_type(column):
    try:
        return column.type.python_type
    except NotImplementedError:
        return object


def decoder(column):
    """The function that turns a column's JSON value back into what the column takes."""
    kind = _python_type(column)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind
    if kind is datetime:
        return datetime.fromisoformat
    if kind is date:
        return date.fromisoformat
    if kind is Decimal:
        return Decimal
    if kind is bytes:
        return base64.b64decode
    return None


@dataclass
class Archive:
    manifest: dict
    tables: dict[str, list[dict]]  # decoded rows, by table name
    extras: dict  # derived facts the import needs (results digests)


def _json_bytes(content) -> bytes:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pack(manifest: dict, tables: dict[Table, list[dict]], extras: dict) -> bytes:
    """Write the zip: the manifest lists every member's checksum and the table counts, and a checksum of those."""
    members = {}
    for table, rows in tables.items():
        columns = list(rows[0]) if rows else [column.name for column in table.columns]
        members[_table_file(table.name)] = _json_bytes(
            {"table": table.name, "columns": columns, "rows": [[encode(row[name]) for name in columns] for row in rows]}
        )
    members["extras.json"] = _json_bytes(extras)
    files = {name: _sha256(data) for name, data in sorted(members.items())}
    manifest = {
        **manifest,
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "counts": {table.name: len(rows) for table, rows in tables.items()},
        "files": files,
        "sha256": _sha256("".join(f"{name}:{digest}\n" for name, digest in files.items()).encode()),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _not_an_archive() -> WrongFormat:
    return WrongFormat(_l("This file is not a competition archive: export one from a competition's page."))


def _damaged(name: str) -> CorruptArchive:
    return CorruptArchive(
        _l(
            "The archive is damaged (%(file)s does not match its checksum): export it again and copy it anew.",
            file=name,
        )
    )


def read_manifest(data: bytes) -> tuple[zipfile.ZipFile, dict]:
    """Open the zip and check its manifest names this format; nothing else is trusted yet."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read(MANIFEST))
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as error:
        raise _not_an_archive() from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _not_an_archive()
    if manifest.get("format_version") != FORMAT_VERSION:
        raise WrongFormat(
            _l(
                "The archive has format version %(archive)s; this installation reads version %(here)s.",
                archive=manifest.get("format_version"),
                here=FORMAT_VERSION,
            )
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or not isinstance(manifest.get("source"), dict):
        raise _not_an_archive()
    expected = _sha256("".join(f"{name}:{digest}\n" for name, digest in sorted(files.items())).encode())
    if manifest.get("sha256") != expected:
        raise _damaged(MANIFEST)
    return archive, manifest


def unpack(archive: zipfile.ZipFile, manifest: dict, tables: dict[str, Table]) -> Archive:
    """Every member checked against its checksum, then decoded column by column into the known tables."""
    listed = manifest["files"]
    sizes = {info.filename: info.file_size for info in archive.infolist()}
    if set(sizes) - {MANIFEST} != set(listed):
        raise _damaged(MANIFEST)
    if sum(sizes.values()) > MAX_UNPACKED_BYTES:
        raise CorruptArchive(_l("The archive unpacks to more than this installation accepts."))
    decoded, extras = {}, {}
    for name, digest in listed.items():
        try:
            data = archive.read(name)
        except (zipfile.BadZipFile, OSError, ValueError) as error:  # a CRC error: the bytes were changed
            raise _damaged(name) from error
        if _sha256(data) != digest:
            raise _damaged(name)
        content = json.loads(data)
        if name == "extras.json":
            extras = content
            continue
        table = tables.get(content.get("table"))
        if table is None or name != _table_file(table.name):
            raise _not_an_archive()
        decoded[table.name] = _decode_rows(table, content["columns"], content["rows"], name)
    return Archive(manifest=manifest, tables=decoded, extras=extras)


def _decode_rows(table: Table, columns: list[str], rows: list[list], name: str) -> list[dict]:
    unknown = [column for column in columns if column not in table.columns]
    if unknown:
        raise _damaged(name)
    decoders = [decoder(table.columns[column]) for column in columns]
    result = []
    try:
        for row in rows:
            result.append(
                {
                    column: (value if value is None or decode is None else decode(value))
                    for column, decode, value in zip(columns, decoders, row, strict=True)
                }
            )
    except (ValueError, TypeError, ArithmeticError) as error:
        raise _damaged(name) from error
    return result
