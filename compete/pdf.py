"""PDF building blocks shared by every document: WeasyPrint that reaches nothing but data: URIs, and QR codes."""

import segno
import weasyprint
from markupsafe import Markup
from weasyprint.urls import FatalURLFetchingError


class DataOnlyFetcher(weasyprint.URLFetcher):
    """Refuse every resource but data: URIs: a document must never reach the network or the disk."""

    def __init__(self):
        # fail_on_errors stops the rendering instead of silently leaving out what a template asked for.
        super().__init__(allowed_protocols=("data",), fail_on_errors=True)


def qr_svg(url: str) -> Markup:
    # make_qr, not make: a Micro QR code would fit short URLs but phone scanners often cannot read it.
    qr = segno.make_qr(url, error="m")
    # No width or height: the stylesheet sizes the code in millimetres through the viewBox.
    return Markup(qr.svg_inline(omitsize=True, dark="#000", title=None))


def write_pdf(html: str) -> bytes:
    try:
        return weasyprint.HTML(string=html, url_fetcher=DataOnlyFetcher()).write_pdf()
    except FatalURLFetchingError as error:
        # WeasyPrint raises a BaseException here, which would slip past the web error handlers.
        raise RuntimeError("a document template asked for a resource other than a data: URI") from error
