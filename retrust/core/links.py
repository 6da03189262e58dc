"""The start of every link that leaves the site in an email or is handed over in person."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def base_url(request: HttpRequest | None = None) -> str:
    """``RETRUST_BASE_URL`` when it is set (always, in production).

    Otherwise the address this request came in on, so that a local demo reached at another
    port or host hands out links that work; without a request, the local default.
    """
    if settings.RETRUST_BASE_URL_SET or request is None:
        return str(settings.RETRUST_BASE_URL)
    return f"{request.scheme}://{request.get_host()}"
