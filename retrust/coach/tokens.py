"""How the coach cuts a message into tokens: one tokeniser for the rules and the learned layer.

The message's first ``MAX_CHARS`` characters are lower-cased (curly apostrophes made straight)
and split into words (hyphens and apostrophes inside a word kept), clause punctuation and emoji;
contractions in ``lexicon.EXPAND`` become their parts ("don't" gives "do", "not"). Each token
keeps the character offsets of the text it came from, so the rules can quote it.
"""

from __future__ import annotations

import re
from itertools import accumulate, compress

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


_SPLIT = re.compile(f"({TOKEN_RE.pattern})")
_NO_UNDERSCORE_SPLIT = re.compile(f"({_NO_UNDERSCORE_RE.pattern})")
"""The patterns in one group, for ``split``: it gives the text between tokens and the tokens,
alternately, as plain strings (no match object per token)."""


def tokens(lowered: str) -> tuple[list[str], list[int], list[int]]:
    """The tokens of a lower-cased text, with the start and end offset of each.

    One ``split`` in C gives gap, token, gap, token, ..., gap; the running sum of their
    lengths gives where each token starts and ends. Only a message with a contraction to
    expand takes a Python loop, over its contractions alone.
    """
    parts = (_SPLIT if "_" in lowered else _NO_UNDERSCORE_SPLIT).split(lowered)
    words = parts[1::2]
    offsets = list(accumulate(map(len, parts)))
    starts = offsets[0:-1:2]
    ends = offsets[1::2]
    expand = lexicon.EXPAND
    if expand.keys().isdisjoint(words):
        return words, starts, ends
    # Each contraction's parts share its offsets; spliced in from the end, so that the
    # indexes still to do are not moved.
    for i in reversed(list(compress(range(len(words)), map(expand.__contains__, words)))):
        expanded = expand[words[i]]
        words[i : i + 1] = expanded
        starts[i : i + 1] = [starts[i]] * len(expanded)
        ends[i : i + 1] = [ends[i]] * len(expanded)
    return words, starts, ends


def words_of(text: str) -> list[str]:
    """The tokens of a message's first ``MAX_CHARS`` characters, without offsets."""
    return tokens(lower(text[:MAX_CHARS]))[0]
