from django.apps import AppConfig


class ThreadsConfig(AppConfig):
    name = "retrust.threads"
    label = "threads"
    verbose_name = "Messages"

    def ready(self) -> None:
        from retrust.core import registry
        from retrust.core.datarights import register
        from retrust.threads import datarights, demo, kinds, queries, today  # noqa: F401

        register(datarights)  # its part of a person's export and of a deletion

        registry.nav_entry(
            registry.NavEntry(
                "Messages",
                "messages_home",
                "partner",
                current=("case_messages", "message_thread"),
                order=55,
            )
        )
        registry.nav_badge("messages_home", queries.unread_count)
        registry.today_section(today.section)
        registry.demo_seeder(demo.seed, order=80)
