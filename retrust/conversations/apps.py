from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "retrust.conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from retrust.core.registry import NavEntry, nav_entry

        nav_entry(NavEntry("Talk", "talk_home", "partner", current=("talk",), order=50))
