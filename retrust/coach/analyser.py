"""The coach: reads one message and names the habits in it. Pure Python, no Django.

``analyse(text)`` returns the labels of ``lexicon.LABELS`` found in a message, each with the
character spans that triggered it and a one-sentence explanation, and, for a harsh message, a
gentle start-up scaffold (feeling / situation / need) built only from the message's own words
(see ``scaffold``).

How it works, and why it is fast: the message is lower-cased and split into word tokens once
(``tokens``: contractions expanded, punctuation kept as clause boundaries; the learned layer
reads the same tokens); every phrase pattern is
indexed by its first two tokens and then by its third, so each token costs one to three
dictionary look-ups and only a handful of patterns are ever tried. Time is linear in the
message length, and input beyond ``MAX_CHARS`` characters is not analysed (the result says
so), so any input returns quickly.
Nothing leaves the process: no network. The learned layer (``model``) reads its committed
weights (``data/model.json``) once per process and may add labels the rules missed; the
combination hook is the last line of ``analyse``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter
from typing import Any

from retrust.coach import lexicon, model
from retrust.coach.scaffold import Suggestion
from retrust.coach.scaffold import is_break_request as _break_request
from retrust.coach.scaffold import speaker_suggestion as _suggest
from retrust.coach.tokens import MAX_CHARS, lower, tokens
from retrust.coach.tokens import PUNCT as _PUNCT

_W, _GAP, _END = 0, 1, 2
_GAP_MAX = 3
_NEGATION_WINDOW = 5
_AFTER_SORRY_NOT_APOLOGY = frozenset({"you", "if", "but", "about", "to"})
_PRIVATE = ("_feeling", "_need", "_when")


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``start``..``end`` (end exclusive) of the message that triggered ``label``."""

    label: str
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Analysis:
    text: str
    language: str  # "en", or "unsupported" for text that is not English
    labels: tuple[str, ...] = ()
    spans: tuple[Span, ...] = ()
    suggestion: Suggestion | None = None
    truncated: bool = False
    explanations: dict[str, str] = field(default_factory=dict)

    @property
    def harsh(self) -> bool:
        return any(label in lexicon.HARSH for label in self.labels)

    @property
    def harsh_quoted(self) -> bool:
        """A harsh label with a phrase to point at. Only this stops a send for a second look:
        a label the learned layer adds has no phrase the writer could change, so it stays a
        hint (a listener's "You feel lonely when..." may read to it like criticism)."""
        return any(span.label in lexicon.HARSH for span in self.spans)

    def as_line(self) -> dict[str, Any]:
        """The compact JSON shape of the ``retrust coach`` command: one object per message."""
        line: dict[str, Any] = {
            "text": self.text,
            "language": self.language,
            "labels": list(self.labels),
            "spans": [[span.label, span.start, span.end] for span in self.spans],
            "suggestion": self.suggestion.text if self.suggestion else None,
        }
        if self.truncated:
            line["truncated"] = True
        return line

    def as_dict(self) -> dict[str, Any]:
        """The full JSON shape used by the API and the pages."""
        return {
            "text": self.text,
            "language": self.language,
            "labels": list(self.labels),
            "spans": [span.as_dict() for span in self.spans],
            "explanations": self.explanations,
            "suggestion": self.suggestion.text if self.suggestion else None,
            "scaffold": self.suggestion.as_dict() if self.suggestion else None,
            "truncated": self.truncated,
        }


# --- compiling the patterns ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    label: str
    flags: frozenset[str]
    elements: tuple[tuple[int, frozenset[str]], ...]
    at_clause_start: bool


def _element(token: str) -> tuple[int, frozenset[str]]:
    if token == "~":
        return (_GAP, frozenset())
    if token == "$":
        return (_END, frozenset())
    if token.startswith("@"):
        return (_W, lexicon.WORDS[token[1:]])
    return (_W, frozenset(token.split("|")))


