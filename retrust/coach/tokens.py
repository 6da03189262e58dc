"""How the coach cuts a message into tokens: one tokeniser for the rules and the learned layer.

The message's first ``MAX_CHARS`` characters are lower-cased (curly apostrophes made straight)
and split into words (hyphens and apostrophes inside a word kept), clause punctuation and emoji;
contractions in ``lexicon.EXPAND`` become their parts ("don't" gives "do", "not"). Each token
keeps the character offsets of the text it came from, so the rules can quote it.
"""

from __future__ import annotations

import re

from retrust.coach import lexicon

MAX_CHARS = 2_000
"""Characters read per message; the rest is ignored (``Analysis.truncated``)."""

TOKEN_RE = re.compile(
    r"[^\W_]+(?:['\-][^\W_]+)*|[.!?;,:*()\"\u2026]|[\U0001F300-\U0001FAFF\u2600-\u27BF]"
)
PUNCT = frozenset('.!?;,:*()"\u2026')


def lower(text: str) -> str:
    """``text`` lower-cased, with its offsets unchanged."""
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters change length when lower-cased; keep offsets aligned with the text.
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.replace("\u2019", "'").replace("\u2018", "'")


def tokens(lowered: str) -> tuple[list[str], list[int], list[int]]:
    """The tokens of a lower-cased text, with the start and end offset of each."""
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    add_word, add_start, add_end = words.append, starts.append, ends.append
    expand = lexicon.EXPAND.get
    for match in TOKEN_RE.finditer(lowered):
        word = match.group()
        parts = expand(word)
        start, end = match.span()
        if parts is None:
            add_word(word)
            add_start(start)
            add_end(end)
        else:
            for part in parts:
                add_word(part)
                add_start(start)
                add_end(end)
    return words, starts, ends


def words_of(text: str) -> list[str]:
    """The tokens of a message's first ``MAX_CHARS`` characters, without offsets."""
    return tokens(lower(text[:MAX_CHARS]))[0]
