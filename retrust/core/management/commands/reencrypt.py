from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from retrust.core import audit, fieldkeys

BATCH = 500
# Every Fernet token starts with its version byte 0x80 and a timestamp: "gAAAAA" in base64.
TOKEN_PREFIX = "gAAAAA"


def still_sealed(value: Any) -> bool:
    """Whether a loaded value is still ciphertext, i.e. no key in settings could open it.

    The field library hands back the stored text unchanged when no key fits; saving that
    would seal it a second time under the new key and lose it for good.
    """
    if isinstance(value, dict):
        return any(still_sealed(item) for item in value.values())
    if isinstance(value, list):
        return any(still_sealed(item) for item in value)
    if not isinstance(value, str) or not value.startswith(TOKEN_PREFIX) or len(value) < 80:
        return False
    try:
        base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        return False
    return True


def batches(model: type[Any], names: list[str], size: int) -> Iterator[list[Any]]:
    last_pk: Any = None
    while True:
        rows = model.objects.order_by("pk").only("pk", *names)
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        batch = list(rows[:size])
        if not batch:
            return
        yield batch
        last_pk = batch[-1].pk


class Command(BaseCommand):
    help = (
        "Re-save every encrypted field with the current SECRET_KEY and first salt, after a key "
        "rotation; then the old key (SECRET_KEY_FALLBACKS) and old salts can be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=BATCH, help="Rows per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        size = options["batch"]
        models = list(fieldkeys.encrypted_fields())
        # First make sure every value opens with the keys configured: nothing is written
        # unless everything can be.
        for model, names in models:
            for batch in batches(model, names, size):
                for row in batch:
                    for name in names:
                        if still_sealed(getattr(row, name)):
                            raise CommandError(
                                f"{model._meta.label} {row.pk}: {name} cannot be opened with "
                                "SECRET_KEY, SECRET_KEY_FALLBACKS and FIELD_ENCRYPTION_SALTS "
                                "as set. List the key and salt it was written with, then run "
                                "this again. Nothing was changed."
                            )
        total = 0
        for model, names in models:
            done = 0
            for batch in batches(model, names, size):
                # Loading opened each value with whichever key fits; saving seals it with the
                # first key. Timestamps are left as they were.
                with transaction.atomic():
                    model.objects.bulk_update(batch, names)
                done += len(batch)
            if done:
                self.stdout.write(f"{model._meta.label}: {done} rows re-encrypted")
            total += done
        with transaction.atomic():
            audit.record(None, "retrust.keys.reencrypted", details={"rows": total})
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows now use the current key."))
