"""Logs and error reports an operator can read without reading anyone's therapy.

Imported by settings, so it imports nothing from Django's models.

* Every log line carries the request id (``X-Request-ID``, also on the audit rows), as JSON in
  production (``RETRUST_LOG_FORMAT=json``) so a log collector can index it.
* With ``SENTRY_DSN`` set, unhandled errors go to Sentry (or a compatible server, e.g.
  GlitchTip) with everything a person typed removed before the event leaves the process:
  request bodies, query strings, cookies and headers, local variables, exception messages
  (a database error quotes the row it refused), log parameters and breadcrumbs. What is left
  is the exception's type, the stack of file names and lines, the path, the method and the
  request id: enough to find the bug, nothing to read.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

SCRUBBED = "[scrubbed]"


class RequestIdFilter(logging.Filter):
    """Put the current request's id on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


def _scrub_request(request: dict[str, Any]) -> dict[str, Any]:
    url = request.get("url", "")
    if url:
        parts = urlsplit(url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return {"method": request.get("method", ""), "url": url}


def _scrub_exception(exception: dict[str, Any]) -> None:
    for value in exception.get("values", []):
        if value.get("value"):
            value["value"] = SCRUBBED
        for frame in (value.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry's ``before_send``: keep where it broke, drop what anyone wrote."""
    if "request" in event:
        event["request"] = _scrub_request(event["request"])
    if "exception" in event:
        _scrub_exception(event["exception"])
    for thread in (event.get("threads") or {}).get("values", []):
        for frame in (thread.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    logentry = event.get("logentry") or event.get("logentry")
    if logentry:
        # The message template stays ("Could not save %s"); what filled it in does not.
        event["logentry"] = {"message": logentry.get("message", ""), "params": []}
    event.pop("message", None)
    event.pop("breadcrumbs", None)
    event.pop("extra", None)
    user = event.get("user") or {}
    event["user"] = {"id": user["id"]} if user.get("id") else {}
    request_id = request_id_var.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def init_sentry(dsn: str, *, environment: str, **extra: Any) -> None:
    """Send unhandled errors to ``dsn``, scrubbed (see the module docstring)."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        include_local_variables=False,
        max_request_body_size="never",
        max_breadcrumbs=0,
        traces_sample_rate=0,
        before_send=scrub_event,
        before_send_transaction=lambda event, hint: None,
        integrations=[
            DjangoIntegration(transaction_style="url"),
            LoggingIntegration(level=None, event_level=logging.ERROR),
        ],
        **extra,
    )


def logging_config(*, json_lines: bool, level: str) -> dict[str, Any]:
    """The LOGGING setting: one console handler, the request id on every line."""
    formatters: dict[str, Any] = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "retrust.core.observability.RequestIdFilter"}},
        "formatters": formatters,
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "json" if json_lines else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "axes": {"level": "WARNING"},
            # WeasyPrint narrates every step of every report at INFO; its warnings still show.
            "weasyprint.progress": {"level": "WARNING"},
            # One line per request: production's log; the dev server prints its own.
            "retrust.request": {"level": "INFO" if json_lines else "WARNING"},
        },
    }
