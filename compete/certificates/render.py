"""Certificates as PDF: one template for every kind, laid out in parts, by helper processes too for a big batch."""

import functools
import gc
import hashlib
import io
import logging
import math
import multiprocessing
import os
import pickle
import subprocess
import threading
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from urllib.parse import quote, unquote

import pikepdf
import weasyprint
import zxingcpp
from flask import render_template
from PIL import Image, ImageDraw, ImageFont
from weasyprint.urls import URLFetcherResponse

from compete import labels
from compete.pdf import DataOnlyFetcher
from compete.rules.certificate_text import seal_arc, seal_glyph_size

log = logging.getLogger(__name__)

SEAL_RED = (208, 22, 27)
SEAL_PIXELS = 600  # 40 mm wide on paper: 380 dpi
SEAL_FONT = "AR PL SungtiL GB"
# Pages laid out per part: the progress bar moves after each part, and helpers take parts one at a time.
PART_SIZE = 50
# From this many pages on, helper processes lay out parts beside this one: starting one costs about a second.
PARALLEL_FROM_PAGES = 200
MAX_HELPERS = 3
# A helper that sends nothing for this long is given up on; its parts are laid out here instead.
HELPER_SILENCE_SECONDS = 300
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


_threads = threading.local()


def _font_config() -> weasyprint.text.fonts.FontConfiguration:
    # One per thread (Pango is not thread-safe), kept between documents: a new one loads every font again, about
    # 20 ms of a single certificate.
    fonts = getattr(_threads, "fonts", None)
    if fonts is None:
        fonts = _threads.fonts = weasyprint.text.fonts.FontConfiguration()
    return fonts


class _Layout:
    """Parts laid out in one process: one font configuration and one image cache, so the PDF embeds each once."""

    def __init__(self, images: dict, fonts):
        self.fetcher = PageImages(images)
        self.fonts = fonts
        self.cache: dict = {}
        self.documents: dict[int, weasyprint.Document] = {}

    def part(self, index: int, html: str) -> int:
        document = weasyprint.HTML(string=html, url_fetcher=self.fetcher).render(
            font_config=self.fonts, cache=self.cache
        )
        self.documents[index] = document
        return len(document.pages)

    def pdf(self) -> bytes:
        documents = [self.documents[index] for index in sorted(self.documents)]
        every_page = [page for document in documents for page in document.pages]
        return documents[0].copy(every_page).write_pdf()


