from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from retrust.core import actions, links


class Command(BaseCommand):
    help = "Create a practice and invite its first practice admin (prints the invitation link)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The practice's name, e.g. 'Riverside Couples Clinic'.")
        parser.add_argument("--slug", default="", help="Short name for URLs (default: from name).")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")
        parser.add_argument(
            "--base-url",
            default="",
            help="Where this retrust is served, for the link (default: RETRUST_BASE_URL).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        options["base_url"] = (options["base_url"] or links.base_url()).rstrip("/")
        try:
            practice, issued = actions.create_practice(
                options["name"],
                slug=options["slug"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
                base_url=options["base_url"].rstrip("/"),
            )
        except actions.ActionError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {practice.name} ({practice.slug})."))
        if issued is not None:
            link = issued.link(options["base_url"].rstrip("/"))
            self.stdout.write(f"Invitation for {issued.invitation.email}: {link}")
