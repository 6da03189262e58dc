"""How the coach cuts a message into tokens: one tokeniser for the rules and the learned layer.

The message's first ``MAX_CHARS`` characters are lower-cased (curly apostrophes made straight)
and split into words (hyphens and apostrophes inside a word kept), clause punctuation and emoji;
contractions in ``lexicon.EXPAND`` become their parts ("don't" gives "do", "not"). Each token
keeps the character offsets of the text it came from, so the rules can quote it.
"""

from __future__ import annotations

import re
from itertools import compress

from retrust.coach import lexicon

MAX_CHARS = 2_000
"""Characters read per message; the rest is ignored (``Analysis.truncated``)."""

TOKEN_RE = re.compile(
    r"[^\W_]++(?:['\-][^\W_]++)*+|[.!?;,:*()\"\u2026\U0001F300-\U0001FAFF\u2600-\u27BF]"
)
"""A word (letters and digits, joined by inner hyphens or apostrophes), a clause mark or an
emoji. Possessive (``++``, ``*+``): nothing follows a word in the pattern, so giving back
characters could never make a match, and the engine need not keep the states to try."""
_NO_UNDERSCORE_RE = re.compile(
    r"\w++(?:['\-]\w++)*+|[.!?;,:*()\"\u2026\U0001F300-\U0001FAFF\u2600-\u27BF]"
)
"""``TOKEN_RE`` for a text without "_" (the one word character ``TOKEN_RE`` leaves out), which
the engine checks faster."""
PUNCT = frozenset('.!?;,:*()"\u2026')


def lower(text: str) -> str:
    """``text`` lower-cased, with its offsets unchanged."""
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters change length when lower-cased; keep offsets aligned with the text.
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.replace("\u2019", "'").replace("\u2018", "'")


_group, _start, _end = re.Match.group, re.Match.start, re.Match.end


def tokens(lowered: str) -> tuple[list[str], list[int], list[int]]:
    """The tokens of a lower-cased text, with the start and end offset of each.

    Words and offsets are read off the matches in C (``map``); only a message with a
    contraction to expand takes a Python loop, over its contractions alone.
    """
    pattern = TOKEN_RE if "_" in lowered else _NO_UNDERSCORE_RE
    matches = list(pattern.finditer(lowered))
    words = list(map(_group, matches))
    starts = list(map(_start, matches))
    ends = list(map(_end, matches))
    expand = lexicon.EXPAND
    if expand.keys().isdisjoint(words):
        return words, starts, ends
    # Each contraction's parts share its offsets; spliced in from the end, so that the
    # indexes still to do are not moved.
    for i in reversed(list(compress(range(len(words)), map(expand.__contains__, words)))):
        parts = expand[words[i]]
        words[i : i + 1] = parts
        starts[i : i + 1] = [starts[i]] * len(parts)
        ends[i : i + 1] = [ends[i]] * len(parts)
    return words, starts, ends


def words_of(text: str) -> list[str]:
    """The tokens of a message's first ``MAX_CHARS`` characters, without offsets."""
    return tokens(lower(text[:MAX_CHARS]))[0]
