"""Choose the coach's fifth learned layer: a small grid, declared here before any result was seen.

Run: ``.venv/bin/python bench/select_coach.py`` (needs scikit-learn; a few minutes on 2 cores).

Every candidate is trained on the first author's splits only (``TRAINING_FIRST``: the fourth
layer's training tuple, fresh7 left out) and compared two ways:

* **fresh7** (261 messages by a second author, first-scored at ``a19f119``, so usable as a
  validation split now): macro F1 and harsh F1 of the combination with the rules, the model
  trained on all of ``TRAINING_FIRST`` with thresholds chosen by cross-validation on it;
* **five-fold cross-validation** on ``TRAINING_FIRST`` (the same folds as ``train.thresholds``):
  macro F1 and harsh F1 of the combination on the held-out folds. The thresholds are chosen on
  those same held-out probabilities, so these numbers are a little optimistic, equally for
  every candidate; they are there so that nothing is bought on fresh7 at the cost of the rest.

The grid (every combination, 4 x 2 x 2 x 2 fits, each scored under 2 x 2 combination rules):

* ``C``: 3, 10, 30 (the fourth layer), 100;
* class weights: none (the fourth layer), or ``"balanced"``;
* character n-grams: 4-grams of the tokens outside the vocabulary only (the fourth layer), or
  3- to 5-grams of every token, each padded with a space either side (word boundaries);
* token normalisation for the model's features only (the rules read what they read now):
  none (the fourth layer), or ``normal``: letters repeated three or more times squeezed to two
  ("sooo" -> "soo"), apostrophes dropped, and ``TEXT_SPEAK`` (written from general knowledge
  of texting, before looking at any fresh7 message);
* thresholds: one per label, each maximising its label's F1 of the combination on the
  held-out folds (the fourth layer), or one shared threshold maximising macro F1 there;
* the guard of ``model.merge`` (the model adds no harsh label to a message the rules read as
  only kind, and no kind label to one they read as only harsh): on (the fourth layer) or off.

The rule for choosing, declared with the grid: the candidate with the highest mean of fresh7
macro F1 and fresh7 harsh F1, among those whose cross-validated macro F1 and harsh F1 are each
no more than 0.01 below the fourth layer's design; candidates within 0.01 of the best on that
mean count as tied, and a tie goes to the one with the fewest changes from the fourth layer
(then the cheaper features, then the higher cross-validated mean). The chosen design is then
trained on every training split plus fresh7 by ``make train-coach``.
"""

from __future__ import annotations

import itertools
import re
import sys
import time
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrust.coach import lexicon, model, train  # noqa: E402
from retrust.coach.analyser import analyse  # noqa: E402
from retrust.coach.evaluate import TRAINING, Example, load, quality  # noqa: E402
from retrust.coach.tokens import words_of  # noqa: E402

VALIDATION = "fresh7"
TRAINING_FIRST = tuple(split for split in TRAINING if split != VALIDATION)
"""The fourth layer's training splits: the first author's."""
_NONE: frozenset[str] = frozenset()

TEXT_SPEAK = {
    "abt": "about",
    "b4": "before",
    "bc": "because",
    "bcoz": "because",
    "bcz": "because",
    "cos": "because",
    "coz": "because",
    "cuz": "because",
    "da": "the",
    "dat": "that",
    "dem": "them",
    "dis": "this",
    "gd": "good",
    "gonna": "going",
    "gud": "good",
    "luv": "love",
    "msg": "message",
    "n": "and",
    "nd": "and",
    "nite": "night",
    "pls": "please",
    "plz": "please",
    "ppl": "people",
    "r": "are",
    "rly": "really",
    "sry": "sorry",
    "srsly": "seriously",
    "thx": "thanks",
    "tho": "though",
    "tmrw": "tomorrow",
    "tnx": "thanks",
    "txt": "text",
    "wat": "what",
    "wen": "when",
    "wid": "with",
    "wiv": "with",
    "wot": "what",
    "y": "why",
    "ya": "you",
    "yr": "your",
}
"""Texting spellings and their standard words, for the model's features only (the rules'
``lexicon.EXPAND`` already turns "u", "ur", "dont" and the like into words)."""

_REPEATS = re.compile(r"(.)\1{2,}")


def normal(words: list[str]) -> list[str]:
    """Tokens with long letter runs squeezed, apostrophes dropped and texting spellings mapped."""
    out = []
    for word in words:
        word = _REPEATS.sub(r"\1\1", word).replace("'", "") or word
        out.append(TEXT_SPEAK.get(word, word))
    return out


def all_grams(words: list[str], known: Container[str]) -> set[str]:
    """Words, word pairs, and the 3- to 5-character slices of every word, space-padded."""
    if not words:
        return set()
    found = set(words)
    bounded = ["<s>", *words, "</s>"]
    found.update(map(" ".join, zip(bounded, bounded[1:], strict=False)))
    for word in set(words):
        padded = f" {word} "
        for size in (3, 4, 5):
            found.update(f"#{padded[i : i + size]}" for i in range(len(padded) - size + 1))
    return found


