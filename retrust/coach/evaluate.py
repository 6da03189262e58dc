"""Score the coach on its labelled corpus: per-label and macro F1, and a VADER baseline.

Run: ``python -m retrust.coach.evaluate`` (``make eval-coach``); ``--split NAME`` adds that
split's per-label table, ``--mistakes NAME`` lists its wrong messages. Pure Python; VADER
(``vaderSentiment``, a dev dependency) is optional and only used for the baseline.

Each split is reported twice "today" (the rules alone, and the rules with the learned layer,
``model``), beside its first score, taken once when the split was new and recorded in
``data/first_scores.json`` (never revised). ``SPLITS`` says what each split was used for; the
learned layer is trained on ``TRAINING`` only. Harsh = any label of ``HARSH``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrust.coach.analyser import analyse
from retrust.coach.lexicon import HARSH, LABELS

DATA = Path(__file__).with_name("data")
SPLITS: dict[str, str] = {
    "dev": "rules tuned here; trains the layer",
    "heldout": "written before the rules; trains the layer",
    "fresh": "scored once, then used to broaden the rules; trains the layer",
    "fresh2": "written before that broadening; trains the layer",
    "train2": "written to train the layer (issue 17)",
    "fresh3": "text-speak; scored once, then added to the layer's training",
    "fresh4": "formal British; scored once, then added to the layer's training",
    "fresh5": "American texting, mixed; scored once, then added to the layer's training",
    "fresh6": "Gen-Z, slang, voice-to-text; scored once, then added to the layer's training",
    "fresh7": "a second author, many Englishes; scored once, then validated and trains the layer",
    "fresh8": "a third author, trust topics; scored once, then validated and trains the layer",
    "fresh9": "a fourth author, therapy-speak; scored once, then trains the layer",
    "train3": "polite, formal and therapy-speak look-alikes; written to train the layer",
    "train4": "everyday texting across ages and Englishes; written to train the layer",
    "train5": "contempt and defensiveness in disguise; written to train the layer",
    "fresh10": "a fifth author, more Englishes, older couples; scored once, then trains the layer",
    "train6": "sarcastic thanks, cold exits, mock apologies, code-switching; written to train",
    "train7": "harsh messages without trigger words, and their look-alikes; written to train",
    "train8": "kind labels in everyday words, harsh ones wearing kind words; written to train",
    "fresh11": "fresh: a sixth author, more Englishes and couples; never trained or tuned on",
    "fresh12": "fresh: a seventh author, learners' English, carers, over-65s; never trained on",
}
TRAINING = (
    "dev",
    "heldout",
    "fresh",
    "fresh2",
    "train2",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    # Joined for the fifth layer, after its first scores (a19f119) were recorded; before that
    # it validated the fifth layer's design (bench/select_coach.py, trained without it).
    "fresh7",
    # Joined for the sixth layer, after its first scores (ddfaecf) were recorded; before that
    # it validated the sixth layer's design with fresh7 (bench/select_coach6.py).
    "fresh8",
    # Joined for the seventh layer, after its first scores (e5722e0) were recorded, with three
    # splits written to train it by three more helper authors (bench/coach_more_data.py).
    "fresh9",
    "train3",
    "train4",
    "train5",
    # Joined for the eighth layer, after its first scores (48953b7) were recorded; the eighth
    # layer's rules were written from its misses (bench/select_coach8.py), with three splits
    # written to train it by three more helper authors.
    "fresh10",
    "train6",
    "train7",
    "train8",
)
"""The splits the learned layer is trained on; every later split is fresh."""
WRITTEN_TO_TRAIN = ("dev", "train2", "train3", "train4", "train5", "train6", "train7", "train8")
"""Splits written to tune the rules or to train the layer: never scored as fresh."""
VADER_NEGATIVE = -0.05
"""VADER's own convention: a compound score at or below -0.05 is "negative"."""


@dataclass(frozen=True)
class Example:
    split: str
    line: int
    text: str
    labels: frozenset[str]


def load(splits: Iterable[str] = tuple(SPLITS)) -> list[Example]:
    examples = []
    for split in splits:
        path = DATA / f"{split}.tsv"
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip() or raw.startswith("#"):
                continue
            tags, _, text = raw.partition("\t")
            labels = frozenset() if tags.strip() == "-" else frozenset(tags.strip().split(","))
            unknown = labels - set(LABELS)
            if unknown:
                raise ValueError(f"{path}:{number}: unknown labels {sorted(unknown)}")
            examples.append(Example(split, number, text.strip(), labels))
    return examples


def first_scores() -> list[dict[str, Any]]:
    """Every recorded first score (``data/first_scores.json``), oldest first."""
    data = json.loads((DATA / "first_scores.json").read_text(encoding="utf-8"))
    return list(data["scores"])


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    support: int


