"""The one place HTML becomes a PDF, and the fetcher that keeps WeasyPrint inside static/.

Everything a user typed is escaped by the template, so it never reaches WeasyPrint as markup.
The fetcher is the second wall: should markup ever slip through, WeasyPrint may still only read
the app's own static files (the stylesheet and the fonts), never the network or another file.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Tagged PDF/UA-1: title, language and a structure tree screen readers can follow.
PDF_VARIANT = "pdf/ua-1"


class FetchRefused(ValueError):
    """A URL the report renderer will not read."""


def static_root() -> Path:
    return (Path(settings.BASE_DIR) / "static").resolve()


class StaticFilesOnlyFetcher(URLFetcher):
    """Serves `file:` URLs inside `root` (the app's static/ directory) and refuses the rest.

    No scheme but `file` (no http, https, ftp or data), no host, no path that resolves outside
    `root` (`..` segments and symbolic links are resolved first). WeasyPrint turns the raised
    error into a warning and goes on without the resource.
    """

    def __init__(self, root: Path | None = None) -> None:
        super().__init__(
            timeout=1, allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False
        )
        self.root = (root or static_root()).resolve()

    def resolve(self, url: str) -> Path:
        """The file `url` names, or FetchRefused. Reads nothing."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise FetchRefused(f"The report renderer reads no {parts.scheme or 'relative'} URL.")
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused("The report renderer reads no file on another host.")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            raise FetchRefused("The report renderer reads only the app's static files.")
        if not path.is_file():
            raise FetchRefused("No such static file.")
        return path

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = self.resolve(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url=path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def render_pdf(html: str) -> bytes:
    """A tagged, Letter-size PDF of `html`. Relative URLs resolve inside static/. About 1 s."""
    base_url = static_root().as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=StaticFilesOnlyFetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT)
