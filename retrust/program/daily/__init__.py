"""The daily question: one short, light prompt a day for a couple, from retrust's own deck.

Pure Python, no Django. Both partners of a case get the same prompt on the same day, and a
case walks through every prompt open to it before any comes back (a fixed order per case, one
step a day). The deck lives in ``questions.yaml`` beside this file; a malformed file fails at
start-up naming the deck and the prompt.

The streak is gentle on purpose: it counts the days in a row on which both partners answered,
up to today or yesterday (today not answered yet breaks nothing), and a missed day is never
named — after a gap the page speaks of the days shared so far instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

DECK_FILE = Path(__file__).with_name("questions.yaml")
ANSWER_MAX = 500
STAGES = range(0, 6)


class DeckError(ValueError):
    """The deck file is not as this module expects; the message names the place."""


@dataclass(frozen=True)
class Prompt:
    id: str
    deck: str
    text: str
    stages: frozenset[int]


@dataclass(frozen=True)
class Deck:
    key: str
    title: str
    description: str
    stages: frozenset[int]
    prompts: tuple[Prompt, ...]


def _deck(key: str, raw: object) -> Deck:
    if not isinstance(raw, dict):
        raise DeckError(f"deck {key!r}: expected a mapping")
    stages = raw.get("stages")
    if not isinstance(stages, list) or not stages or any(s not in STAGES for s in stages):
        raise DeckError(f"deck {key!r}: 'stages' must list stages from 0 to 5")
    prompts = []
    for n, item in enumerate(raw.get("prompts") or []):
        if not isinstance(item, dict) or not item.get("id") or not item.get("text"):
            raise DeckError(f"deck {key!r}, prompt {n + 1}: needs an 'id' and a 'text'")
        text = str(item["text"]).strip()
        if len(text) > 200:
            raise DeckError(f"deck {key!r}, prompt {item['id']}: keep it under 200 characters")
        prompts.append(Prompt(str(item["id"]), key, text, frozenset(stages)))
    if not prompts:
        raise DeckError(f"deck {key!r}: no prompts")
    return Deck(
        key=key,
        title=str(raw.get("title") or key.capitalize()),
        description=str(raw.get("description") or ""),
        stages=frozenset(stages),
        prompts=tuple(prompts),
    )


def parse(text: str) -> dict[str, Deck]:
    """The decks in a deck file's text, checked: every prompt id unique across decks."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("decks"), dict):
        raise DeckError("the file needs a 'decks' mapping")
    decks = {key: _deck(key, raw) for key, raw in data["decks"].items()}
    seen: set[str] = set()
    for deck in decks.values():
        for prompt in deck.prompts:
            if prompt.id in seen:
                raise DeckError(f"prompt id {prompt.id!r} is used twice")
            seen.add(prompt.id)
    return decks


@cache
def decks() -> dict[str, Deck]:
    """retrust's decks, read once per process."""
    return parse(DECK_FILE.read_text(encoding="utf-8"))


def prompts() -> dict[str, Prompt]:
    return {p.id: p for deck in decks().values() for p in deck.prompts}


def _order_key(case_id: int, prompt: Prompt) -> str:
    return hashlib.sha256(f"{case_id}:{prompt.id}".encode()).hexdigest()


def prompt_for(case_id: int, day: date, stage: int, chosen: Iterable[str]) -> Prompt | None:
    """The prompt of ``day`` for one case, from the ``chosen`` decks open at ``stage``.

    The same for both partners and stable through the day; ``None`` when no chosen deck is
    open at this stage.
    """
    chosen = set(chosen)
    open_prompts = [
        p
        for key, deck in decks().items()
        if key in chosen
        for p in deck.prompts
        if stage in p.stages
    ]
    if not open_prompts:
        return None
    ordered = sorted(open_prompts, key=lambda p: _order_key(case_id, p))
    return ordered[day.toordinal() % len(ordered)]


@dataclass(frozen=True)
class Streak:
    """``run``: days in a row both answered, up to today or yesterday; ``shared``: all days."""

    run: int
    shared: int

    def describe(self) -> str:
        if self.run >= 2:
            return f"{self.run} days in a row you've both answered"
        if self.shared >= 2:
            return f"You've shared answers on {self.shared} days so far"
        if self.shared == 1:
            return "You've shared answers once so far"
        return ""


def streak(days_both_answered: Sequence[date] | set[date], today: date) -> Streak:
    """The gentle streak from the days on which both partners answered."""
    days = set(days_both_answered)
    cursor = today if today in days else today - timedelta(days=1)
    run = 0
    while cursor in days:
        run += 1
        cursor -= timedelta(days=1)
    return Streak(run=run, shared=len(days))
