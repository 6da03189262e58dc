from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from retrust.safety.inactivity import raise_inactivity_alerts


class Command(BaseCommand):
    help = "Raise inactivity alerts (run daily, e.g. from cron or a task scheduler)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = raise_inactivity_alerts()
        self.stdout.write(f"{count} new inactivity alert{'s' if count != 1 else ''}.")
