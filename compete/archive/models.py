"""Where an imported competition came from, so that the same archive is never imported twice."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.columns import utcnow
from compete.extensions import db


class ArchiveImport(db.Model):
    __tablename__ = "archive_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"), unique=True)
    # The competition's identity wherever it travels: re-exporting an imported competition keeps it.
    origin: Mapped[str] = mapped_column(String(64), unique=True)
    source_installation: Mapped[str] = mapped_column(String(200))
    source_competition_id: Mapped[int]
    schema_version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    exported_at: Mapped[datetime]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    competition = relationship("Competition")
