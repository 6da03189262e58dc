from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from retrust.core import audit, fieldkeys

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-save every encrypted field with the current SECRET_KEY and first salt, after a key "
        "rotation; then the old key (SECRET_KEY_FALLBACKS) and old salts can be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=BATCH, help="Rows per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model, names in fieldkeys.encrypted_fields():
            done = 0
            last_pk: Any = None
            while True:
                rows = model.objects.order_by("pk")
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                batch = list(rows.only("pk", *names)[: options["batch"]])
                if not batch:
                    break
                # Reading decrypted the values with whichever key fits; saving them encrypts
                # them with the first key. Timestamps are left as they were.
                with transaction.atomic():
                    model.objects.bulk_update(batch, names)
                done += len(batch)
                last_pk = batch[-1].pk
            if done:
                self.stdout.write(f"{model._meta.label}: {done} rows re-encrypted")
            total += done
        with transaction.atomic():
            audit.record(None, "retrust.keys.reencrypted", details={"rows": total})
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows now use the current key."))
