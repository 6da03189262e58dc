"""The coach's learned layer: a linear model over word and character n-grams. Pure Python.

The rules in ``analyser`` know the phrasings in their lexicon and little else; on messages
worded differently (text-speak, typos, dry British sarcasm) they miss most habits. This layer
is a one-vs-rest logistic regression, trained offline with scikit-learn by ``make train-coach``
(``retrust.coach.train``) and exported as plain data to ``data/model.json``; this module
evaluates it with the standard library only. The file is read once per process (``default``).

Features (``features``; training calls the same function, so both sides agree): the tokens
the rules read (``tokens.words_of``: the first ``MAX_CHARS`` characters, lower-cased, words,
clause punctuation and emoji, contractions expanded), so a message is cut up once for both;
then every token, every pair of neighbouring tokens (with ``<s>`` and ``</s>`` at the ends),
and, for each token outside the model's vocabulary only (a typo, text-speak, a rare word), its
``CHAR_SIZE``-character slices padded with one space each side and marked ``#`` ("alwyas"
gives "# alw", "#alwy", ...). Each distinct feature has the value 1/sqrt(number of distinct
features), so every message's vector has length 1. The vocabulary is every feature seen in at
least ``MIN_DOCUMENTS`` training messages. Five-fold cross-validation on the training splits
chose this design (and ``train.C``) among a few: character n-grams of every word (sizes 3-5,
2-4 or 4) scored the same macro F1 within 0.005 (0.905 against 0.903) with several times the
features per message, and so the time. The third model read its own tokens (no punctuation
but "!" and "?", contractions whole); reading the rules' tokens instead scored the same
(macro F1 0.889 against 0.888, cross-validated on the training splits with fresh6) and saves
cutting the message up twice; dropping the word pairs would halve the features but cost 0.02
(0.868), so they stay. The fifth layer kept this design: a grid of 128 candidates (C, class
weights, character n-grams of every token, token normalisation, a shared threshold, the guard),
trained without fresh7 and compared on fresh7 (a second author) and by cross-validation
(``bench/select_coach.py``, docs/benchmarks.md), found nothing better by its declared rule;
every token's character 3- to 5-grams did best on fresh7 but cost harsh F1 in cross-validation
and four times the features per message.

Probability of a label: ``1 / (1 + exp(-(intercept + sum of the weights of the message's
features / sqrt(count))))``. Cost: linear in the message length; one dictionary look-up per
feature, and the nine labels' sums in one integer addition per feature (``_pack``).

How the coach combines it with the rules (``combine``, the last line of ``analyser.analyse``):
a label is reported when the rules find it, **or** when the model's probability reaches that
label's threshold and ``merge`` allows it: when the rules found only kind labels the model adds
no harsh one, and when they found only harsh labels it adds no kind one, unless a harsh
label's probability also reaches its overrule (the eighth layer: a sarcastic "thank you" that
the rules read as kind and the model as contempt with confidence; the rules' appreciation is
then dropped). The model removes no other label the rules found. The thresholds were chosen
by five-fold cross-validation on the training splits only (``evaluate.TRAINING``), each the
one that maximised that label's F1 of the combination on the held-out folds, and then each
harsh label's overrule the same way, at or above its threshold or 1 (never; every kind
label's is 1); ``bench/select_coach8.py`` checked the overrule on four authors the layer was
trained without (mean harsh F1 0.921 without it, 0.933 with it). A label found only by the
model has its explanation but no span (there is no phrase to quote) and adds no
start-up scaffold, which is built from the rules' harsh phrases only.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrust.coach import lexicon
from retrust.coach.tokens import words_of

if TYPE_CHECKING:
    from retrust.coach.analyser import Analysis

MODEL_PATH = Path(__file__).with_name("data") / "model.json"
FORMAT = "retrust-coach-linear-2"
CHAR_SIZE = 4
MIN_DOCUMENTS = 2
"""A feature is kept only if at least this many training messages have it."""


def features(words: list[str], known: Container[str]) -> set[str]:
    """The distinct n-gram features of a message's ``words`` (see the module docstring).

    ``known`` is the model's word vocabulary: only the words outside it are broken into
    character n-grams.
    """
    if not words:
        return set()
    found = set(words)
    unknown = [word for word in found if word not in known]
    bounded = ["<s>", *words, "</s>"]
    found.update(map(" ".join, zip(bounded, bounded[1:], strict=False)))
    for word in unknown:
        found.update(_grams(word))
    return found


def _grams(word: str) -> list[str]:
    """The character n-gram features of a word outside the vocabulary."""
    padded = f" {word} "
    size = CHAR_SIZE
    return [f"#{padded[i : i + size]}" for i in range(len(padded) - size + 1)]


UNITS = 1_000_000
"""Weights are exported rounded to six decimals, so each is a whole number of millionths."""
_LANE = 64
_BIAS = 1 << 40
"""Added to every lane of every packed row so that lanes never go negative (see ``_pack``)."""
MAX_WEIGHT = 1_000_000
"""Refused by the loader: a weight this large (in millionths, near ``_BIAS``) breaks packing."""


def _pack(row: tuple[float, ...]) -> int:
    """One feature's weights as one integer: label k's weight, in millionths plus ``_BIAS``,
    in bits ``64k .. 64k+63``. Adding packed rows adds every label's weights at once, exactly,
    in one C-level integer addition; a sum of n rows holds n * ``_BIAS`` extra in each lane.
    Weights stay far below 2**40 millionths and messages below 2**23 features, so a lane never
    overflows into the next."""
    lanes = [round(weight * UNITS) + _BIAS for weight in row]
    return int.from_bytes(struct.pack(f"<{len(lanes)}Q", *lanes), "little")


@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]
    intercepts: tuple[float, ...]
    thresholds: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    overrules: tuple[float, ...] = ()
    """Per label, the probability at which the label is reported across ``merge``'s guard;
    1 (or none given) means never."""
    packed: dict[str, int] = field(init=False, repr=False, compare=False)
    cutoffs: tuple[float, ...] = field(init=False, repr=False, compare=False)
    strong: tuple[float, ...] = field(init=False, repr=False, compare=False)
    width: int = field(init=False, repr=False, compare=False)
    unpack: Any = field(init=False, repr=False, compare=False)
    tables: _Tables = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "packed", {f: _pack(row) for f, row in self.weights.items()})
        # probability >= t  <=>  log-odds >= log(t / (1 - t)): no exp() per message.
        cutoffs = tuple(math.log(t / (1.0 - t)) for t in self.thresholds)
        object.__setattr__(self, "cutoffs", cutoffs)
        overrules = self.overrules or (1.0,) * len(self.labels)
        strong = tuple(math.log(u / (1.0 - u)) if u < 1.0 else math.inf for u in overrules)
        object.__setattr__(self, "strong", strong)
        # A sum of packed rows, as bytes, read back lane by lane (little-endian 64-bit words);
        # the count lane above the labels' lanes is skipped (``_Tables``).
        object.__setattr__(self, "width", _LANE // 8 * (len(self.labels) + 1))
        object.__setattr__(self, "unpack", struct.Struct(f"<{len(self.labels)}Q8x").unpack)
        object.__setattr__(self, "tables", _Tables(self.packed, len(self.labels)))

    def scores(self, words: list[str]) -> tuple[float, ...]:
        """The linear score (log-odds) of each label, in ``labels`` order, for a message's
        tokens (``words_of``)."""
        summed = self._summed(words)
        if summed is None:
            return self.intercepts
        lanes, extra, scale = summed
        return tuple(
            [b + scale * (lane - extra) for b, lane in zip(self.intercepts, lanes, strict=True)]
        )

    def _summed(self, words: list[str]) -> tuple[tuple[int, ...], int, float] | None:
        """The packed sum of the message's feature rows, read back lane by lane, with what
        to take off each lane and the scale: label k's score is ``intercepts[k] + scale *
        (lanes[k] - extra)``. None when the model knows none of the message's features.

        The same sum as over ``features(words, self.packed)``, without building the feature
        strings: the three kinds of feature never share a string (a pair has a space, a slice
        starts with "#", a token has neither), so each kind is looked up by its own key
        (``_Tables``) and the distinct count is the sum of the three kinds' distinct counts.
        """
        if not words:
            return None
        tables = self.tables
        found = set(words)
        bounded = ["<s>", *words, "</s>"]
        pairs: Iterable[tuple[str, str]] = zip(bounded, bounded[1:], strict=False)
        if len(found) == len(words):
            count = len(found) + len(words) + 1  # no token twice, so no pair twice either
        else:
            pairs = set(pairs)
            count = len(found) + len(pairs)
        keys: Iterable[str | tuple[str, str]] = chain(found, pairs)
        # A packed row is never 0, so filter(None) drops the misses.
        total = sum(filter(None, map(tables.tokens.get, keys)))
        unknown = found - tables.vocabulary
        if unknown:
            grams = set().union(*map(_slices, unknown))
            total += sum(filter(None, map(tables.grams.get, grams)))
            count += len(grams)
        if not total:
            return None
        extra = (total >> tables.count_shift) * _BIAS
        scale = 1.0 / (math.sqrt(count) * UNITS)
        return self.unpack(total.to_bytes(self.width, "little")), extra, scale

    def probabilities(self, words: list[str]) -> dict[str, float]:
        pairs = zip(self.labels, self.scores(words), strict=True)
        return {label: _sigmoid(z) for label, z in pairs}

    def predict(self, words: list[str]) -> frozenset[str]:
        """The labels whose probability reaches their threshold."""
        return self.verdict(words)[0]

    def verdict(self, words: list[str]) -> tuple[frozenset[str], frozenset[str]]:
        """The labels whose probability reaches their threshold, and those of them that also
        reach their overrule (each score computed as ``scores`` does, without building the
        tuple of scores)."""
        summed = self._summed(words)
        if summed is None:
            z = self.intercepts
        else:
            lanes, extra, scale = summed
            pairs = zip(self.intercepts, lanes, strict=True)
            z = tuple([b + scale * (lane - extra) for b, lane in pairs])
        rows = zip(self.labels, z, self.cutoffs, self.strong, strict=True)
        found = [(label, score >= strong) for label, score, cut, strong in rows if score >= cut]
        return (
            frozenset([label for label, _ in found]),
            frozenset([label for label, past in found if past]),
        )


class _Tables:
    """The packed rows keyed as ``Model.scores`` meets them: tokens by themselves and
    neighbour pairs by a (token, token) tuple (no joined string to build and hash), in one
    table; character slices, without their "#", in another. Each row carries one more lane
    above the labels' holding 1, so a sum of rows counts itself (how many ``_BIAS`` to take off
    each lane)."""

    __slots__ = ("count_shift", "grams", "tokens", "vocabulary")

    def __init__(self, packed: dict[str, int], width: int) -> None:
        self.count_shift = _LANE * width
        one = 1 << self.count_shift
        # Tokens and pairs in one table: a str key never equals a tuple key.
        self.tokens: dict[str | tuple[str, str], int] = {}
        self.grams: dict[str, int] = {}
        words = []
        for feature, row in packed.items():
            if feature.startswith("#"):
                self.grams[feature[1:]] = row | one
            elif " " in feature:
                first, _, second = feature.partition(" ")
                self.tokens[(first, second)] = row | one
            else:
                self.tokens[feature] = row | one
                words.append(feature)
        # Every feature string counts as a known word in ``features``; only tokens can match.
        self.vocabulary = frozenset(words)


@lru_cache(maxsize=8192)
def _slices(word: str) -> frozenset[str]:
    """A word's ``CHAR_SIZE``-character slices, padded, without the "#" of ``_grams``; kept
    for the most recent words (a typo or text-speak word recurs across messages)."""
    padded = f" {word} "
    size = CHAR_SIZE
    return frozenset([padded[i : i + size] for i in range(len(padded) - size + 1)])


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class ModelFileError(ValueError):
    """``model.json`` is missing a part or has one of the wrong shape."""


def from_data(data: dict[str, Any]) -> Model:
    """Validate the exported data and build a ``Model``; raises ``ModelFileError``."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ModelFileError(f"not a {FORMAT} model")
    labels = tuple(data.get("labels") or ())
    if set(labels) != set(lexicon.LABELS) or len(labels) != len(lexicon.LABELS):
        raise ModelFileError("the model's labels are not the coach's labels")
    width = len(labels)
    intercepts = _numbers(data.get("intercepts"), width, "intercepts")
    thresholds = _numbers(data.get("thresholds"), width, "thresholds")
    if not all(0.0 < t < 1.0 for t in thresholds):
        raise ModelFileError("thresholds must lie strictly between 0 and 1")
    overrules = _numbers(data.get("overrules"), width, "overrules")
    if not all(t <= u <= 1.0 for t, u in zip(thresholds, overrules, strict=True)):
        raise ModelFileError("each overrule must lie between its threshold and 1")
    raw = data.get("weights")
    if not isinstance(raw, dict) or not raw:
        raise ModelFileError("weights must be a non-empty object")
    weights = {str(f): _numbers(row, width, f"weights[{f!r}]") for f, row in raw.items()}
    if max(map(abs, chain.from_iterable(weights.values()))) >= MAX_WEIGHT:
        raise ModelFileError(f"a weight of {MAX_WEIGHT:,} or more would overflow its lane")
    return Model(labels, intercepts, thresholds, weights, overrules)


