"""Every page and API route one person could open about one case: for "nothing leaks" tests."""

from __future__ import annotations

import re
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse


def every_get_url(case_id: int, extra: list[str] | None = None) -> list[str]:
    """Each named page whose only argument is the case (or that has none), then each API GET
    operation of the same shape, then ``extra``."""
    from retrust.api.api import api

    urls: list[str] = []

    def walk(patterns: Any, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if not str(entry.pattern).startswith("api/"):
                    inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                    walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                keys = set(entry.pattern.converters)
                if keys <= {"case_id"}:
                    name = namespace + entry.name
                    urls.append(reverse(name, kwargs={"case_id": case_id} if keys else {}))

    walk(get_resolver().url_patterns, "")
    for path, methods in api.get_openapi_schema()["paths"].items():
        if "get" in methods and set(re.findall(r"{(\w+)}", path)) <= {"case_id"}:
            urls.append(path.format(case_id=case_id))
    return urls + list(extra or [])
