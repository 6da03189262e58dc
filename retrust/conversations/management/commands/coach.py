"""``retrust coach``: read messages from standard input, one per line; write JSON lines.

A thin wrapper: the analysis itself is the pure ``retrust.coach`` package, and nothing is sent
anywhere.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from retrust.coach.__main__ import run


class Command(BaseCommand):
    help = (
        "Read messages from standard input (one per line) and write one JSON object per line: "
        '{"text", "language", "labels", "spans", "explanations", "suggestion", ...}.'
    )
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        run(sys.stdin, self.stdout)