def _variants(pattern: str) -> list[tuple[bool, list[tuple[int, frozenset[str]]]]]:
    """Every spelling of a pattern with its optional elements in or out."""
    parts = pattern.split()
    at_start = parts[0] == "^"
    if at_start:
        parts = parts[1:]
    choices: list[list[str | None]] = [
        [token[1:], None] if token.startswith("?") and len(token) > 1 else [token]
        for token in parts
    ]
    variants = []
    for combination in itertools.product(*choices):
        kept = [_element(token) for token in combination if token is not None]
        if kept and kept[0][0] == _W:
            variants.append((at_start, kept))
    return variants


_Compiled = tuple[
    str,
    frozenset[str],
    tuple[tuple[int, frozenset[str]], ...],
    bool,
    int,
    frozenset[str] | None,
    int,
]
"""A rule as ``_find`` reads it, unpacked in one step: label, flags, elements, at clause start,
how many elements the index has matched (1, 2 or 3), the words allowed next when the next
element is a word (else None: ``_match`` decides), and where ``_match`` takes over after it."""
_Entry = tuple[dict[str, tuple[_Compiled, ...]], tuple[_Compiled, ...]]
"""Rules by the next word, and the rules to try when the next word is none of those."""


def _compiled(rule: _Rule | _Compiled, skip: int) -> _Compiled:
    """``rule`` (or a compiled one, compiled again) as matched on its first ``skip`` elements."""
    if isinstance(rule, tuple):
        label, flags, elements, at_start = rule[:4]
    else:
        label, flags, elements, at_start = (
            rule.label,
            rule.flags,
            rule.elements,
            rule.at_clause_start,
        )
    head = elements[skip][1] if len(elements) > skip and elements[skip][0] == _W else None
    resume = skip + 1 if head is not None else skip
    return (label, flags, elements, at_start, skip, head, resume)


def _by_third(rules: tuple[_Compiled, ...]) -> _Entry:
    """``rules`` (all matched on two words or on one) split by the word after the two: for
    each word, the rules it lets through, in order, those it completes a third element of
    compiled as matched on three; and the rules that need no particular third word."""
    thirds: set[str] = set()
    for rule in rules:
        if rule[4] == 2 and rule[5] is not None:
            thirds |= rule[5]
    by_third = {}
    for third in thirds:
        kept = []
        for rule in rules:
            head = rule[5]
            if rule[4] == 2 and head is not None:
                if third in head:
                    kept.append(_compiled(rule, 3))
            else:
                kept.append(rule)
        by_third[third] = tuple(kept)
    anything = tuple(rule for rule in rules if rule[4] != 2 or rule[5] is None)
    return by_third, anything


def _build_index() -> dict[str, tuple[dict[str, _Entry], tuple[_Compiled, ...]]]:
    """Rules by first word: (rules by second word, then by third; rules for any second word).
    Each list already ends with the rules for any second word, in the order ``_find`` tries
    them (rules matched on more words first), so two or three look-ups give every rule to try."""
    paired: dict[str, dict[str, list[_Rule]]] = {}
    anywhere: dict[str, list[_Rule]] = {}
    sources: list[tuple[str, str, str]] = [
        (label, pattern, flags)
        for label, patterns in lexicon.PATTERNS.items()
        for pattern, flags in patterns
    ]
    sources += [("_feeling", pattern, "") for pattern in lexicon.FEELING_PATTERNS]
    sources += [("_need", pattern, "") for pattern in lexicon.NEED_PATTERNS]
    sources += [("_when", pattern, "") for pattern in lexicon.SITUATION_PATTERNS]
    for label, pattern, flags in sources:
        for at_start, elements in _variants(pattern):
            rule = _Rule(label, frozenset(flags.split()), tuple(elements), at_start)
            first = elements[0][1]
            two = len(elements) > 1 and elements[1][0] == _W
            for word in first:
                if two:
                    by_second = paired.setdefault(word, {})
                    for second in elements[1][1]:
                        by_second.setdefault(second, []).append(rule)
                else:
                    anywhere.setdefault(word, []).append(rule)
    index = {}
    for word in paired.keys() | anywhere.keys():
        rest = tuple(_compiled(rule, 1) for rule in anywhere.get(word, ()))
        then = {
            second: _by_third(tuple(_compiled(rule, 2) for rule in rules) + rest)
            for second, rules in paired.get(word, {}).items()
        }
        index[word] = (then, rest)
    return index


