"""Words for after a hard moment: a short list of feelings and needs, and the sentences they
make. Pure (no Django); the page that offers them is ``views.feeling_words``.

The words are written for retrust. They are a starting point, never a diagnosis: a partner
ticks the few that fit, and the sentence opens a gentle start-up or a private journal entry,
where they change it into their own words before anything is saved or sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# Feelings, grouped gently: a heading in plain words, then a few words that sit under it.
FEELINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Hurt", ("hurt", "let down", "disappointed", "taken for granted")),
    ("Scared", ("scared", "anxious", "unsure of us", "on edge")),
    ("Lonely", ("lonely", "left out", "far from you", "unseen")),
    ("Angry", ("angry", "frustrated", "resentful", "fed up")),
    ("Sad", ("sad", "tired", "heavy", "numb")),
    ("Ashamed", ("embarrassed", "ashamed", "guilty")),
    ("Hopeful", ("hopeful", "relieved", "grateful", "calmer than before")),
)

# Needs, each written to follow "I need …".
NEEDS: tuple[str, ...] = (
    "to be heard",
    "reassurance",
    "honesty",
    "some time",
    "some space for a while",
    "closeness",
    "patience",
    "to feel safe",
    "a plan we both keep",
    "to know you understand",
)

ALL_FEELINGS: frozenset[str] = frozenset(word for _, words in FEELINGS for word in words)
ALL_NEEDS: frozenset[str] = frozenset(NEEDS)


def in_list_order(chosen: Iterable[str], order: Sequence[str]) -> list[str]:
    """The chosen words that are on the list, once each, in the list's own order."""
    picked = set(chosen)
    return [word for word in order if word in picked]


def feeling_order() -> list[str]:
    return [word for _, words in FEELINGS for word in words]


def join_words(words: Sequence[str]) -> str:
    """'hurt', 'lonely', 'scared' → 'hurt, lonely and scared'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def need_sentence(needs: Sequence[str]) -> str:
    """'I need reassurance and honesty', or empty when no need was ticked."""
    return f"I need {join_words(needs)}" if needs else ""


def journal_text(feelings: Sequence[str], needs: Sequence[str]) -> str:
    """The opening lines of a private journal entry: 'I feel hurt and lonely. I need time.'"""
    parts = []
    if feelings:
        parts.append(f"I feel {join_words(feelings)}.")
    if needs:
        parts.append(f"{need_sentence(needs)}.")
    return " ".join(parts)
