"""Judge badges with the QR code of their tablet link, and the encryption officer's sealed list, as PDF."""

from flask import render_template

from compete import labels
from compete.pdf import qr_svg, write_pdf
from compete.rules import idcard
from compete.venue.models import PanelRole


def _language() -> str:
    return "zh-CN" if labels.is_chinese() else "en"


def badge_context(event, link, seat_role, stations, *, url: str) -> dict:
    return {
        "competition_name": event.competition.name,
        "event": f"{event.code} {event.name}",
        "judge_name": link.judge.person.name,
        "chief": seat_role == PanelRole.CHIEF,
        "stations": ", ".join(map(str, stations)),
        # Stored in the bureau's local time already (see JudgeLink.expires_at): no zone conversion.
        "expires": link.expires_at.strftime("%Y-%m-%d %H:%M"),
        "qr_svg": qr_svg(url),
    }


def render_badges_pdf(event, badges: list[dict]) -> bytes:
    """A4 sheets of badges, cut along the borders; each QR code signs one tablet in as that judge."""
    return write_pdf(render_template("documents/judge_badges.html", badges=badges, language=_language()))


def render_sealed_list_pdf(event, entries, *, officer_name: str) -> bytes:
    """The mapping name ↔ competitor number ↔ station, for the officer's sealed envelope."""
    rows = [
        {
            "competitor_number": entry.competitor_number,
            "station_number": entry.station_number,
            "name": entry.registration.person.name,
            "masked_id_number": idcard.mask(entry.registration.person.id_number),
            "unit": entry.registration.unit.name if entry.registration.unit else "",
        }
        for entry in entries
    ]
    return write_pdf(
        render_template(
            "documents/sealed_list.html",
            competition_name=event.competition.name,
            event=f"{event.code} {event.name}",
            rows=rows,
            officer_name=officer_name,
            language=_language(),
        )
    )
