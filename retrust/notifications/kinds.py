"""What a notification can be about: a registry of kinds. No Django.

Each app may register its own kinds (from its ``AppConfig.ready``); the built-in ones are
registered at the bottom of this module. A kind's label is shown on the person's own
notification settings page, never in an email: every email says only that something is
waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Audience = Literal["partner", "clinician"]

# Given the outbox row at send time, the file the email carries: (file name, content type,
# content), or None for none. Built afresh from the row's ids each time, never stored.
Attachment = Callable[[Any], tuple[str, str, bytes] | None]


@dataclass(frozen=True, slots=True)
class Kind:
    key: str
    # In the person's own words, for their settings page: "Check-ins to answer".
    label: str
    audience: Audience | Visitor
    # A safety or security message: it cannot be switched off, it carries no unsubscribe
    # link, and it goes out at once whatever the person's digest and quiet-hours choices.
    essential: bool = False
    # Sent once a day at the person's digest time, whatever their immediate/digest choice.
    daily: bool = False
    # A kind whose email carries a file (a calendar invitation). Such a row travels alone: one
    # email per row, never folded into the person's other waiting items.
    attachment: Attachment | None = None

    def __post_init__(self) -> None:
        if not self.key or not self.key.replace("_", "").isalnum() or len(self.key) > 40:
            raise ValueError(f"A kind's key is a short snake_case word, not {self.key!r}")


# Someone without an account, reached at an address they gave (the front door's emails): such
# kinds are never offered on anyone's settings page.
Visitor = Literal["visitor"]

_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind. Registering the same kind twice is harmless; two different ones clash."""
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"Two different notification kinds are called {kind.key!r}")
    _KINDS[kind.key] = kind
    return kind


def get(key: str) -> Kind | None:
    return _KINDS.get(key)


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda kind: (kind.audience, kind.essential, kind.label))


def for_audiences(audiences: set[str]) -> list[Kind]:
    return [kind for kind in all_kinds() if kind.audience in audiences]


# --- built-in kinds -----------------------------------------------------------------------

HIGH_ALERT = register(
    Kind("high_alert", "A high-priority alert in one of your cases", "clinician", essential=True)
)
CLINICIAN_DIGEST = register(
    Kind(
        "clinician_digest",
        "A daily summary of what waits in your caseload",
        "clinician",
        daily=True,
    )
)
AGREEMENT_ANSWER = register(
    Kind("agreement_answer", "An agreement waiting for your answer", "partner")
)
BREACH_ANSWER = register(
    Kind("breach_answer", "A report about an agreement waiting for your answer", "partner")
)
CONFIRMATIONS = register(
    Kind("confirmations", "Days of a commitment waiting for your confirmation", "partner")
)
CHECKIN = register(
    Kind("checkin", "A check-in to answer (opens, due tomorrow, overdue)", "partner")
)
HOMEWORK = register(Kind("homework", "Homework given to you, and when it is due soon", "partner"))
CONVERSATION_TURN = register(Kind("conversation_turn", "Your turn in a conversation", "partner"))
BREAK_ENDING = register(Kind("break_ending", "A break in a conversation is ending", "partner"))
STAGE_CONFIRMATION = register(
    Kind("stage_confirmation", "A move to the next stage waiting for your confirmation", "partner")
)
PARTNER_ANSWERED = register(
    Kind(
        "partner_answered",
        "Your partner has answered homework you answer together: answer to see theirs",
        "partner",
    )
)
DAILY_PARTNER_ANSWERED = register(
    Kind(
        "daily_partner_answered",
        "Your partner has answered today's question: answer to see theirs",
        "partner",
    )
)
ANSWERS_REVEALED = register(
    Kind("answers_revealed", "Answers you both sent, ready for you to read", "partner")
)
MILESTONE = register(Kind("milestone", "A milestone you reached together", "partner"))
