"""Score the coach on its labelled corpus: per-label and macro F1, and a VADER baseline.

Run: ``python -m retrust.coach.evaluate`` (``make eval-coach``). Pure Python; VADER
(``vaderSentiment``, a dev dependency) is optional and only used for the baseline.

The corpus has three splits. The rules were tuned on ``data/dev.tsv`` only.
``data/heldout.tsv`` was written and committed before the first rule existed (one bug it
exposed was fixed; see docs/benchmarks.md). ``data/fresh.tsv`` was written after the rules
were frozen, in deliberately different wording, and scored once (macro F1 0.218); it was then
used to broaden the lexicon. ``data/fresh2.tsv`` was written just before that broadening; see
docs/benchmarks.md for why its score is not independent either.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from retrust.coach.analyser import analyse
from retrust.coach.lexicon import HARSH, LABELS

DATA = Path(__file__).with_name("data")
SPLITS = ("dev", "heldout", "fresh", "fresh2")
VADER_NEGATIVE = -0.05
"""VADER's own convention: a compound score at or below -0.05 is "negative"."""


@dataclass(frozen=True)
class Example:
    split: str
    line: int
    text: str
    labels: frozenset[str]


def load(splits: Iterable[str] = SPLITS) -> list[Example]:
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


def vader_judge() -> Callable[[str], bool] | None:
    try:
        from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
            SentimentIntensityAnalyzer,
        )
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()
    return lambda text: analyzer.polarity_scores(text)["compound"] <= VADER_NEGATIVE


def report(examples: list[Example], title: str) -> float:
    predictions = [frozenset(analyse(example.text).labels) for example in examples]
    scores = per_label(examples, predictions)
    print(f"\n{title}: {len(examples)} messages")
    print(f"{'label':<16}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
    for label, s in scores.items():
        print(f"{label:<16}{s.precision:>10.2f}{s.recall:>8.2f}{s.f1:>7.2f}{s.support:>9}")
    macro = macro_f1(scores)
    print(f"{'macro F1':<16}{'':>18}{macro:>7.3f}")
    coach = harsh_score(examples, lambda e: analyse(e.text).harsh)
    print(
        f"harsh / not harsh   coach: F1 {coach.f1:.3f} "
        f"(P {coach.precision:.2f}, R {coach.recall:.2f})"
    )
    judge = vader_judge()
    if judge is None:
        print("harsh / not harsh   VADER: not installed (pip install vaderSentiment)")
    else:
        vader = harsh_score(examples, lambda e: judge(e.text))
        print(
            f"harsh / not harsh   VADER: F1 {vader.f1:.3f} "
            f"(P {vader.precision:.2f}, R {vader.recall:.2f}; compound <= {VADER_NEGATIVE})"
        )
    return macro


def mistakes(examples: list[Example]) -> None:
    for example in examples:
        predicted = frozenset(analyse(example.text).labels)
        if predicted != example.labels:
            missing = ",".join(sorted(example.labels - predicted)) or "-"
            extra = ",".join(sorted(predicted - example.labels)) or "-"
            where = f"{example.split}:{example.line}"
            print(f"{where}\tmissed {missing}\textra {extra}\t{example.text}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mistakes", choices=SPLITS, help="list the wrong messages of a split")
    args = parser.parse_args(argv)
    if args.mistakes:
        mistakes(load([args.mistakes]))
        return
    report(load(["dev"]), "Development split (rules tuned here)")
    report(load(["heldout"]), "Held-out split (written before the rules)")
    report(load(["fresh"]), "Fresh split (scored once at 0.218, then used to broaden the lexicon)")
    report(load(["fresh2"]), "Second fresh split (written before the broadening)")
    report(load(), "Whole corpus")


if __name__ == "__main__":
    main()
