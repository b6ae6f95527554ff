"""The certificate's images: the drawn seal, the frame, the named page styles, QR codes, and the fetcher that
hands them to WeasyPrint by short addresses."""

import functools
import hashlib
import io
import math
import subprocess
from urllib.parse import quote, unquote

import zxingcpp
from PIL import Image, ImageDraw, ImageFont
from weasyprint.urls import URLFetcherResponse

from compete.pdf import DataOnlyFetcher
from compete.rules.certificate_text import seal_arc, seal_glyph_size

SEAL_RED = (208, 22, 27)
SEAL_PIXELS = 600  # 40 mm wide on paper: 380 dpi
SEAL_FONT = "AR PL SungtiL GB"
# Where the seal sits on the page: centred on the issuer's name and date (see .issuer in certificate.css).
SEAL_CENTRE_MM = {"landscape": (297 - 28 - 50, 164 + 11), "portrait": (210 - 18 - 50, 246 + 11)}
SEAL_MM = 40
_PAGE_MM = {"landscape": (297, 210), "portrait": (210, 297)}
# Images the pages name by a short address rather than carry as data: URIs (see PageImages).
QR_PREFIX = "compete-qr:"
IMAGE_PREFIX = "compete-image:"


@functools.cache
def _font_file(family: str) -> str | None:
    try:
        found = subprocess.run(
            ["fc-match", "--format=%{file}", f"{family}:charset=5370"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return found or None


@functools.lru_cache(maxsize=32)
def generated_seal(authority: str) -> bytes:
    """A round red seal drawn from the authority's name, as a transparent PNG: the name along the top, a star.

    Kept per authority: drawing and compressing it takes ~60 ms, most of a single certificate's time."""
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


@functools.cache
def _frame_svg(layout: str) -> bytes:
    """The red and gold double frame with corner marks, as an SVG the size of the page."""
    width, height = _PAGE_MM[layout]
    corners = "".join(
        f"M{x} {y + 11 * dy}V{y}H{x + 11 * dx}"
        for x, y, dx, dy in (
            (17, 17, 1, 1),
            (width - 17, 17, -1, 1),
            (17, height - 17, 1, -1),
            (width - 17, height - 17, -1, -1),
        )
    )
    # Three shapes, not six: each one is drawn again on every page.
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
        f'<rect x="10.1" y="10.1" width="{width - 20.2}" height="{height - 20.2}" '
        'fill="none" stroke="#a4161a" stroke-width="2.2"/>'
        f'<rect x="13.7" y="13.7" width="{width - 27.4}" height="{height - 27.4}" '
        'fill="none" stroke="#b8862b" stroke-width="0.6"/>'
        f'<path d="{corners}" fill="none" stroke="#b8862b" stroke-width="0.9"/></svg>'
    ).encode()


def page_style(name: str, layout: str, seal_png: bytes | None) -> dict:
    """A named page: its size, its background (the seal over the issuer, then the frame) and the images it names."""
    width, height = _PAGE_MM[layout]
    frame_url = f"{IMAGE_PREFIX}frame-{layout}.svg"
    images = {frame_url: ("image/svg+xml", _frame_svg(layout))}
    frame = f"url({frame_url}) no-repeat 0 0 / {width}mm {height}mm"
    if seal_png is None:
        return {"name": name, "layout": layout, "background": frame, "images": images}
    seal_url = f"{IMAGE_PREFIX}seal-{hashlib.sha256(seal_png).hexdigest()[:20]}.png"
    images[seal_url] = ("image/png", seal_png)
    left, top = (value - SEAL_MM / 2 for value in SEAL_CENTRE_MM[layout])
    seal = f"url({seal_url}) no-repeat {left}mm {top}mm / {SEAL_MM}mm {SEAL_MM}mm"
    return {"name": name, "layout": layout, "background": f"{seal}, {frame}", "images": images}


def qr_png(url: str) -> str:
    """The address of the QR code of url as a PNG: drawn when its page is laid out, in the process laying it out."""
    return QR_PREFIX + quote(url, safe="")


def _qr_png_bytes(url: str) -> bytes:
    # A QR code, never a Micro QR code (phone scanners often cannot read those), by ZXing: its encoder chooses the
    # best of the eight masks in 0.2 ms, segno's in 3 ms, a fifth of a page's time. One pixel a module, drawn
    # without smoothing (image-rendering: pixelated): as sharp as vector, where an SVG path costs ~5 ms a page.
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules = code.to_image(scale=1, add_quiet_zones=False)
    buffer = io.BytesIO()
    Image.frombytes("L", (modules.shape[1], modules.shape[0]), bytes(modules)).save(buffer, "PNG")
    return buffer.getvalue()


class PageImages(DataOnlyFetcher):
    """data: URIs, the images named by the page styles, and QR codes: a page's style sheet would otherwise carry
    the seal as ~85 kB of base64 that WeasyPrint tokenizes in Python for every part."""

    def __init__(self, images: dict[str, tuple[str, bytes]]):
        super().__init__()
        self._images = images

    def fetch(self, url, headers=None):
        if url.startswith(QR_PREFIX):
            return URLFetcherResponse(
                url, _qr_png_bytes(unquote(url.removeprefix(QR_PREFIX))), {"Content-Type": "image/png"}
            )
        if url.startswith(IMAGE_PREFIX):
            mime, content = self._images[url]
            return URLFetcherResponse(url, content, {"Content-Type": mime})
        return super().fetch(url, headers)
