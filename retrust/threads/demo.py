"""Messages in the demo: a short, warm exchange in Priya's private thread and the couple's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from retrust.core.models import Case, Practice
from retrust.threads.models import Message, ReadMarker, Thread, ThreadKind

PRIVATE = [
    (
        "priya",
        "Before Thursday: I'd like some time on my own at the start of the session, if that's "
        "possible. There's something I find hard to say with Daniel in the room.",
    ),
    (
        "clinician",
        "Thank you for telling me, Priya. Yes — we'll start with fifteen minutes just the two "
        "of us, and you decide what, if anything, comes back to the joint part.",
    ),
]
TOGETHER = [
    (
        "daniel",
        "We had our evening check-in four days in a row this week. It felt easier each time.",
    ),
    (
        "clinician",
        "That's lovely to hear, both of you. Let's spend a few minutes on Thursday on what made "
        "it easier, so you can keep it going.",
    ),
]


def seed(practice: Practice, partners: dict[str, Any], created: bool) -> None:
    if not created or "priya" not in partners or "daniel" not in partners:
        return
    case = Case.objects.get(creation_key="demo-conjoint")
    clinician = case.clinicians.order_by("pk").first()
    if clinician is None:
        return
    start = timezone.now() - timedelta(days=2)

    def write(owner: str, kind: str, lines: list[tuple[str, str]], offset: timedelta) -> None:
        thread = Thread.objects.create(
            case=case,
            author=partners[owner],
            visibility="clinician" if kind == ThreadKind.PRIVATE else "couple",
            kind=kind,
            created_at=start,
        )
        for index, (who, body) in enumerate(lines):
            sender = clinician if who == "clinician" else partners[who]
            at = start + offset + timedelta(hours=3 * index)
            message = Message.objects.create(thread=thread, sender=sender, body=body, created_at=at)
            ReadMarker.objects.update_or_create(
                thread=thread, user=sender, defaults={"last_read_id": message.pk, "read_at": at}
            )
            thread.last_message_at = at
        thread.save(update_fields=["last_message_at"])

    write("priya", ThreadKind.PRIVATE, PRIVATE, timedelta())
    write("daniel", ThreadKind.COUPLE, TOGETHER, timedelta(hours=1))