_INDEX = _build_index()


# --- language --------------------------------------------------------------------------------


def detect_language(words: list[str], ascii_only: bool = False) -> str:
    """``"en"``, or ``"unsupported"`` when the words look like another language.

    Non-Latin scripts are recognised by their characters; other Latin-script languages by a
    short list of their most common words outnumbering English ones.
    """
    if ascii_only and lexicon.FOREIGN.isdisjoint(words):
        return "en"  # the common case, decided without a Python-level loop over counts
    foreign = english = non_latin = letters = 0
    for word in words:
        if not word[0].isalpha():
            continue
        letters += 1
        if not word.isascii() and any(ch > "\u024f" for ch in word if ch.isalpha()):
            non_latin += 1
        elif word in lexicon.FOREIGN:
            foreign += 1
        elif word in lexicon.ENGLISH:
            english += 1
    if letters and non_latin * 2 > letters:
        return "unsupported"
    if foreign >= 2 and foreign > english:
        return "unsupported"
    return "en"


# --- matching ------------------------------------------------------------------------------


def _match(
    elements: tuple[tuple[int, frozenset[str]], ...], k: int, words: list[str], i: int
) -> int:
    """Token index just after a match of ``elements[k:]`` starting at token ``i``, or -1."""
    n = len(words)
    count = len(elements)
    while k < count:
        kind, allowed = elements[k]
        if kind == _W:
            if i < n and words[i] in allowed:
                i += 1
                k += 1
                continue
            return -1
        if kind == _END:
            if i == n or words[i] in _PUNCT:
                k += 1
                continue
            return -1
        for gap in range(_GAP_MAX + 1):  # _GAP: try the shortest gap first
            j = i + gap
            if j > n or (gap and words[j - 1] in _PUNCT):
                break
            end = _match(elements, k + 1, words, j)
            if end >= 0:
                return end
        return -1
    return i


def _negated(words: list[str], i: int) -> bool:
    for j in range(i - 1, max(-1, i - 1 - _NEGATION_WINDOW), -1):
        word = words[j]
        if word in _PUNCT:
            return False
        if word in lexicon.WORDS["NEGATION"]:
            return True
    return False


def _warm(words: list[str], end: int) -> bool:
    """True when the "always" / "never" ending at ``end`` introduces something warm."""
    n = len(words)
    if words[end - 1] == "never":
        if end < n and words[end] in lexicon.WORDS["NEVER_WARM"]:
            return True
        following = words[end : end + 3]
        return following == ["let", "me", "down"] or following[:2] == ["give", "up"]
    for j in range(end, min(n, end + 6)):
        if words[j] in _PUNCT:
            return False
        if words[j] in lexicon.WORDS["WARM_ALWAYS"]:
            return True
    return False


def _not_an_apology(words: list[str], end: int) -> bool:
    n = len(words)
    j = end
    while j < n and words[j] == ",":
        j += 1
    return j < n and words[j] in _AFTER_SORRY_NOT_APOLOGY


