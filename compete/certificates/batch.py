"""Laying out a batch in parts: in this process, and in helper processes for a big one, joined into one PDF."""

import gc
import hashlib
import io
import logging
import multiprocessing
import pickle
import threading
import traceback
from multiprocessing.connection import wait

import pikepdf
import weasyprint

from compete.certificates.artwork import PageImages

log = logging.getLogger(__name__)

# A helper that sends nothing for this long is given up on; its parts are laid out here instead.
HELPER_SILENCE_SECONDS = 300


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


class Batch:
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