def _numbers(value: Any, width: int, what: str) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != width:
        raise ModelFileError(f"{what} must be a list of {width} numbers")
    if not (all(map(isinstance, value, repeat(int | float))) and all(map(math.isfinite, value))):
        raise ModelFileError(f"{what} must hold finite numbers")
    return tuple(map(float, value))


def load(path: Path = MODEL_PATH) -> Model:
    return from_data(json.loads(path.read_text(encoding="utf-8")))


_loaded: Model | None = None


def default() -> Model:
    """The committed model, read once per process on first use."""
    global _loaded
    if _loaded is None:
        _loaded = load()
    return _loaded


def combine(
    analysis: Analysis, words: list[str] | None = None, model: Model | None = None
) -> Analysis:
    """The rules' ``analysis`` with the labels the model adds (see the module docstring).
    ``words`` are the message's tokens, as the rules read them (cut up again when omitted)."""
    if words is None:
        words = words_of(analysis.text)
    if analysis.language != "en" or not words:
        return analysis
    predicted, strong = (model or _loaded or default()).verdict(words)
    rules = frozenset(analysis.labels)
    if predicted <= rules:  # the common case: nothing to add, whatever ``merge`` allows
        return analysis
    found = merge(rules, predicted, strong)
    if found == rules:
        return analysis
    labels = _ordered(found)
    spans = analysis.spans
    if not rules <= found:  # a label the rules found was dropped: so are its spans
        spans = tuple([span for span in spans if span.label in found])
    return type(analysis)(  # a new Analysis (``replace`` is slower)
        text=analysis.text,
        language=analysis.language,
        labels=labels,
        spans=spans,
        suggestion=analysis.suggestion,
        truncated=analysis.truncated,
        explanations=lexicon.explanations(labels),
    )


