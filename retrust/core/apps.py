from typing import Any

from django.apps import AppConfig
from django.urls import reverse
from django.utils.text import Truncator


def _describe_journal_entry(entry: Any) -> dict[str, str]:
    return {
        "kind": "Journal entry",
        "summary": Truncator(entry.body).words(30),
        "url": reverse("journal_entry", args=[entry.pk]),
    }


class CoreConfig(AppConfig):
    name = "retrust.core"
    label = "core"
    verbose_name = "retrust core"

    def ready(self) -> None:
        from retrust.core.registry import NavEntry, nav_entry, record_describer

        nav_entry(NavEntry("My space", "partner_home", "partner", order=10))
        record_describer("core.journalentry", _describe_journal_entry)
        from retrust.core import account_data, signals  # noqa: F401  (audit receivers)
        from retrust.core.datarights import register

        register(account_data)  # its part of a person's export and of a deletion
