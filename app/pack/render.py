"""HTML to PDF with WeasyPrint, fetching nothing but bundled assets and `data:` URLs."""

import base64
import binascii
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.demo_notice import demo_notice
from app.pack.environment import pack_env
from app.uk_dates import date_uk, datetime_uk

BUNDLED_ASSETS = Path(__file__).parent / "assets"


class RefusedURLError(ValueError):
    """A pack asked for a URL outside the bundled assets; packs never reach anything else."""


def url_fetcher(url: str, timeout: int = 10, ssl_context: object = None) -> URLFetcherResponse:
    """Fetch a `data:` URL or a file under BUNDLED_ASSETS; refuse every other URL."""
    # timeout and ssl_context are accepted for WeasyPrint's signature and unused: nothing is
    # fetched over a network.
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        return _data_response(url)
    if scheme == "file":
        return _bundled_file_response(url)
    raise RefusedURLError(f"packs may not fetch {scheme or 'relative'} URLs: {url[:200]}")


def _data_response(url: str) -> URLFetcherResponse:
    header, sep, payload = url[len("data:") :].partition(",")
    if not sep:
        raise RefusedURLError("malformed data: URL")
    params = header.split(";")
    mime_type = params[0] or "text/plain"
    if "base64" in (p.strip().lower() for p in params[1:]):
        try:
            body = base64.b64decode(unquote(payload), validate=False)
        except (binascii.Error, ValueError) as error:
            raise RefusedURLError("malformed base64 in data: URL") from error
    else:
        body = unquote_to_bytes(payload)
    headers = {"Content-Type": ";".join([mime_type, *params[1:]]).removesuffix(";base64")}
    return URLFetcherResponse(url, body, headers)


def _bundled_file_response(url: str) -> URLFetcherResponse:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise RefusedURLError(f"packs may not fetch remote file URLs: {url[:200]}")
    root = BUNDLED_ASSETS.resolve(strict=True)
    # resolve() follows symlinks and collapses `..`, so the containment check sees the real file.
    target = Path(unquote(parts.path)).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise RefusedURLError(f"not a bundled asset: {url[:200]}")
    mime_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return URLFetcherResponse(target.as_uri(), target.read_bytes(), {"Content-Type": mime_type})


class BundledAssetsFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint is untyped
    """WeasyPrint 70 fetcher object (it reads `_fail_on_errors`) that delegates to url_fetcher."""

    def __init__(self) -> None:
        # fail_on_errors=False: a refused URL becomes a logged warning and the resource is
        # skipped, rather than a FatalURLFetchingError (a BaseException) aborting the worker.
        super().__init__(allowed_protocols=("data", "file"), fail_on_errors=False)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        return url_fetcher(url)

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
        # OpenerDirector.open would reach urllib's handlers; route everything through the check.
        return url_fetcher(url if isinstance(url, str) else url.full_url)


def html_to_pdf(html: str, *, title: str) -> bytes:
    """Render HTML to a tagged PDF/UA-1 document; only bundled assets and data: URLs load."""
    # CPU-bound and synchronous on purpose: callers run it in a worker thread or process.
    document = HTML(
        string=html,
        base_url=BUNDLED_ASSETS.resolve().as_uri() + "/",
        url_fetcher=BundledAssetsFetcher(),
        media_type="print",
    ).render(pdf_variant="pdf/ua-1")
    document.metadata.title = title
    document.metadata.lang = "en-GB"
    # Attachments are dropped outright: a pack never carries files, whatever the HTML says.
    document.metadata.attachments = []
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    assert isinstance(pdf, bytes)
    return pdf


def render_template_pdf(template: str, context: dict[str, Any], *, title: str) -> bytes:
    """Render templates/pdf/<template> with the shared environment, then print it to PDF."""
    env = pack_env()
    env.filters.setdefault("datetime_uk", datetime_uk)
    env.filters.setdefault("date_uk", date_uk)
    env.globals.setdefault("demo_notice", demo_notice)
    html = env.get_template(f"pdf/{template}").render(**context)
    return html_to_pdf(html, title=title)
