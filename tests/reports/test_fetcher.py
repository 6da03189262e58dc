"""WeasyPrint reads nothing but our own static files and inline data (never a file, never the
network), and a render that runs too long is stopped."""

from __future__ import annotations

import base64
import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from retrust.reports import render
from tests.reports.conftest import pdf_text

# A one-pixel PNG, inline.
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d49444154789c6360f8cf000000030101001824dd8e0000000049454e44ae426082"
    )
).decode()


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        _Recorder.hits.append(self.path)
        body = b"body { color: red }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 that records every request made to it."""
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_planted_file_url_and_a_local_network_address_are_refused(local_server: str) -> None:
    html = f"""<html><head><link rel="stylesheet" href="{local_server}/style.css"></head><body>
      <p>Before</p>
      <img src="file:///etc/passwd" alt="">
      <img src="{local_server}/secret.png" alt="">
      <iframe src="file:///etc/hostname"></iframe>
      <object data="file:///etc/passwd"></object>
      <p style="background: url('{local_server}/bg.png')">After</p>
    </body></html>"""
    rendered = render.pdf_from_html(html)

    assert _Recorder.hits == []  # the server was never asked for anything
    assert "file:///etc/passwd" in rendered.refused
    assert f"{local_server}/secret.png" in rendered.refused
    assert f"{local_server}/style.css" in rendered.refused
    text = pdf_text(rendered.pdf)
    assert "Before" in text and "After" in text
    assert "root:" not in text


def test_relative_addresses_cannot_climb_out_of_the_static_files() -> None:
    fetcher = render.ReportFetcher()
    for url in (
        render.BASE_URL + "static/../../etc/passwd",
        render.BASE_URL + "static/reports/../../../../etc/passwd",
        render.BASE_URL + "etc/passwd",
        "https://example.org/static/reports/print.css",
        "ftp://127.0.0.1/x",
    ):
        with pytest.raises(render.RefusedURL):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


def test_our_own_stylesheet_and_inline_images_are_read() -> None:
    fetcher = render.ReportFetcher()
    css = fetcher.fetch(render.BASE_URL + "static/reports/print.css")
    assert b"@page" in css.read()
    assert css.content_type == "text/css"
    image = fetcher.fetch(f"data:image/png;base64,{PIXEL}")
    assert image.read().startswith(b"\x89PNG")
    assert fetcher.refused == []


def test_the_report_template_asks_for_nothing_outside_our_files(world: object) -> None:
    from retrust.core import policy
    from retrust.reports import actions

    access = policy.case_access(world.clinician, world.case.pk, as_=policy.CLINICIAN)  # type: ignore[attr-defined]
    assert actions.build(access, "clinician").refused == []


def test_a_render_over_its_time_limit_stops() -> None:
    started = time.process_time()
    with pytest.raises(render.RenderTimeout), render.time_limit(0.2):
        while True:
            sum(range(1000))
    assert time.process_time() - started < 5
    # The timer is put back as it was: nothing fires later.
    deadline = time.process_time() + 0.4
    while time.process_time() < deadline:
        sum(range(1000))
