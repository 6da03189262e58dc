"""Messages on the clinician's "Today": threads where a partner waits for a reply."""

from __future__ import annotations

from typing import Any

from retrust.core.registry import Panel
from retrust.threads import queries


def section(clinician: Any, cases: dict[int, Any]) -> list[Panel]:
    """One query, whatever the number of cases and messages."""
    threads = queries.waiting_for_reply(clinician, list(cases))
    return [Panel("threads/_today.html", {"threads": threads}, order=30)] if threads else []
