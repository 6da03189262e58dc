"""Train the coach's learned layer and export it to ``data/model.json`` (``make train-coach``).

Needs scikit-learn (a dev dependency); the product never imports this module. Trained on the
training splits only (``TRAINING``); the later fresh splits are never read here. Deterministic
on one machine: the same corpus and scikit-learn version give the same file, byte for byte; on
another CPU liblinear's BLAS sums move weights in the third to fifth decimal.

For each label, a logistic regression (liblinear, L2, ``C``) over the features of
``model.features``, kept when seen in at least ``model.MIN_DOCUMENTS`` training messages. The
threshold of each label is chosen by five-fold cross-validation on the same training messages:
the grid value that maximises the F1 of the combination (``model.merge``: the rules' labels,
plus the model's where its probability reaches the threshold) on the held-out folds.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrust.coach import lexicon, model
from retrust.coach.analyser import analyse
from retrust.coach.evaluate import TRAINING, Example, load, score
from retrust.coach.tokens import words_of

C = 30.0
FOLDS = 5
GRID = tuple(round(0.05 * i, 2) for i in range(2, 20)) + (0.99,)
DECIMALS = 6
_NONE: frozenset[str] = frozenset()


def known_words(examples: list[Example], design: Design | None = None) -> set[str]:
    """The words of at least ``model.MIN_DOCUMENTS`` messages: the model's word vocabulary."""
    vocabulary = (design or Design()).vocabulary
    counts: Counter[str] = Counter()
    for example in examples:
        counts.update(set(vocabulary(words_of(example.text))))
    return {word for word, n in counts.items() if n >= model.MIN_DOCUMENTS}


def vectors(
    examples: list[Example], known: set[str], design: Design | None = None
) -> list[dict[str, float]]:
    """Each message's features with their values (1/sqrt(count)), as ``model`` computes them."""
    featurise = (design or Design()).features
    rows = []
    for example in examples:
        found = featurise(words_of(example.text), known)
        value = 1.0 / len(found) ** 0.5 if found else 0.0
        rows.append(dict.fromkeys(found, value))
    return rows


def _int32(x: Any) -> Any:
    """liblinear takes sparse matrices with 32-bit indices only; DictVectorizer may give 64."""
    x = x.tocsr()
    x.indices = x.indices.astype("int32")
    x.indptr = x.indptr.astype("int32")
    return x


def _same(words: list[str]) -> list[str]:
    return words


@dataclass(frozen=True)
class Design:
    """How a candidate model is built: the committed design by default (``bench/select_coach.py``
    compares others; the product only ever reads ``model.features``)."""

    c: float = C
    balanced: bool = False
    features: Callable[[list[str], Container[str]], set[str]] = model.features
    vocabulary: Callable[[list[str]], list[str]] = _same


@dataclass(frozen=True)
class Fitted:
    vectorizer: Any
    classifiers: list[Any]
    known: set[str]
    design: Design = Design()


def fit(examples: list[Example], design: Design | None = None) -> Fitted:
    """A fitted ``DictVectorizer`` and one ``LogisticRegression`` per label."""
    from sklearn.feature_extraction import DictVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    design = design or Design()
    known = known_words(examples, design)
    rows = vectors(examples, known, design)
    counts = Counter(f for row in rows for f in row)
    kept = [{f: v for f, v in row.items() if counts[f] >= model.MIN_DOCUMENTS} for row in rows]
    vectorizer = DictVectorizer(sort=True)
    x = _int32(vectorizer.fit_transform(kept))
    classifiers = []
    for label in lexicon.LABELS:
        y = [int(label in example.labels) for example in examples]
        weight = "balanced" if design.balanced else None
        classifier = LogisticRegression(
            C=design.c, class_weight=weight, solver="liblinear", random_state=0
        )
        classifiers.append(classifier.fit(x, y))
    return Fitted(vectorizer, classifiers, known, design)


def probabilities(fitted: Fitted, examples: list[Example]) -> list[list[float]]:
    """scikit-learn's probability of each label for each example (for tests and thresholds)."""
    x = _int32(fitted.vectorizer.transform(vectors(examples, fitted.known, fitted.design)))
    columns = [c.predict_proba(x)[:, 1].tolist() for c in fitted.classifiers]
    return [list(row) for row in zip(*columns, strict=True)]


