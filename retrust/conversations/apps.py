from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "retrust.conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from retrust.conversations import datarights
        from retrust.core.datarights import register

        register(datarights)  # its part of a person's export and of a deletion
        from retrust.conversations import panels
        from retrust.core.registry import case_panel

        case_panel(panels.case_page)  # reviews a partner asked to take to the next session
        from retrust.core.registry import NavEntry, nav_entry

        nav_entry(
            NavEntry(
                "Talk",
                "talk_home",
                "partner",
                current=(
                    "talk",
                    "gentle_start",
                    "feeling_words",
                    "open_conversation",
                    "conversation",
                    "post_turn",
                    "call_break",
                    "open_review",
                    "review",
                    "comment_on_review",
                    "review_to_session",
                    "review_talked_through",
                    "triggers",
                ),
                order=50,
            )
        )
