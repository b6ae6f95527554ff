"""Certificates as PDF: one template for every kind, many certificates to a document, laid out in parts."""

import base64
import functools
import gc
import io
import math
import subprocess
from collections.abc import Callable, Sequence

import segno
import weasyprint
from flask import render_template
from PIL import Image, ImageDraw, ImageFont

from compete import labels
from compete.pdf import DataOnlyFetcher
from compete.rules.certificate_text import seal_arc, seal_glyph_size

SEAL_RED = (208, 22, 27)
SEAL_PIXELS = 600  # 40 mm wide on paper: 380 dpi
SEAL_FONT = "AR PL SungtiL GB"
# Pages laid out per part: the progress bar moves after each part; parts share one font configuration, so the
# PDF embeds each font once.
PART_SIZE = 50
# Where the seal sits on the page: centred on the issuer's name and date (see .issuer in certificate.css).
SEAL_CENTRE_MM = {"landscape": (297 - 28 - 50, 164 + 11), "portrait": (210 - 18 - 50, 246 + 11)}
SEAL_MM = 40
_PAGE_MM = {"landscape": (297, 210), "portrait": (210, 297)}


@functools.cache
def _font_file(family: str) -> str | None:
    try:
        found = subprocess.run(
            ["fc-match", "--format=%{file}", f"{family}:charset=5370"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return found or None


def generated_seal(authority: str) -> bytes:
    """A round red seal drawn from the authority's name, as a transparent PNG: the name along the top, a star."""
    size = SEAL_PIXELS
    centre = size / 2
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ring = size * 0.035
    draw.ellipse((ring / 2, ring / 2, size - ring / 2, size - ring / 2), outline=SEAL_RED, width=round(ring))
    star_outer, star_inner = size * 0.16, size * 0.064
    draw.polygon(
        [
            (
                centre + (star_outer if index % 2 == 0 else star_inner) * math.sin(math.radians(index * 36)),
                centre - (star_outer if index % 2 == 0 else star_inner) * math.cos(math.radians(index * 36)),
            )
            for index in range(10)
        ],
        fill=SEAL_RED,
    )
    text_radius = size * 0.34
    arc = seal_arc(authority, radius=text_radius)
    glyph = round(seal_glyph_size(len(arc), radius=text_radius))
    font_file = _font_file(SEAL_FONT)
    font = ImageFont.truetype(font_file, glyph) if font_file else ImageFont.load_default(glyph)
    for character, angle in arc:
        # Each glyph drawn upright on its own tile, turned to face outwards, then set on the arc.
        tile = Image.new("RGBA", (glyph * 2, glyph * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((glyph, glyph), character, font=font, fill=SEAL_RED, anchor="mm")
        tile = tile.rotate(-angle, resample=Image.Resampling.BICUBIC)
        x = centre + text_radius * math.sin(math.radians(angle)) - glyph
        y = centre - text_radius * math.cos(math.radians(angle)) - glyph
        image.alpha_composite(tile, (round(x), round(y)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _data_uri(mime: str, content: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


@functools.cache
def _frame_uri(layout: str) -> str:
    """The red and gold double frame with corner marks, as an SVG the size of the page."""
    width, height = _PAGE_MM[layout]
    corners = []
    for x, y, dx, dy in (
        (17, 17, 1, 1),
        (width - 17, 17, -1, 1),
        (17, height - 17, 1, -1),
        (width - 17, height - 17, -1, -1),
    ):
        corners.append(
            f'<path d="M{x} {y + 11 * dy}V{y}H{x + 11 * dx}" fill="none" stroke="#b8862b" stroke-width="0.9"/>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
        f'<rect x="10.1" y="10.1" width="{width - 20.2}" height="{height - 20.2}" '
        'fill="none" stroke="#a4161a" stroke-width="2.2"/>'
        f'<rect x="13.7" y="13.7" width="{width - 27.4}" height="{height - 27.4}" '
        'fill="none" stroke="#b8862b" stroke-width="0.6"/>'
        f"{''.join(corners)}</svg>"
    )
    return _data_uri("image/svg+xml", svg.encode())


def page_style(name: str, layout: str, seal_png: bytes | None) -> dict:
    """A named page: its size and its background (the seal over the issuer, then the frame)."""
    width, height = _PAGE_MM[layout]
    frame = f"url({_frame_uri(layout)}) no-repeat 0 0 / {width}mm {height}mm"
    if seal_png is None:
        return {"name": name, "layout": layout, "background": frame}
    left, top = (value - SEAL_MM / 2 for value in SEAL_CENTRE_MM[layout])
    seal = f"url({_data_uri('image/png', seal_png)}) no-repeat {left}mm {top}mm / {SEAL_MM}mm {SEAL_MM}mm"
    return {"name": name, "layout": layout, "background": f"{seal}, {frame}"}


def qr_png(url: str) -> str:
    # make_qr, not make: a Micro QR code would fit short URLs but phone scanners often cannot read it.
    return segno.make_qr(url, error="m").png_data_uri(scale=1, border=0)


def render_pdf(
    pages: Sequence[dict],
    page_styles: Sequence[dict],
    *,
    title: str,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The pages as one print-ready PDF, in the current language; progress(done, total) after each part."""
    language = "zh-CN" if labels.is_chinese() else "en"
    fonts = weasyprint.text.fonts.FontConfiguration()
    # A laid-out page is thousands of small objects that live until the PDF is written: the cyclic collector
    # would walk them over and over (~15 % of the time) and free nothing; it runs once, at the end.
    gc.disable()
    try:
        return _render_parts(pages, page_styles, title=title, language=language, fonts=fonts, progress=progress)
    finally:
        gc.enable()


def _render_parts(pages, page_styles, *, title, language, fonts, progress) -> bytes:
    documents = []
    for start in range(0, len(pages), PART_SIZE):
        part = pages[start : start + PART_SIZE]
        html = render_template(
            "certificates/certificate.html",
            certificates=part,
            page_styles=page_styles,
            language=language,
            document_title=title,
        )
        documents.append(weasyprint.HTML(string=html, url_fetcher=DataOnlyFetcher()).render(font_config=fonts))
        if progress is not None:
            progress(start + len(part), len(pages))
    every_page = [document_page for document in documents for document_page in document.pages]
    return documents[0].copy(every_page).write_pdf()