def merge(
    rules: frozenset[str], model: frozenset[str], strong: frozenset[str] = frozenset()
) -> frozenset[str]:
    """The labels reported: the rules' labels, plus the model's of the same kind, plus the
    model's ``strong`` ones (those reaching their overrule) of either kind.

    When the rules found only kind labels, the model adds no harsh one ("you always make me
    laugh" is warm because the rules read what follows "always"), and when they found only
    harsh labels, the model adds no kind one. When the rules found nothing, or both kinds, the
    model adds any label. Chosen by cross-validation on the training splits (macro F1 0.910
    with this guard, 0.903 without; harsh F1 0.908 against 0.894).

    Since the eighth layer, a harsh label in ``strong`` (its probability reached its overrule)
    crosses the guard into a reading the rules found only kind: sarcastic thanks ("thank you
    for your thoughtful contribution of silence") read as kind by the rules and as contempt by
    the model with confidence. When contempt crosses so, the rules' appreciation is dropped:
    the thanks was the sarcasm, and telling the writer it "builds goodwill" beside a contempt
    hint would contradict it. No kind label crosses the other way ("thanks for nothing" stays
    contempt alone).
    """
    if rules:
        harsh = lexicon.HARSH
        if rules.isdisjoint(harsh):
            crossing = strong & harsh
            model = (model - harsh) | crossing
            if "contempt" in crossing:  # the thanks the rules read was the sarcasm
                return (rules | model) - _SARCASTIC
        elif rules <= harsh:
            model = model & harsh
    return rules | model


_SARCASTIC = frozenset({"appreciation"})


def _ordered(labels: Iterable[str]) -> tuple[str, ...]:
    return tuple(filter(frozenset(labels).__contains__, lexicon.LABELS))
