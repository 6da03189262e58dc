from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from retrust.core.demo import DEMO_DOMAIN
from retrust.core.management.guards import refuse_in_production


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (demo accounts only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_in_production(
            "otpcode", "it prints two-factor codes, which must only ever come from a phone."
        )
        email = options["email"].strip().lower()
        if not email.endswith("@" + DEMO_DOMAIN):
            raise CommandError(
                f"Only demo accounts (@{DEMO_DOMAIN}) have codes printed here; "
                "everyone else uses their authenticator app."
            )
        device = TOTPDevice.objects.filter(user__email__iexact=email, confirmed=True).first()
        if device is None:
            raise CommandError(f"No two-factor device for {email}. Did you run `retrust demo`?")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
