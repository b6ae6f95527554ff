"""Issuers and designs: defaults, the organizer's changes (validated before they are kept), seal uploads."""

import io
import re
import struct

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from compete.audit import services as audit
from compete.certificates import wording as wordings
from compete.certificates.models import CertificateKind, Design, Issuer, Seal
from compete.columns import utcnow
from compete.errors import InvalidInput
from compete.extensions import db
from compete.rules import numbering

LAYOUTS = ("landscape", "portrait")
KIND_CODES = {
    CertificateKind.AWARD: "HJ",  # 获奖
    CertificateKind.HONOUR: "RY",  # 荣誉
    CertificateKind.PROMOTION: "JS",  # 晋升
    CertificateKind.PARTICIPATION: "CS",  # 参赛
}
DEFAULT_PATTERN = "{year}{competition}-{kind}{seq:4}"
SEAL_MAX_BYTES = 2 * 1024 * 1024
SEAL_MIN_PIXELS, SEAL_MAX_PIXELS = 200, 4000

DEFAULT_TITLES = {
    CertificateKind.AWARD: _l("Certificate of Award"),
    CertificateKind.HONOUR: _l("Certificate of Honour"),
    CertificateKind.PROMOTION: _l("Skill Grade Promotion Certificate"),
    CertificateKind.PARTICIPATION: _l("Certificate of Participation"),
}
# Line breaks part paragraphs; a first line ending in a colon is the salutation.
DEFAULT_WORDINGS = {
    CertificateKind.AWARD: _l(
        "{{ name }}:\nwon {{ award }} in {{ event }} at {{ competition }}.\nThis certificate is awarded in recognition."
    ),
    CertificateKind.HONOUR: _l(
        "{{ name }}:\nfor outstanding results in {{ competition }}, is awarded the title of “{{ title }}”.\n"
        "This certificate is awarded in recognition."
    ),
    "honour_round": _l(
        "{{ name }}:\nafter selection, is awarded the title of “{{ title }}”.\n"
        "This certificate is awarded in recognition."
    ),
    CertificateKind.PROMOTION: _l(
        "{{ name }}:\nplaced {{ rank }} in {{ event }} at {{ competition }} and, under the competition's promotion "
        "policy, is promoted from {{ grade_from }} to {{ grade_to }}.\nThis certificate is awarded accordingly."
    ),
    CertificateKind.PARTICIPATION: _l(
        "{{ name }}:\ntook part in {{ event }} at {{ competition }}.\nThis certificate is awarded accordingly."
    ),
}
SAMPLE_FACTS = {
    "name": "张伟",
    "competition": "2026年宿迁市焊工职业技能竞赛",
    "event": "焊工",
    "occupation": "焊工",
    "group": "职工组",
    "rank": "第1名",
    "award": "一等奖",
    "title": "宿迁市技术能手",
    "grade_from": "高级工",
    "grade_to": "技师",
    "year": "2026",
    "authority": "宿迁市人力资源和社会保障局",
}


def default_wording(kind: CertificateKind, *, from_round: bool = False) -> str:
    return str(DEFAULT_WORDINGS["honour_round" if from_round and kind == CertificateKind.HONOUR else kind])


def issuer_of_competition(competition) -> Issuer:
    issuer = db.session.scalar(select(Issuer).where(Issuer.competition_id == competition.id))
    if issuer is None:
        issuer = Issuer(competition=competition, code=f"C{competition.id}", authority=competition.organizer_body)
        db.session.add(issuer)
        db.session.flush()
    return issuer


def issuer_of_round(selection_round) -> Issuer:
    issuer = db.session.scalar(select(Issuer).where(Issuer.round_id == selection_round.id))
    if issuer is None:
        issuer = Issuer(
            round=selection_round, code=f"R{selection_round.id}", authority=selection_round.title.awarding_body
        )
        db.session.add(issuer)
        db.session.flush()
    return issuer


def design_of(issuer: Issuer, kind: CertificateKind) -> Design:
    for design in issuer.designs:
        if design.kind == kind:
            return design
    design = Design(
        issuer=issuer, kind=kind, enabled=True, layout="landscape", title="", wording="", number_pattern=DEFAULT_PATTERN
    )
    db.session.add(design)
    db.session.flush()
    return design


def pattern_values(issuer: Issuer, kind: CertificateKind, *, year: int, event_code: str | None) -> dict:
    return {"year": str(year), "competition": issuer.code, "event": event_code or "", "kind": KIND_CODES[kind]}


PATTERN_ERRORS = {
    "empty": _l("Give a number pattern."),
    "unknown_token": _l(
        "The pattern has an unknown token %(token)s; use {year}, {competition}, {event}, {kind}, {seq}."
    ),
    "seq_twice": _l("The pattern may hold {seq} only once."),
    "no_seq": _l("The pattern needs a sequence, e.g. {seq:4}, or numbers would repeat."),
    "width_not_allowed": _l("Only {seq} takes a width, e.g. {seq:4}; %(token)s does not."),
    "unbalanced": _l("The pattern has a brace without its pair."),
    "bad_character": _l("The pattern may hold letters, digits and . _ / - only, not “%(token)s”."),
    "bad_width": _l("The sequence width in %(token)s must be 1 to 9 digits."),
    "bad_value": _l("The %(token)s code holds characters a number may not carry (letters, digits, . _ - only)."),
    "too_long": _l("The numbers would be longer than 40 characters."),
}


