"""``retrust shred``: carry out the deletions and the ends of retention periods that are due.

The tick starts them on its own; this command is for doing it now, or, with ``--dry-run``, for
seeing what would go: counts per kind of record, never names or content.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from retrust.core.datarights import held_all, plan_all
from retrust.datarights import actions
from retrust.datarights.models import Departure


class Command(BaseCommand):
    help = (
        "Delete the accounts whose grace period is over and the held clinical records whose "
        "retention period is over. --dry-run lists what would go, as counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; list counts.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        due = Departure.objects.filter(actions.DUE_DEPARTURE, shred_after__lte=now)
        holds = Departure.objects.filter(actions.DUE_HOLD, hold_until__lte=now)
        if options["dry_run"]:
            self._list(due, holds)
            return
        done = sum(
            actions.shred_departure(pk, now) is not None for pk in due.values_list("pk", flat=True)
        )
        ended = sum(
            actions.shred_held(pk, now) is not None for pk in holds.values_list("pk", flat=True)
        )
        self.stdout.write(f"Accounts deleted: {done}. Retention periods ended: {ended}.")

    def _list(self, due: Any, holds: Any) -> None:
        if not due and not holds:
            self.stdout.write("Nothing is due.")
        for departure in due.select_related("user").order_by("pk"):
            leaving = actions.leaving_now(departure)
            self.stdout.write(
                f"Deletion {departure.pk} (asked {departure.requested_at:%Y-%m-%d}, "
                f"due {departure.shred_after:%Y-%m-%d}):"
            )
            self._counts("  would go", plan_all(leaving))
            self._counts("  would be held", held_all(leaving))
        for departure in holds.select_related("user").order_by("pk"):
            self.stdout.write(
                f"Retention period of deletion {departure.pk} "
                f"ended {departure.hold_until:%Y-%m-%d}:"
            )
            self._counts("  would go", held_all(actions.leaving_of(departure)))

    def _counts(self, heading: str, counts: dict[str, int]) -> None:
        if not counts:
            self.stdout.write(f"{heading}: nothing")
            return
        self.stdout.write(f"{heading}:")
        for kind, number in sorted(counts.items()):
            self.stdout.write(f"    {kind}: {number}")
