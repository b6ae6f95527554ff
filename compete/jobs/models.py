"""A background job: what it does, whose it is, how far it has come and what it produced."""

import enum
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.columns import enum_column, utcnow
from compete.extensions import db

# A job that has reported nothing for this long died with its process (a restart, a killed worker).
SILENCE_LIMIT = timedelta(minutes=10)


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The job speaks the language of the person who started it: its messages are stored translated.
    locale: Mapped[str] = mapped_column(String(16))
    params: Mapped[dict] = mapped_column(JSON)
    state: Mapped[JobState] = mapped_column(enum_column(JobState), default=JobState.QUEUED)
    phase: Mapped[str | None] = mapped_column(String(64))
    done: Mapped[int | None]  # None while the current step cannot be counted
    total: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    owner = relationship("User")

    @property
    def finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED)

    @property
    def interrupted(self) -> bool:
        """Running, but silent far longer than any step takes: its process is gone.

        A queued job is never interrupted: on RQ it may wait its turn behind long batches."""
        return self.state == JobState.RUNNING and utcnow() - self.updated_at > SILENCE_LIMIT

    @property
    def percent(self) -> int | None:
        """How far it has come, or None while the size of the work is unknown."""
        if self.state == JobState.SUCCEEDED:
            return 100
        if self.done is None or not self.total:
            return None
        return min(100, self.done * 100 // self.total)