def render_pdf(
    pages: Sequence[dict],
    page_styles: Sequence[dict],
    *,
    title: str,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The pages as one print-ready PDF, in the current language; progress(done, total) after each part.

    From PARALLEL_FROM_PAGES pages on, helper processes lay out parts too, one per CPU beyond the first (see _Batch).
    """
    language = "zh-CN" if labels.is_chinese() else "en"
    images = {url: image for style in page_styles for url, image in style.get("images", {}).items()}
    parts = [
        render_template(
            "certificates/certificate.html",
            certificates=pages[start : start + PART_SIZE],
            page_styles=page_styles,
            language=language,
            document_title=title,
        )
        for start in range(0, len(pages), PART_SIZE)
    ]
    # A laid-out page is thousands of small objects that live until the PDF is written: the cyclic collector
    # would walk them over and over (~15 % of the time) and free nothing; it runs once, at the end.
    gc.disable()
    try:
        helpers = _helper_count() if len(pages) >= PARALLEL_FROM_PAGES else 0
        return _Batch(parts, images, len(pages), progress).run(helpers)
    finally:
        gc.enable()


def _helper_count() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(0, min(MAX_HELPERS, cpus - 1))


class _Batch:
    """Parts laid out by this process and by helper processes, each taking the next part until none is left.

    This process reports progress and joins the PDFs; whatever a helper fails to deliver it lays out itself, so a
    helper that cannot start or dies costs time, never pages. Helpers are spawned, not forked (a web server's other
    threads may hold locks a fork would copy held): like any spawned process they import the main module again,
    which must keep its work under `if __name__ == "__main__":`, as the flask, gunicorn and rq commands do.
    """

    def __init__(self, parts: list[str], images: dict, total: int, progress):
        self.parts, self.images, self.total, self.progress = parts, images, total, progress
        self.done = 0
        self.page_counts: dict[int, int] = {}
        self.delivered: list[tuple[list[int], bytes]] = []

    def run(self, helpers: int) -> bytes:
        layout = _Layout(self.images, _font_config())
        if helpers == 0:
            for index, html in enumerate(self.parts):
                self._report(index, layout.part(index, html))
            return layout.pdf()
        context = multiprocessing.get_context("spawn")
        next_part = context.Value("i", 0)
        work = pickle.dumps((self.parts, self.images), pickle.HIGHEST_PROTOCOL)
        started = _start_helpers(context, helpers, next_part, work)
        connections = {helper.results: helper for helper in started}
        try:
            while (index := _take(next_part)) < len(self.parts):
                self._report(index, layout.part(index, self.parts[index]))
                self._read(connections, timeout=0)
            self._read(connections, timeout=0)
            self._deliver(layout)
            self._collect(connections)
            for index in range(len(self.parts)):
                if index not in self._delivered_indices():  # taken by a helper that did not deliver
                    self._report(index, layout.part(index, self.parts[index]))
            self._deliver(layout)
        finally:
            for helper in started:
                helper.stop()
        return _join(self.delivered, self.page_counts)

    def _deliver(self, layout: "_Layout") -> None:
        if layout.documents:
            self.delivered.append((sorted(layout.documents), layout.pdf()))
            layout.documents.clear()

    def _report(self, index: int, pages: int) -> None:
        if index in self.page_counts:  # laid out again here after its helper failed: counted already
            return
        self.page_counts[index] = pages
        self.done += pages
        if self.progress is not None:
            self.progress(self.done, self.total)

    def _read(self, connections: dict, timeout: float | None) -> bool:
        """Handle what the helpers have sent; False when none has sent anything within timeout."""
        ready = wait(list(connections), timeout=timeout)
        for connection in ready:
            try:
                message = connection.recv()
            except (EOFError, OSError):
                del connections[connection]  # finished, or died: what it delivered is in self.delivered
                continue
            if message[0] == "part":
                self._report(message[1], message[2])
            elif message[0] == "pdf":
                self.delivered.append((message[1], message[2]))
            else:
                log.warning("certificates: a helper failed; its parts are laid out here\n%s", message[1])
        return bool(ready)

    def _collect(self, connections: dict) -> None:
        while connections:
            if not self._read(connections, timeout=HELPER_SILENCE_SECONDS):
                log.warning(
                    "certificates: helpers silent for %s s; their parts are laid out here", HELPER_SILENCE_SECONDS
                )
                return  # stopped by run()

    def _delivered_indices(self) -> set[int]:
        return {index for indices, _pdf in self.delivered for index in indices}


class _Helper:
    """A helper process, the pipe its results come back on, and the thread handing it the parts."""

    def __init__(self, context, next_part, work: bytes):
        self.results, results_end = context.Pipe(duplex=False)
        work_end, self._work = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_help, args=(next_part, work_end, results_end), daemon=True, name="certificates-helper"
        )
        try:
            self.process.start()
        except BaseException:
            self.results.close()
            self._work.close()
            raise
        finally:
            # This process keeps one end of each pipe: when the helper exits, its results read as EOF here and a
            # send of the parts fails rather than waits.
            work_end.close()
            results_end.close()
        # The parts go through the pipe from a thread: a helper reads them once it has imported WeasyPrint (~1 s),
        # meanwhile this process lays out parts itself. As arguments of Process, they would hold Process.start().
        self._sender = threading.Thread(target=self._send, args=(work,), daemon=True, name="certificates-parts")
        self._sender.start()

    def _send(self, work: bytes) -> None:
        try:
            self._work.send_bytes(work)
        except OSError:
            pass  # the helper has gone: its parts are laid out by the calling process
        finally:
            self._work.close()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self._sender.join()
        self.results.close()


def _start_helpers(context, helpers: int, next_part, work: bytes) -> list[_Helper]:
    started = []
    for _number in range(helpers):
        try:
            started.append(_Helper(context, next_part, work))
        except (OSError, AssertionError) as error:  # e.g. a daemon process may not have children
            log.warning("certificates: no helper process (%s); laying out here alone", error)
            break
    return started


def _take(next_part) -> int:
    with next_part.get_lock():
        index = next_part.value
        next_part.value += 1
    return index


def _help(next_part, work, connection) -> None:
    """A helper process: lays out parts until none is left, then sends their pages as one PDF."""
    gc.disable()
    try:
        parts, images = pickle.loads(work.recv_bytes())
        work.close()
        layout = _Layout(images, weasyprint.text.fonts.FontConfiguration())
        while (index := _take(next_part)) < len(parts):
            connection.send(("part", index, layout.part(index, parts[index])))
        if layout.documents:
            connection.send(("pdf", sorted(layout.documents), layout.pdf()))
    except BaseException:
        connection.send(("failed", traceback.format_exc()))
    finally:
        connection.close()


def _join(delivered: list[tuple[list[int], bytes]], page_counts: dict[int, int]) -> bytes:
    """One PDF of the parts in order, out of the PDFs of the processes that laid them out."""
    if len(delivered) == 1:
        return delivered[0][1]
    located = {}  # part index: (PDF, its first page, the page after its last)
    for number, (indices, content) in enumerate(delivered):
        document = pikepdf.Pdf.open(io.BytesIO(content))
        if number:
            _rename_subsets(document, salt=str(number))
        first = 0
        for index in indices:
            located[index] = (document, first, first + page_counts[index])
            first += page_counts[index]
    # The PDF holding the first part keeps its catalogue (language, title); its pages are put back in order among
    # the others', which pikepdf copies over with the fonts and images they use, once per PDF.
    joined = located[0][0]
    pages = []
    for index in sorted(located):
        document, first, end = located[index]
        pages.extend(document.pages[first:end])
    del joined.pages[:]
    joined.pages.extend(pages)
    buffer = io.BytesIO()
    joined.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _rename_subsets(document, *, salt: str) -> None:
    """Give each embedded subset a tag of its own: every process names its subset of a font alike, and a printer
    that caches fonts by name would draw one process's pages with the other's glyphs."""
    renamed = set()
    for page in document.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for _key, font in fonts.items():
            if font.objgen in renamed:
                continue
            renamed.add(font.objgen)
            for target in (font, *font.get("/DescendantFonts", [])):
                for owner, key in ((target, "/BaseFont"), (target.get("/FontDescriptor"), "/FontName")):
                    if owner is not None and key in owner:
                        owner[key] = pikepdf.Name("/" + _retagged(str(owner[key])[1:], salt))


def _retagged(name: str, salt: str) -> str:
    tag, plus, rest = name.partition("+")
    if not plus or len(tag) != 6:
        return name
    digest = hashlib.md5(f"{tag}{salt}".encode(), usedforsecurity=False).digest()
    return "".join(chr(65 + byte % 26) for byte in digest[:6]) + "+" + rest
