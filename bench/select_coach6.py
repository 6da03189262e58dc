"""Choose the coach's sixth learned layer, validated on two other authors; declared first.

Run: ``.venv/bin/python bench/select_coach6.py`` (needs scikit-learn; a few minutes on 2 cores).
It reuses ``bench/select_coach.py`` (the fifth layer's selection) for the features, fitting and
combination rules; only the validation scheme, the smaller grid and the rule are new.

Validation is leave-one-other-author-out, so that the choice is for an author not yet seen:

* (a) train on the first author's splits plus fresh7, score fresh8 (third author);
* (b) train on the first author's splits plus fresh8, score fresh7 (second author).

Each is the combination with the rules, thresholds chosen by cross-validation on that fold's
training splits. The criterion is the mean of the four numbers: fresh8 macro and harsh F1 from
(a), fresh7 macro and harsh F1 from (b). The CV guard, as before: five-fold cross-validation on
the fifth layer's training splits (first author plus fresh7); a candidate more than 0.01 below
the baseline's cross-validated macro F1 or harsh F1 is excluded.

The grid (2 x 2 x 2 fits, each under 2 x 2 combination rules; 32 candidates):

* character n-grams: 4-grams of the tokens outside the vocabulary (the fifth layer), or 3- to
  5-grams of every token;
* ``C``: 30 (the fifth layer) or 100;
* class weights: none (the fifth layer) or ``"balanced"``;
* thresholds: one per label (the fifth layer) or one shared;
* the kind/harsh guard of ``model.merge``: on (the fifth layer) or off.

No token normalisation (it helped nowhere in the fifth layer's grid).

The rule, declared with the grid: the highest criterion among candidates within the CV guard;
candidates within 0.01 of the best count as tied, and a tie goes to the fewest changes from the
fifth layer (then the fewer features per message, then the higher criterion). Cost: a candidate
that builds more than twice the baseline's features per message (``per_msg``, averaged over the
fifth layer's training messages) may be chosen only if its criterion beats the baseline's by
more than 0.02; otherwise it is excluded.
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrust.coach import train  # noqa: E402
from retrust.coach.evaluate import TRAINING, load, quality  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from select_coach import (  # noqa: E402
    Fit,
    combined,
    held_out,
    per_message_features,
    pick_thresholds,
    rules_of,
)

OTHERS = ("fresh7", "fresh8")
FIRST = tuple(split for split in TRAINING if split not in OTHERS)
"""The first author's splits (the fourth layer's training tuple)."""


def main() -> None:
    first = load(FIRST)
    f7, f8 = load(["fresh7"]), load(["fresh8"])
    fold_a, fold_b = first + f7, first + f8  # fold_a is also the fifth layer's training set
    rules_a, rules_b = rules_of(fold_a), rules_of(fold_b)
    rules_7, rules_8 = rules_of(f7), rules_of(f8)
    print(f"first {len(first)}, fresh7 {len(f7)}, fresh8 {len(f8)}", flush=True)
    fits = [
        Fit(c, balanced, grams, False)
        for grams, balanced, c in itertools.product(
            ("oov4", "all3-5"), (False, True), (30.0, 100.0)
        )
    ]
    print(
        "C\tbalanced\tgrams\tthresholds\tguard\tf8_macro\tf8_harsh\tf7_macro\tf7_harsh"
        "\tcriterion\tcv_macro\tcv_harsh\tfeatures\tper_msg\tchanges\tseconds",
        flush=True,
    )
    for fit in fits:
        start = time.perf_counter()
        design = fit.design()
        probs_a = held_out(fold_a, design)  # the CV guard, and fold (a)'s thresholds
        probs_b = held_out(fold_b, design)
        probs_8 = train.probabilities(train.fit(fold_a, design), f8)
        fitted_b = train.fit(fold_b, design)
        probs_7 = train.probabilities(fitted_b, f7)
        size = len(train.fit(fold_a, design).vectorizer.get_feature_names_out())
        per_msg = per_message_features(fold_a, design)
        seconds = time.perf_counter() - start
        for shared, guard in itertools.product((False, True), (True, False)):
            cut_a = pick_thresholds(fold_a, rules_a, probs_a, shared, guard)
            cut_b = pick_thresholds(fold_b, rules_b, probs_b, shared, guard)
            cv = quality(fold_a, combined(rules_a, probs_a, cut_a, guard))
            s8 = quality(f8, combined(rules_8, probs_8, cut_a, guard))
            s7 = quality(f7, combined(rules_7, probs_7, cut_b, guard))
            criterion = (s8[0] + s8[1] + s7[0] + s7[1]) / 4
            changes = (fit.c != 30.0) + fit.balanced + (fit.grams != "oov4") + shared + (not guard)
            print(
                f"{fit.c:g}\t{fit.balanced}\t{fit.grams}\t{'shared' if shared else 'per-label'}\t"
                f"{guard}\t{s8[0]:.3f}\t{s8[1]:.3f}\t{s7[0]:.3f}\t{s7[1]:.3f}\t{criterion:.3f}\t"
                f"{cv[0]:.3f}\t{cv[1]:.3f}\t{size}\t{per_msg:.1f}\t{changes}\t{seconds:.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