def pattern_message(error: numbering.PatternError) -> str:
    return str(PATTERN_ERRORS[error.code]) % {"token": error.token}


def check_pattern(issuer: Issuer, kind: CertificateKind, pattern: str, *, year: int) -> str:
    """The pattern's first number, or InvalidInput naming the problem."""
    try:
        return numbering.example(pattern, pattern_values(issuer, kind, year=year, event_code="E1"))
    except numbering.PatternError as error:
        raise InvalidInput(pattern_message(error), "number_pattern") from error


def save_issuer(actor, issuer: Issuer, *, code: str, authority: str, issued_on, year: int) -> None:
    code, authority = code.strip(), authority.strip()
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,20}", code):
        raise InvalidInput(_l("The code may hold 1 to 20 letters, digits and . _ - only."), "code")
    if not authority:
        raise InvalidInput(_l("Give the issuing authority printed on the certificates."), "authority")
    for design in issuer.designs:  # a code the patterns cannot carry is refused before anything changes
        values = pattern_values(issuer, design.kind, year=year, event_code="E1") | {"competition": code}
        try:
            numbering.example(design.number_pattern, values)
        except numbering.PatternError as error:
            raise InvalidInput(pattern_message(error), "code") from error
    before = audit.snapshot(issuer, ("code", "authority", "issued_on"))
    issuer.code, issuer.authority, issuer.issued_on, issuer.updated_at = code, authority, issued_on, utcnow()
    audit.record(
        actor,
        "certificates.issuer",
        issuer,
        before=before,
        after=audit.snapshot(issuer, ("code", "authority", "issued_on")),
        competition_id=issuer.competition_id,
    )


def save_design(
    actor, design: Design, *, enabled: bool, layout: str, title: str, wording: str, number_pattern: str, year: int
) -> None:
    """Keep the organizer's design once its wording renders and its pattern numbers; each save is a new version."""
    if layout not in LAYOUTS:
        raise InvalidInput(_l("Choose landscape or portrait."), "layout")
    title, wording = title.strip(), wording.strip()
    if len(title) > 40:
        raise InvalidInput(_l("The title is too long: at most 40 characters."), "title")
    if wording:
        wordings.render(wording, SAMPLE_FACTS)
    check_pattern(design.issuer, design.kind, number_pattern, year=year)
    fields = ("enabled", "layout", "title", "wording", "number_pattern", "version")
    before = audit.snapshot(design, fields)
    design.enabled, design.layout, design.title, design.wording = enabled, layout, title, wording
    design.number_pattern = number_pattern.strip()
    design.version += 1
    design.updated_at = utcnow()
    audit.record(
        actor,
        "certificates.design",
        design,
        before=before,
        after=audit.snapshot(design, fields),
        competition_id=design.issuer.competition_id,
    )


def upload_seal(actor, issuer: Issuer, data: bytes) -> Seal:
    """A seal image after Pillow has read it through: a PNG, not too big, not too small, not a decompression bomb."""
    if len(data) > SEAL_MAX_BYTES:
        raise InvalidInput(
            _("The seal image is too large: at most %(size)d MB.", size=SEAL_MAX_BYTES // (1024 * 1024)), "seal"
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format, (width, height) = probe.format, probe.size
            if image_format != "PNG":
                raise InvalidInput(_("The seal must be a PNG image, not %(format)s.", format=image_format), "seal")
            if not (SEAL_MIN_PIXELS <= width <= SEAL_MAX_PIXELS and SEAL_MIN_PIXELS <= height <= SEAL_MAX_PIXELS):
                raise InvalidInput(
                    _(
                        "The seal must be %(low)d to %(high)d pixels wide and high; "
                        "this one is %(width)d × %(height)d.",
                        low=SEAL_MIN_PIXELS,
                        high=SEAL_MAX_PIXELS,
                        width=width,
                        height=height,
                    ),
                    "seal",
                )
            # WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process, so load() alone takes a
            # truncated or corrupt file: verify() reads every chunk to the end and checks its checksum.
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes every pixel: a file that cannot be drawn fails here, not in a batch print
    except InvalidInput:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,  # Pillow's "broken PNG file": a checksum that does not match
        EOFError,
        struct.error,
        Image.DecompressionBombError,
    ) as error:
        raise InvalidInput(_("The seal file is not an image Pillow can read."), "seal") from error
    seal = Seal(owner_id=actor.id, png=data, width=width, height=height)
    db.session.add(seal)
    before = {"seal_id": issuer.seal_id}
    issuer.seal = seal
    db.session.flush()
    audit.record(
        actor,
        "certificates.seal",
        issuer,
        before=before,
        after={"seal_id": seal.id},
        competition_id=issuer.competition_id,
    )
    return seal


def use_generated_seal(actor, issuer: Issuer) -> None:
    before = {"seal_id": issuer.seal_id}
    issuer.seal = None
    audit.record(
        actor, "certificates.seal", issuer, before=before, after={"seal_id": None}, competition_id=issuer.competition_id
    )
