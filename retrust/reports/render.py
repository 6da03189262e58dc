"""HTML to PDF with WeasyPrint, reading nothing but our own static files.

A report is built from records people typed; WeasyPrint would follow any address in it (an
``<img>``, a stylesheet, a font). ``ReportFetcher`` answers only ``data:`` URLs and our own
static files, read from disk through the staticfiles finders: ``file:`` URLs, other schemes and
every network address (our own server included) are refused and never opened. Rendering runs
under a limit on CPU time so that one pathological report cannot hold a worker.
"""

from __future__ import annotations

import contextlib
import mimetypes
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The made-up origin the report's relative addresses resolve against ("/static/x.css" becomes
# BASE_URL + "static/x.css"). ``.invalid`` can never resolve (RFC 2606), and the fetcher
# serves it from disk anyway.
BASE_URL = "https://report.retrust.invalid/"
TIME_LIMIT_SECONDS = 120


class RefusedURL(ValueError):
    """A report asked for something outside our own static files."""


class RenderTimeout(Exception):
    """The report took longer than its time limit."""


class ReportFetcher(URLFetcher):
    """Serves ``data:`` URLs and our static files; refuses everything else, and remembers it."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=["data"], allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        static_prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
        if url.startswith(static_prefix):
            relative = url[len(static_prefix) :].split("?")[0].split("#")[0]
            found = finders.find(relative) if ".." not in relative.split("/") else None
            if isinstance(found, str):
                with open(found, "rb") as handle:
                    body = handle.read()
                kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body, {"Content-Type": kind})
        self.refused.append(url)
        raise RefusedURL(f"A report reads only its own files, not {url[:80]!r}")

    def __call__(self, url: str) -> URLFetcherResponse:
        return self.fetch(url)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``RenderTimeout`` once this process has spent ``seconds`` of CPU time inside.

    CPU time, not wall time: on a busy machine a report waits for a core without being at
    fault, while a report that really loops is stopped all the same (rendering does no I/O:
    the fetcher reads only our own files). Its own signal (``SIGVTALRM``) leaves the alarm an
    RQ worker sets for the job's wall-clock timeout alone. Only the main thread can take a
    signal: elsewhere the queue's own timeout is the guard.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise RenderTimeout(f"The report took more than {seconds:g} seconds of work.")

    previous = signal.signal(signal.SIGVTALRM, expire)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    refused: list[str]


def html_for(context: dict[str, Any]) -> str:
    return render_to_string("reports/report.html", context)


def pdf_from_html(html: str, seconds: float = TIME_LIMIT_SECONDS) -> Rendered:
    fetcher = ReportFetcher()
    with time_limit(seconds):
        document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
        pdf = document.write_pdf()
    assert pdf is not None
    return Rendered(pdf=pdf, pages=len(document.pages), refused=fetcher.refused)
