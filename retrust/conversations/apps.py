from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "retrust.conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from retrust.conversations import datarights
        from retrust.core.datarights import register

        register(datarights)  # its part of a person's export and of a deletion
        from retrust.core.registry import NavEntry, nav_entry

        nav_entry(NavEntry("Talk", "talk_home", "partner", current=("talk",), order=50))
