from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "retrust.conversations"
    verbose_name = "Conversations"
