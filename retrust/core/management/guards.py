"""Checks that management commands share."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError


def refuse_in_production(command: str, why: str) -> None:
    """Stop ``command`` when RETRUST_ENV is production, saying why in one plain sentence."""
    if settings.RETRUST_ENV == "production":
        raise CommandError(
            f"`retrust {command}` doesn't run when RETRUST_ENV=production: {why} "
            "Use it on a local or test copy instead."
        )
