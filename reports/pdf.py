"""The one place HTML becomes a PDF, and the fetcher that keeps WeasyPrint inside static/.

Everything a user typed is escaped by the template, so it never reaches WeasyPrint as markup.
The fetcher is the second wall: should markup ever slip through, WeasyPrint may still only read
the app's own static files (the stylesheet and the fonts) and PNG images given inline as
`data:` URIs (the agency's logo), never the network or another file.
"""

from __future__ import annotations

import base64
import binascii
import logging
import mimetypes
import multiprocessing
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Tagged PDF/UA-1: title, language and a structure tree screen readers can follow.
PDF_VARIANT = "pdf/ua-1"
# The one kind of data: URI the renderer reads: a PNG (the agency's logo, re-encoded on upload).
PNG_DATA_URI = "data:image/png;base64,"

logger = logging.getLogger(__name__)


class FetchRefused(ValueError):
    """A URL the report renderer will not read."""


def static_root() -> Path:
    return (Path(settings.BASE_DIR) / "static").resolve()


class StaticFilesOnlyFetcher(URLFetcher):
    """Serves `file:` URLs inside `root` (the app's static/ directory) and base64 PNG `data:`
    URIs, and refuses the rest.

    No scheme but `file` and that one `data:` form (no http, https, ftp, no other data), no
    host, no path that resolves outside `root` (`..` segments and symbolic links are resolved
    first). A data: URI is decoded here and never fetched. WeasyPrint turns the raised error
    into a warning and goes on without the resource.
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
        if url.startswith(PNG_DATA_URI):
            return self._png(url)
        path = self.resolve(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url=path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    @staticmethod
    def _png(url: str) -> URLFetcherResponse:
        try:
            body = base64.b64decode(url.removeprefix(PNG_DATA_URI), validate=True)
        except binascii.Error as error:
            raise FetchRefused("The report renderer reads only well-formed PNG data.") from error
        if not body.startswith(b"\x89PNG\r\n\x1a\n"):
            raise FetchRefused("The report renderer reads only PNG data.")
        return URLFetcherResponse(
            url="data:image/png", body=body, headers={"Content-Type": "image/png"}
        )


def write_pdf(html: str, root: Path | None = None) -> bytes:
    """A tagged, Letter-size PDF of `html`, made in this process. Relative URLs resolve inside
    `root` (default static/). About 1 s."""
    root = (root or static_root()).resolve()
    document = HTML(
        string=html, base_url=root.as_uri() + "/", url_fetcher=StaticFilesOnlyFetcher(root)
    )
    return document.write_pdf(pdf_variant=PDF_VARIANT)


class RenderError(Exception):
    """The report could not be rendered; nothing was cached."""


class RenderTimedOut(RenderError):
    """The render ran past `READINESS_REPORT_TIMEOUT_SECONDS` and its process was stopped."""


class RenderFailed(RenderError):
    """The renderer raised (or its process died); the message names the cause."""


def _start_method() -> str:
    # forkserver: each render forks from a small server that has WeasyPrint imported and warm,
    # so a render starts in milliseconds instead of the second a fresh interpreter needs, and
    # the web process (threads, database connections) is never forked.
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


_context = multiprocessing.get_context(_start_method())
if _context.get_start_method() == "forkserver":
    _context.set_forkserver_preload(["reports.render_worker"])


def render_pdf(html: str, *, timeout: float | None = None) -> bytes:
    """`write_pdf(html)` in a child process, stopped after `timeout` seconds (default the
    READINESS_REPORT_TIMEOUT_SECONDS setting).

    A render that takes too long is terminated, so it cannot hold a web worker or the CPU
    beyond the limit: RenderTimedOut. A renderer that raises or dies gives RenderFailed.
    The function the child runs is this module's `write_pdf` as it is when called.
    """
    if timeout is None:
        timeout = float(settings.READINESS_REPORT_TIMEOUT_SECONDS)
    receiver, sender = _context.Pipe(duplex=False)
    process = _context.Process(
        target=_render_in_child,
        args=(sender, write_pdf, html, static_root()),
        name="readiness-report-render",
        daemon=True,
    )
    started = time.monotonic()
    answered = False
    try:
        try:
            process.start()
        except OSError as error:
            raise RenderFailed(f"The renderer process could not start ({error}).") from error
        sender.close()  # the child holds its own copy; EOF now means the child has gone
        if not receiver.poll(timeout):
            elapsed = time.monotonic() - started
            raise RenderTimedOut(
                f"The report took longer than {timeout:g} seconds ({elapsed:.1f} s) and was "
                "stopped."
            )
        try:
            outcome, payload = receiver.recv()
        except EOFError as error:
            process.join(5)
            raise RenderFailed(
                f"The renderer process ended without a result (exit code {process.exitcode})."
            ) from error
        answered = True
    finally:
        sender.close()
        receiver.close()
        _stop(process, answered=answered)
    if outcome != "pdf":
        logger.error("The report renderer raised:\n%s", payload)
        raise RenderFailed(payload.strip().splitlines()[-1] if payload.strip() else "unknown")
    return payload


def _stop(process, *, answered: bool) -> None:
    """Let a child that has answered exit; end one that has not, at once."""
    if process.pid is None:
        return
    if answered:
        process.join(5)
    if process.is_alive():
        process.terminate()
        process.join(2)
    if process.is_alive():
        process.kill()
        process.join()
    process.close()


def _render_in_child(sender, writer, html: str, root: Path) -> None:
    """The child's whole life: render, send the PDF or the traceback, exit."""
    try:
        message = ("pdf", writer(html, root))
    except BaseException:  # everything, so the parent always learns why
        message = ("error", traceback.format_exc())
    try:
        sender.send(message)
    finally:
        sender.close()
