"""Certificates as pages: the frozen content of each, read in the current language, then rendered to PDF."""

from contextlib import nullcontext
from datetime import date
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from compete import labels
from compete.certificates import artwork, designs, render
from compete.certificates import wording as wordings
from compete.certificates.models import Certificate, CertificateKind, Seal
from compete.errors import InvalidInput
from compete.extensions import db
from compete.rules import grades
from compete.rules.certificate_text import chinese_date

# Beyond these lengths a certificate's type steps down to stay on one page (see .long in certificate.css).
LONG_NAME, LONG_BODY = 12, 150


def url_context():
    """Outside a request (a command, a job) addresses are built for PUBLIC_URL, the site people scan codes to."""
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config.get("PUBLIC_URL") or "http://localhost:5000")


def verify_url(token: str) -> str:
    """The public verification address: on PUBLIC_URL when configured, else on the host of this request."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for("public.verify", token=token)
    return url_for("public.verify", token=token, _external=True)


def _site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{url_for('public.verify_search')}"


def _ordinal_rank(rank) -> str:
    if rank in (None, ""):
        return ""
    rank = int(rank)
    if labels.is_chinese():
        return f"第{rank}名"
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


def _grade(code) -> str:
    if not code:
        return ""
    try:
        return labels.localized(grades.get(code))
    except ValueError:
        return code


def readable_facts(facts: dict, authority: str) -> dict:
    """The placeholders' values in the current language: codes become words, ranks become places."""
    return {
        **facts,
        "rank": _ordinal_rank(facts.get("rank")),
        "award": labels.label(labels.AWARDS, facts["award"]) if facts.get("award") else "",
        "group": labels.label(labels.GROUPS, facts["group"]) if facts.get("group") else "",
        "grade_from": _grade(facts.get("grade_from")),
        "grade_to": _grade(facts.get("grade_to")),
        "year": str(facts.get("year", "")),
        "authority": authority,
    }


def _fields(kind: CertificateKind, readable: dict) -> list[list[tuple]]:
    holder = [(_("Name"), readable["name"], False)]
    if readable.get("id_number"):
        holder.append((_("Resident ID card"), readable["id_number"], True))
    if kind == CertificateKind.HONOUR:
        second = [(_("Title"), readable.get("title", ""), False)]
    elif kind == CertificateKind.PROMOTION:
        second = [
            (_("Occupation"), readable.get("occupation", ""), False),
            (_("Grade"), f"{readable['grade_from']} → {readable['grade_to']}", False),
        ]
    elif kind == CertificateKind.AWARD:
        award = readable["award"] or readable["rank"]
        if readable["award"] and readable["rank"]:
            award = (
                f"{readable['award']}（{readable['rank']}）"
                if labels.is_chinese()
                else f"{readable['award']} ({readable['rank']})"
            )
        second = [(_("Occupation"), readable.get("occupation", ""), False), (_("Award"), award, False)]
    else:
        second = [
            (_("Occupation"), readable.get("occupation", ""), False),
            (_("Event"), readable.get("event", ""), False),
        ]
    return [holder, second]


def _date_text(day: date) -> str:
    if labels.is_chinese():
        return chinese_date(day)
    from flask_babel import format_date

    return format_date(day, "long")


def page_fields(kind: CertificateKind, content: dict, *, number: str) -> dict:
    """Everything printed on one certificate, except the QR code and the seal (see page)."""
    facts = content["facts"]
    readable = readable_facts(facts, content["authority"])
    wording = content["wording"] or designs.default_wording(kind, from_round=bool(facts.get("from_round")))
    body = wordings.render(wording, readable)
    title = content["title"] or str(designs.DEFAULT_TITLES[kind])
    return {
        "layout": content["layout"],
        "title": title,
        "long_title": len(title) > (6 if labels.is_chinese() else 24),
        "subtitle": facts.get("competition", ""),
        "paragraphs": wordings.paragraphs(body),
        "fields": _fields(kind, readable),
        "number": number,
        "authority": content["authority"],
        "date_text": _date_text(date.fromisoformat(content["issued_on"])),
        "long": len(facts.get("name", "")) > LONG_NAME or len(body) > LONG_BODY,
    }


class _Seals:
    """Each seal's image once per print: drawn from the authority's name, or an upload read from the database."""

    def __init__(self):
        self._images: dict = {}

    def png(self, content: dict) -> bytes:
        key = ("upload", content["seal_id"]) if content.get("seal_id") else ("drawn", content["authority"])
        if key not in self._images:
            if key[0] == "upload":
                self._images[key] = db.session.scalar(select(Seal.png).where(Seal.id == content["seal_id"]))
            else:
                self._images[key] = artwork.generated_seal(content["authority"])
        return self._images[key]


def _pages(items, *, specimen: bool = False) -> tuple[list[dict], list[dict]]:
    """items: (kind, content, number, token or None). Returns the pages and the named page styles they use."""
    seals, styles, pages = _Seals(), {}, []
    for kind, content, number, token in items:
        png = seals.png(content)
        style_key = (content["layout"], id(png))
        if style_key not in styles:
            styles[style_key] = artwork.page_style(f"page{len(styles) + 1}", content["layout"], png)
        url = verify_url(token) if token else verify_url("specimen")
        page = page_fields(kind, content, number=number)
        page.update(
            page_style=styles[style_key]["name"], qr_png=artwork.qr_png(url), verify_site=_site(url), specimen=specimen
        )
        pages.append(page)
    return pages, list(styles.values())


def certificates_pdf(certificates: list[Certificate], *, title: str, progress=None) -> bytes:
    if not certificates:
        raise InvalidInput(_("There are no certificates to print."))
    pages, styles = _pages((c.kind, c.content, c.number, c.token) for c in certificates)
    return render.render_pdf(pages, styles, title=title, progress=progress)


def specimen_pdf(kind: CertificateKind, content: dict, number: str) -> bytes:
    """A preview: real data, the number the next certificate would get, SPECIMEN across it, a QR code to nowhere."""
    pages, styles = _pages([(kind, content, number, None)], specimen=True)
    return render.render_pdf(pages, styles, title=_("Specimen"))


def summary(certificate: Certificate) -> dict:
    """What a certificate certifies, in the current language, for the verification page and the lists."""
    content = certificate.content
    readable = readable_facts(content["facts"], content["authority"])
    kind = certificate.kind
    if kind == CertificateKind.HONOUR:
        what = readable.get("title", "")
    elif kind == CertificateKind.PROMOTION:
        what = f"{readable['grade_from']} → {readable['grade_to']}"
    elif kind == CertificateKind.AWARD:
        what = " ".join(part for part in (readable["award"], readable["rank"]) if part)
    else:
        what = _("Took part")
    return {
        "kind": labels.label(labels.CERTIFICATE_KINDS, kind),
        "name": readable["name"],
        "id_number": readable.get("id_number", ""),
        "what": what,
        "competition": readable.get("competition", ""),
        "event": readable.get("event", ""),
        "authority": content["authority"],
        "issued_on": date.fromisoformat(content["issued_on"]),
    }


def preview_pdf(issuer, kind: CertificateKind) -> bytes:
    from compete.certificates import services

    content, number = services.preview_content(issuer, kind)
    return specimen_pdf(kind, content, number)