def with_normal(featurise):  # type: ignore[no-untyped-def]
    return lambda words, known: featurise(normal(words), known)


@dataclass(frozen=True)
class Fit:
    c: float
    balanced: bool
    grams: str  # "oov4" or "all3-5"
    normalised: bool

    def design(self) -> train.Design:
        featurise = model.features if self.grams == "oov4" else all_grams
        if self.normalised:
            return train.Design(self.c, self.balanced, with_normal(featurise), normal)
        return train.Design(self.c, self.balanced, featurise)

    def changes(self) -> int:
        return (self.c != 30.0) + self.balanced + (self.grams != "oov4") + self.normalised


def held_out(examples: list[Example], design: train.Design) -> list[list[float]]:
    from sklearn.model_selection import KFold  # type: ignore[import-untyped]

    rows: list[list[float]] = [[] for _ in examples]
    for train_index, test_index in KFold(train.FOLDS, shuffle=True, random_state=0).split(examples):
        fitted = train.fit([examples[i] for i in train_index], design)
        found = train.probabilities(fitted, [examples[i] for i in test_index])
        for i, row in zip(test_index, found, strict=True):
            rows[i] = row
    return rows


@dataclass(frozen=True)
class Rules:
    labels: list[frozenset[str]]
    open: list[bool]  # English and not blank: the model may add labels


def rules_of(examples: list[Example]) -> Rules:
    analyses = [analyse(e.text, learned=False) for e in examples]
    return Rules(
        [frozenset(a.labels) for a in analyses],
        [
            a.language == "en" and bool(words_of(e.text))
            for a, e in zip(analyses, examples, strict=True)
        ],
    )


def combined(
    rules: Rules, probs: list[list[float]], cut: list[float], guard: bool
) -> list[frozenset[str]]:
    out = []
    for found, open_, row in zip(rules.labels, rules.open, probs, strict=True):
        if not open_:
            out.append(found)
            continue
        chosen = frozenset(n for n, p, t in zip(lexicon.LABELS, row, cut, strict=True) if p >= t)
        out.append(model.merge(found, chosen) if guard else found | chosen)
    return out


def pick_thresholds(
    examples: list[Example], rules: Rules, probs: list[list[float]], shared: bool, guard: bool
) -> list[float]:
    if shared:
        return [
            max(
                train.GRID,
                key=lambda t: (
                    quality(examples, combined(rules, probs, [t] * len(lexicon.LABELS), guard))[0],
                    t,
                ),
            )
        ] * len(lexicon.LABELS)
    chosen = []
    for k, label in enumerate(lexicon.LABELS):

        def f1(t: float, k: int = k, label: str = label) -> float:
            cut = [2.0] * len(lexicon.LABELS)
            cut[k] = t
            return train.score(
                (label in e.labels, label in p)
                for e, p in zip(examples, combined(rules, probs, cut, guard), strict=True)
            ).f1

        chosen.append(max(train.GRID, key=lambda t: (f1(t), t)))
    return chosen


def per_message_features(examples: list[Example], design: train.Design) -> float:
    known = train.known_words(examples, design)
    return sum(len(design.features(words_of(e.text), known)) for e in examples) / len(examples)


def main() -> None:
    training = load(TRAINING_FIRST)
    validation = load([VALIDATION])
    rules_t, rules_v = rules_of(training), rules_of(validation)
    print(f"training {len(training)}, {VALIDATION} {len(validation)}", flush=True)
    fits = [
        Fit(c, balanced, grams, normalised)
        for grams, normalised, balanced, c in itertools.product(
            ("oov4", "all3-5"), (False, True), (False, True), (3.0, 10.0, 30.0, 100.0)
        )
    ]
    print(
        "C\tbalanced\tgrams\tnormal\tthresholds\tguard\tf7_macro\tf7_harsh\tcv_macro\tcv_harsh"
        "\tfeatures\tper_msg\tchanges\tseconds",
        flush=True,
    )
    for fit in fits:
        start = time.perf_counter()
        design = fit.design()
        probs_t = held_out(training, design)
        fitted = train.fit(training, design)
        probs_v = train.probabilities(fitted, validation)
        size = len(fitted.vectorizer.get_feature_names_out())
        per_msg = per_message_features(training, design)
        seconds = time.perf_counter() - start
        for shared, guard in itertools.product((False, True), (True, False)):
            cut = pick_thresholds(training, rules_t, probs_t, shared, guard)
            cv = quality(training, combined(rules_t, probs_t, cut, guard))
            f7 = quality(validation, combined(rules_v, probs_v, cut, guard))
            changes = fit.changes() + shared + (not guard)
            print(
                f"{fit.c:g}\t{fit.balanced}\t{fit.grams}\t{fit.normalised}\t"
                f"{'shared' if shared else 'per-label'}\t{guard}\t"
                f"{f7[0]:.3f}\t{f7[1]:.3f}\t{cv[0]:.3f}\t{cv[1]:.3f}\t{size}\t{per_msg:.1f}\t"
                f"{changes}\t{seconds:.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
