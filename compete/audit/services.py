"""Writing and reading the audit log."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from compete.audit.models import AuditEntry
from compete.extensions import db


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    return value


def snapshot(obj, fields) -> dict:
    """The named attributes of obj as JSON-ready values, for before/after pictures."""
    return {field: _plain(getattr(obj, field)) for field in fields}


def record(actor, action: str, target, *, before=None, after=None, competition_id=None):
    """Add one audit entry to the current transaction (flushed with it, never committed here)."""
    if target is not None and target.id is None:
        db.session.flush()  # a new object needs its id before the trail can name it
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.display_name if actor is not None else "system",
        action=action,
        object_type=target.__tablename__ if target is not None else "-",
        object_id=str(target.id) if target is not None and target.id is not None else None,
        competition_id=competition_id,
        before=_plain(before),
        after=_plain(after),
    )
    db.session.add(entry)
    return entry


def record_export(actor, document: str, target, *, rows: int, competition_id=None, **details):
    """A download of personal data (names, ID numbers, private links): who took which document, how many rows."""
    return record(actor, f"{document}.export", target, competition_id=competition_id, after={"rows": rows, **details})


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, so the trail shows what actually changed."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def recent_entries(*, competition_id=None, limit=200):
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if competition_id is not None:
        query = query.where(AuditEntry.competition_id == competition_id)
    return db.session.scalars(query).all()