def _find(words: list[str]) -> list[tuple[str, int, int]]:
    """Every (label, first token, token after last) the patterns find, before clean-up."""
    found: list[tuple[str, int, int]] = []
    n = len(words)
    last = n - 1
    index = _INDEX
    punct = _PUNCT
    # Only the tokens some rule starts with are visited (chosen in C by ``compress``).
    for i in compress(range(n), map(index.__contains__, words)):
        by_second, rules = index[words[i]]
        if i < last:
            entry = by_second.get(words[i + 1])
            if entry is not None:
                by_third, rules = entry
                if i + 2 < n:
                    rules = by_third.get(words[i + 2], rules)
        for label, flags, elements, at_start, skip, head, resume in rules:
            if at_start and i and words[i - 1] not in punct:
                continue
            end = i + skip
            if head is not None:
                if end == n or words[end] not in head:
                    continue
                end += 1
            if resume < len(elements):
                end = _match(elements, resume, words, end)
                if end < 0:
                    continue
            if flags:
                if "negatable" in flags and _negated(words, i):
                    continue
                if "apology" in flags and _not_an_apology(words, end):
                    continue
                if "warm" in flags and _warm(words, end):
                    label = "appreciation"
            found.append((label, i, end))
    return found


# --- the entry point -----------------------------------------------------------------------

_SPAN_ORDER = attrgetter("start", "end", "label")


def _rules(text: str) -> tuple[Analysis, list[str]]:
    """What the rules alone find in one message, and its tokens (for the learned layer)."""
    text = text if isinstance(text, str) else str(text)
    truncated = len(text) > MAX_CHARS
    window = text[:MAX_CHARS]
    if not window or window.isspace():
        return Analysis(text=text, language="en", truncated=truncated), []
    lowered = lower(window)
    words, starts, ends = tokens(lowered)
    if not words:
        return Analysis(text=text, language="en", truncated=truncated), words
    if detect_language(words, lowered.isascii()) == "unsupported":
        return Analysis(text=text, language="unsupported", truncated=truncated), words

    found = _find(words)
    if not found:
        return Analysis(text=text, language="en", truncated=truncated), words
    harsh = lexicon.HARSH
    harsh_ranges = [(first, last) for label, first, last in found if label in harsh]
    kept: list[tuple[str, int, int]] = []
    spans: list[Span] = []
    feeling: tuple[int, int] | None = None
    need: tuple[int, int] | None = None
    whens: list[tuple[int, int]] = []
    for item in found:
        label, first, last = item
        if label[0] == "_":
            kept.append(item)
            if label == "_feeling":
                feeling = feeling or (first, last)
            elif label == "_need":
                if need is None and not _break_request(words, last):
                    need = (first, last)
            else:
                whens.append((first, last))
            continue
        # An antidote inside a harsh phrase ("I'm sorry you feel", "thanks for nothing") is
        # not an antidote.
        if (
            harsh_ranges
            and label not in harsh
            and any(first < h_last and h_first < last for h_first, h_last in harsh_ranges)
        ):
            continue
        kept.append(item)
        start, end = starts[first], ends[last - 1]
        spans.append(Span(label, start, end, window[start:end]))
    if feeling is not None:
        # The situation ("when ...") comes after the feeling it explains.
        when = next((w for w in whens if w[0] > feeling[0]), None)
        if need or when:
            for part in (feeling, need, when):
                if part is not None:
                    start, end = starts[part[0]], ends[part[1] - 1]
                    spans.append(Span("i_statement", start, end, window[start:end]))

    present = {span.label for span in spans}
    labels = tuple(filter(present.__contains__, lexicon.LABELS))
    if len(spans) > 1:
        spans.sort(key=_SPAN_ORDER)
    suggestion = None
    if harsh_ranges and not harsh.isdisjoint(present):
        suggestion = _suggest(window, words, starts, ends, kept)
    analysis = Analysis(
        text=text,
        language="en",
        labels=labels,
        spans=tuple(spans),
        suggestion=suggestion,
        truncated=truncated,
        explanations=lexicon.explanations(labels),
    )
    return analysis, words


def analyse(text: str, *, learned: bool = True) -> Analysis:
    """Label one message. Returns an ``Analysis``; never raises on any string.

    The rules find labels and their spans; then, with ``learned`` (the default, and what the
    pages and the API use), the learned layer may add labels the rules missed, without spans
    (``model.combine`` says how). ``learned=False`` gives the rules alone, for evaluation only.
    """
    analysis, words = _rules(text)
    return model.combine(analysis, words) if learned else analysis
