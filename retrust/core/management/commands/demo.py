from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from retrust.core.demo import DEMO_PASSWORD, seed_demo
from retrust.core.management.commands.serve import serve
from retrust.core.management.guards import refuse_in_production


class Command(BaseCommand):
    help = "Migrate, seed the demo practice (safe to repeat), print the logins and serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="Seed and print, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_in_production(
            "demo",
            "it creates accounts that share a published password and prints their "
            "two-factor codes.",
        )
        call_command("migrate", interactive=False, verbosity=0)
        people = seed_demo()
        base = f"http://{options['host']}:{options['port']}"
        out = self.stdout
        out.write(self.style.SUCCESS(f"\nretrust demo is ready at {base}/\n"))
        out.write(f"Every demo account's password: {DEMO_PASSWORD}\n")
        for email, role in people:
            out.write(f"  {role:<34} {email}\n")
        out.write(
            "\nClinicians and the admin also need a two-factor code. In another terminal run\n"
            "  .venv/bin/retrust otpcode EMAIL\n"
            "and type the six digits it prints (demo accounts only; codes change every 30 s).\n"
            "Outgoing email (invitations, password resets, reminders) is printed here.\n"
        )
        if not options["no_serve"]:
            serve(options["port"], options["host"])