def thresholds(examples: list[Example]) -> tuple[list[float], list[float]]:
    """Each label's threshold and overrule, chosen on cross-validated probabilities: the
    threshold that maximises the label's F1 of the combination (``model.merge``), then, with
    that threshold, a harsh label's overrule (a grid value at or above it, or 1 for never)
    that does; a kind label's overrule is 1 (``merge`` lets none cross)."""
    from sklearn.model_selection import KFold  # type: ignore[import-untyped]

    held_out: list[list[float]] = [[] for _ in examples]
    for train_index, test_index in KFold(FOLDS, shuffle=True, random_state=0).split(examples):
        fitted = fit([examples[i] for i in train_index])
        rows = probabilities(fitted, [examples[i] for i in test_index])
        for i, row in zip(test_index, rows, strict=True):
            held_out[i] = row
    rules = [frozenset(analyse(example.text, learned=False).labels) for example in examples]
    chosen, overrules = [], []
    for k, label in enumerate(lexicon.LABELS):
        only = frozenset({label})

        def f1(
            t: float, u: float = 1.0, k: int = k, label: str = label, only: frozenset[str] = only
        ) -> float:
            return score(
                (
                    label in ex.labels,
                    label
                    in model.merge(
                        found,
                        only if p[k] >= t else _NONE,
                        only if u < 1.0 and p[k] >= u else _NONE,
                    ),
                )
                for ex, found, p in zip(examples, rules, held_out, strict=True)
            ).f1

        # On a tie, the higher value (fewer labels from the model alone).
        t = max(GRID, key=lambda t: (f1(t), t))
        chosen.append(t)
        candidates = [u for u in GRID if u >= t and label in lexicon.HARSH] + [1.0]
        overrules.append(max(candidates, key=lambda u: (f1(t, u), u)))
    return chosen, overrules


def export(examples: list[Example]) -> dict[str, Any]:
    return to_data(fit(examples), *thresholds(examples))


def to_data(fitted: Fitted, chosen: list[float], overrules: list[float]) -> dict[str, Any]:
    """The plain data ``model.from_data`` reads: weights rounded to ``DECIMALS`` places."""
    classifiers = fitted.classifiers
    names = fitted.vectorizer.get_feature_names_out().tolist()
    columns = [c.coef_[0].tolist() for c in classifiers]
    weights = {
        name: [round(column[j], DECIMALS) for column in columns] for j, name in enumerate(names)
    }
    return {
        "format": model.FORMAT,
        "about": (
            "The coach's learned layer, written by make train-coach (retrust.coach.train) from "
            f"the splits {', '.join(TRAINING)}; evaluated by retrust.coach.model."
        ),
        "labels": list(lexicon.LABELS),
        "intercepts": [round(float(c.intercept_[0]), DECIMALS) for c in classifiers],
        "thresholds": chosen,
        "overrules": overrules,
        "weights": weights,
    }


def dumps(data: dict[str, Any]) -> str:
    """Deterministic JSON with one feature per line, so that a retrained model diffs readably."""

    def one(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = ["{"]
    lines += [f"{one(k)}: {one(v)}," for k, v in sorted(data.items()) if k != "weights"]
    weights = sorted(data["weights"].items())
    lines.append('"weights": {')
    lines += [f"{one(name)}: {one(row)}," for name, row in weights[:-1]]
    lines += [f"{one(name)}: {one(row)}" for name, row in weights[-1:]]
    lines += ["}", "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=model.MODEL_PATH)
    args = parser.parse_args(argv)
    examples = load(TRAINING)
    data = export(examples)
    args.out.write_text(dumps(data), encoding="utf-8")
    print(
        f"{args.out}: {len(data['weights'])} features, {len(examples)} training messages; "
        "threshold / overrule "
        + ", ".join(
            f"{label} {t} / {u}"
            for label, t, u in zip(
                data["labels"], data["thresholds"], data["overrules"], strict=True
            )
        )
    )


if __name__ == "__main__":
    main()
