"""Certificates: who issues them and how they look, the numbers' counters, the certificates and batch prints."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compete.columns import enum_column, utcnow
from compete.extensions import db


class CertificateKind(enum.StrEnum):
    AWARD = "award"  # 获奖证书: event, rank or award
    HONOUR = "honour"  # 荣誉证书: a title
    PROMOTION = "promotion"  # 职业技能等级晋升: from, to, basis
    PARTICIPATION = "participation"  # 参赛证书


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"  # reissued (e.g. a misspelt name): the new certificate is named by superseded_by


class Seal(db.Model):
    """An uploaded seal image (PNG, checked by Pillow); never changed, a new upload is a new row."""

    __tablename__ = "certificate_seals"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    png: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Issuer(db.Model):
    """Who issues a competition's (or a selection round's) certificates: the code in their numbers, the
    authority printed on them and their seal (None: a seal drawn from the authority's name)."""

    __tablename__ = "certificate_issuers"
    __table_args__ = (CheckConstraint("(competition_id IS NULL) <> (round_id IS NULL)", name="one_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id"), unique=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("selection_rounds.id"), unique=True)
    code: Mapped[str] = mapped_column(String(20))
    authority: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date | None]  # the date printed; None: the competition's last day, or the day of issue
    seal_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_seals.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    seal = relationship("Seal")
    competition = relationship("Competition")
    round = relationship("SelectionRound")
    designs = relationship("Design", back_populates="issuer", order_by="Design.id")

    @property
    def year(self) -> int:
        """The year in certificate numbers: the competition's, or the round's."""
        return self.competition.year if self.competition is not None else self.round.year

    @property
    def owner_id(self) -> int:
        """Who manages these certificates: the organizer who owns the competition or the round."""
        return self.competition.owner_id if self.competition is not None else self.round.owner_id


class Design(db.Model):
    """How one kind of certificate looks for one issuer: layout, title, wording with placeholders, number pattern.

    An empty title or wording means the default one, in the language the certificate is printed in.
    """

    __tablename__ = "certificate_designs"
    __table_args__ = (UniqueConstraint("issuer_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("certificate_issuers.id"))
    kind: Mapped[CertificateKind] = mapped_column(enum_column(CertificateKind))
    enabled: Mapped[bool] = mapped_column(default=True)
    layout: Mapped[str] = mapped_column(String(16), default="landscape")
    title: Mapped[str] = mapped_column(String(40), default="")
    wording: Mapped[str] = mapped_column(Text, default="")
    number_pattern: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    issuer = relationship("Issuer", back_populates="designs")


class Sequence(db.Model):
    """A counter of certificate numbers: numbers are taken in the issuing transaction, so there are no gaps."""

    __tablename__ = "certificate_sequences"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Certificate(db.Model):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    # The verification page's address: 192 random bits, never derived from the number or the person.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[CertificateKind] = mapped_column(enum_column(CertificateKind))
    # What it certifies, e.g. "award:entry:12", "promotion:registration:34", "holding:5": issuing twice finds the
    # same one.
    source_key: Mapped[str] = mapped_column(String(60), index=True)
    # Set while the certificate stands for its source (valid, or revoked by hand so batches skip it); cleared when
    # a reissue takes over or a reopening of the results revokes it, so that the source can be issued anew.
    held_key: Mapped[str | None] = mapped_column(String(60), unique=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("certificate_issuers.id"), index=True)
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("selection_rounds.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    # Everything printed, frozen at issue: facts, custom title and wording, layout, authority, seal, date.
    content: Mapped[dict] = mapped_column(JSON)
    status: Mapped[CertificateStatus] = mapped_column(enum_column(CertificateStatus), default=CertificateStatus.VALID)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    person = relationship("Person")
    issuer = relationship("Issuer")
    event = relationship("Event")
    supersedes = relationship("Certificate", foreign_keys=[supersedes_id], remote_side=[id])
    superseded_by = relationship("Certificate", foreign_keys=[superseded_by_id], remote_side=[id])


class PrintFile(db.Model):
    """A batch print's PDF, made by a background job, kept for its owner to download."""

    __tablename__ = "certificate_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("selection_rounds.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    file_name: Mapped[str] = mapped_column(String(200))
    count: Mapped[int]
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
