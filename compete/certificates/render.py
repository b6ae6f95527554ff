"""Certificates as PDF: one template for every kind, laid out in parts, by helper processes too for a big batch."""

import gc
import os
from collections.abc import Callable, Sequence

from flask import render_template

from compete import labels
from compete.certificates.batch import Batch

# Pages laid out per part: the progress bar moves after each part, and helpers take parts one at a time.
PART_SIZE = 50
# From this many pages on, helper processes lay out parts beside this one: starting one costs about a second.
PARALLEL_FROM_PAGES = 200
MAX_HELPERS = 3


def render_pdf(
    pages: Sequence[dict],
    page_styles: Sequence[dict],
    *,
    title: str,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The pages as one print-ready PDF, in the current language; progress(done, total) after each part.

    From PARALLEL_FROM_PAGES pages on, helper processes lay out parts too, one per CPU beyond the first
    (see batch.Batch).
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
        return Batch(parts, images, len(pages), progress).run(helpers)
    finally:
        gc.enable()


def _helper_count() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(0, min(MAX_HELPERS, cpus - 1))
