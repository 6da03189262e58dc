"""Every URL name and every OpenAPI operation has a row in some persona matrix.

A new page or API route without a row fails here, so nobody can add a route whose privacy is
untested. Rows live in the test modules (``Route`` instances in module-level lists); this test
imports every test module and gathers them.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

import tests
from retrust.api.api import api
from tests.support.matrix import Route

# Pages with no case, record or role behind them: everyone gets the same thing.
PUBLIC = {
    "landing",
    "healthz",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "help",
    "away",
}
PLACEHOLDER = re.compile(r"\{[^}]*\}|<[^>]*>")


def all_rows() -> list[Route]:
    rows: list[Route] = []
    for info in pkgutil.walk_packages(tests.__path__, "tests."):
        if ".browser" in info.name or info.name.endswith("test_route_coverage"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, Route):
                rows.append(value)
            elif isinstance(value, list | tuple):
                rows.extend(item for item in value if isinstance(item, Route))
    return rows


def shape(url: str) -> str:
    """A URL with every placeholder (``{case}``, ``<int:case_id>``, ``{case_id}``) as ``*``."""
    url = url.split("?")[0]
    url = PLACEHOLDER.sub("*", url)
    return re.sub(r"/\d+(?=/|$)", "/*", url).rstrip("/")


def page_patterns() -> dict[str, str]:
    """URL name → its shape, for every named page (the API is checked operation by operation)."""
    found: dict[str, str] = {}

    def walk(patterns: Any, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if str(entry.pattern).startswith("api/"):
                    continue
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                found[entry.name] = shape("/" + prefix + str(entry.pattern))

    walk(get_resolver().url_patterns, "")
    return found


def api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.upper(), shape(path))
        for path, methods in schema["paths"].items()
        for method in methods
    }


def test_every_page_has_a_matrix_row() -> None:
    covered = {shape(row.url) for row in all_rows() if not row.url.startswith("/api/")}
    missing = sorted(
        name for name, url in page_patterns().items() if name not in PUBLIC and url not in covered
    )
    assert missing == [], f"URL names with no persona-matrix row: {missing}"


def test_every_api_operation_has_a_matrix_row() -> None:
    covered = {(row.method, shape(row.url)) for row in all_rows() if row.url.startswith("/api/")}
    missing = sorted(op for op in api_operations() if op not in covered)
    assert missing == [], f"API operations with no persona-matrix row: {missing}"