def score(pairs: Iterable[tuple[bool, bool]]) -> Score:
    """Precision, recall and F1 of predictions against gold (each a bool per example)."""
    tp = fp = fn = 0
    for gold, predicted in pairs:
        tp += gold and predicted
        fp += predicted and not gold
        fn += gold and not predicted
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, tp + fn)


def per_label(examples: list[Example], predictions: list[frozenset[str]]) -> dict[str, Score]:
    return {
        label: score(
            (label in example.labels, label in predicted)
            for example, predicted in zip(examples, predictions, strict=True)
        )
        for label in LABELS
    }


def macro_f1(scores: dict[str, Score]) -> float:
    return sum(s.f1 for s in scores.values()) / len(scores)


def harsh_score(examples: list[Example], is_harsh: Callable[[Example], bool]) -> Score:
    return score((bool(example.labels & HARSH), is_harsh(example)) for example in examples)


def predict(examples: list[Example], learned: bool) -> list[frozenset[str]]:
    return [frozenset(analyse(example.text, learned=learned).labels) for example in examples]


def quality(examples: list[Example], predictions: list[frozenset[str]]) -> tuple[float, float]:
    """(macro F1, harsh F1) of ``predictions``."""
    harsh = score(
        (bool(e.labels & HARSH), bool(p & HARSH))
        for e, p in zip(examples, predictions, strict=True)
    )
    return macro_f1(per_label(examples, predictions)), harsh.f1


def vader_judge() -> Callable[[str], bool] | None:
    try:
        from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
            SentimentIntensityAnalyzer,
        )
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()
    return lambda text: analyzer.polarity_scores(text)["compound"] <= VADER_NEGATIVE


def _pair(macro: float | None, harsh: float | None) -> str:
    def one(value: float | None) -> str:
        return "  -  " if value is None else f"{value:.3f}"

    return f"{one(macro)} / {one(harsh)}"


def summary() -> None:
    """One line per split: first scored, today without and with the layer, VADER."""
    judge = vader_judge()
    firsts: dict[str, list[dict[str, Any]]] = {}
    for entry in first_scores():
        firsts.setdefault(entry["split"], []).append(entry)
    print("macro F1 / harsh F1 of each split; 'first' = as first scored (data/first_scores.json)")
    print(
        f"{'split':<9}{'n':>5}  {'first, rules only':<17}  {'first, with layer':<17}  "
        f"{'today, rules only':<17}  {'today, with layer':<17}  {'VADER harsh':<11}  role"
    )
    for split, role in SPLITS.items():
        examples = load([split])
        rules = quality(examples, predict(examples, learned=False))
        layered = quality(examples, predict(examples, learned=True))
        first = {entry["layer"]: entry for entry in firsts.get(split, [])}
        cells = [
            _pair(first[layer]["macro_f1"], first[layer]["harsh_f1"]) if layer in first else ""
            for layer in (False, True)
        ]
        vader = "not installed"
        if judge is not None:
            vader = f"{harsh_score(examples, lambda e: judge(e.text)).f1:.3f}"
        print(
            f"{split:<9}{len(examples):>5}  {cells[0]:<17}  {cells[1]:<17}  "
            f"{_pair(*rules):<17}  {_pair(*layered):<17}  {vader:<11}  {role}"
        )


def report(examples: list[Example], title: str) -> None:
    """Per-label precision, recall and F1 of one split, the layer off and on."""
    print(f"\n{title}: {len(examples)} messages")
    head = f"{'rules only: P':>14}{'R':>6}{'F1':>6}{'with layer: P':>15}{'R':>6}{'F1':>6}"
    print(f"{'label':<16}{head}")
    off = per_label(examples, predict(examples, learned=False))
    on = per_label(examples, predict(examples, learned=True))
    for label in LABELS:
        a, b = off[label], on[label]
        print(
            f"{label:<16}{a.precision:>14.2f}{a.recall:>6.2f}{a.f1:>6.2f}"
            f"{b.precision:>15.2f}{b.recall:>6.2f}{b.f1:>6.2f}"
        )
    print(f"{'macro F1':<16}{macro_f1(off):>26.3f}{macro_f1(on):>27.3f}")


def mistakes(examples: list[Example], learned: bool) -> None:
    for example, predicted in zip(examples, predict(examples, learned), strict=True):
        if predicted != example.labels:
            missing = ",".join(sorted(example.labels - predicted)) or "-"
            extra = ",".join(sorted(predicted - example.labels)) or "-"
            where = f"{example.split}:{example.line}"
            print(f"{where}\tmissed {missing}\textra {extra}\t{example.text}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=list(SPLITS), help="per-label scores of a split")
    parser.add_argument("--mistakes", choices=list(SPLITS), help="list a split's wrong messages")
    parser.add_argument("--rules-only", action="store_true", help="--mistakes without the layer")
    args = parser.parse_args(argv)
    if args.mistakes:
        mistakes(load([args.mistakes]), learned=not args.rules_only)
        return
    summary()
    if args.split:
        report(load([args.split]), f"{args.split} ({SPLITS[args.split]})")


if __name__ == "__main__":
    main()
