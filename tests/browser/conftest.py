"""Real-browser tests: a system Chromium driven by Playwright, every page checked by axe-core.

The browser is whatever ``RETRUST_CHROMIUM`` names, else ``chromium`` on the PATH; Playwright's
own browser downloads are never used. Without a Chromium the tests are skipped with a visible
reason, unless ``RETRUST_REQUIRE_BROWSER=1`` (CI), when they fail instead.

Staff sign in through the real form in the sign-in journey; elsewhere a ``Tab`` is signed in by
injecting a session cookie (as airlock does), which keeps the suite fast.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from retrust.core.models import User
from tests.conftest import signed_in_client

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOT_FOUND = (
    "Chromium not found: set RETRUST_CHROMIUM to a Chromium executable, or install `chromium` "
    "on the PATH"
)
# axe-core impacts that fail a test; "moderate" and "minor" findings are not gating.
GATING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000

_skipped: list[str] = []


def shots_folder() -> Path | None:
    """The folder named by ``RETRUST_SHOTS`` (made if missing), where journeys keep screenshots
    of their key pages for a person to look at; None when it is not set."""
    folder = os.environ.get("RETRUST_SHOTS", "").strip()
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def chromium_executable() -> str | None:
    configured = os.environ.get("RETRUST_CHROMIUM", "").strip()
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured
        return shutil.which(configured)
    return shutil.which("chromium")


def browser_required() -> bool:
    return os.environ.get("RETRUST_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", yellow=True, bold=True)
        terminalreporter.write_line(_skipped[0], yellow=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for all browser tests; the Playwright event loop lives only this long."""
    executable = chromium_executable()
    if executable is None:
        if browser_required():
            pytest.fail(f"{NOT_FOUND}. RETRUST_REQUIRE_BROWSER=1: browser tests must run.", False)
        _skipped.append(f"{NOT_FOUND}; browser tests skipped")
        pytest.skip(_skipped[-1])

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse
    # the test's own database queries as "async unsafe".
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v.get('help')} — {v.get('helpUrl')}")
        for node in v.get("nodes", [])[:5]:
            lines.append(f"    at {node.get('target')}: {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


class Tab:
    """A page in its own browser context (its own cookies), checked on every page it shows."""

    def __init__(self, context: Any, axe: Any) -> None:
        self.context = context
        self.page = context.new_page()
        self.axe = axe
        self.console_errors: list[str] = []
        self.visited: list[str] = []
        self.checked: set[str] = set()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"uncaught: {exc}"))
        self.page.on("framenavigated", self._on_navigated)

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _on_navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.visited.append(frame.url)

    def goto(self, path: str, *, status: int = 200) -> Any:
        response = self.page.goto(path)
        assert response is not None
        assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
        return response

    def check(self, *, status: int = 200) -> None:
        """axe-core on the page as it is now, and no CSP violations or script errors so far.

        ``status``: the HTTP status this page was served with; the console error Chromium logs
        for a 4xx document is expected then and not counted.
        """
        self.page.wait_for_load_state("load")
        results = self.axe.run(self.page)
        gating = [
            v for v in results.response.get("violations", []) if v.get("impact") in GATING_IMPACTS
        ]
        url = self.page.url
        if gating:
            raise AssertionError(
                f"axe-core found serious or critical problems on {url}:\n{_describe(gating)}"
            )
        expected = f"the server responded with a status of {status}"
        errors = [e for e in self.console_errors if status < 400 or expected not in e]
        self.console_errors.clear()
        csp = [e for e in errors if "Content Security Policy" in e]
        if csp:
            raise AssertionError(f"CSP violations on {url}:\n" + "\n".join(csp))
        if errors:
            raise AssertionError(f"browser console errors on {url}:\n" + "\n".join(errors))
        self.checked.add(url)

    def shot(self, name: str) -> None:
        """A full-page screenshot named ``name`` (".png" added if it has no suffix), kept only
        when ``RETRUST_SHOTS`` names a folder."""
        folder = shots_folder()
        if folder is not None:
            path = folder / name
            self.page.screenshot(
                path=str(path if path.suffix else path.with_suffix(".png")), full_page=True
            )

    def unchecked(self) -> list[str]:
        return [url for url in self.visited if url not in self.checked and url != "about:blank"]


@pytest.fixture
def open_tab(browser: Any, axe: Any, live_server: Any) -> Iterator[Callable[..., Tab]]:
    """``open_tab(user=None)``: a fresh browser context, signed in as ``user`` if given.

    Staff are signed in with two-factor already done. At teardown, every page a tab showed
    must have been through ``Tab.check()``.
    """
    tabs: list[Tab] = []

    def make(user: User | None = None) -> Tab:
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        if user is not None:
            client = signed_in_client(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
            )
        tab = Tab(context, axe)
        tabs.append(tab)
        return tab

    yield make
    unchecked = [url for tab in tabs for url in tab.unchecked()]
    for tab in tabs:
        tab.context.close()
    assert not unchecked, f"pages shown but never checked with axe-core: {unchecked}"
