"""Does the eighth layer's overrule help on authors it was not trained on? (issue 17)

Run: ``.venv/bin/python bench/select_coach8.py`` (needs scikit-learn; about a minute).

The overrule lets the learned layer report a harsh label across ``model.merge``'s guard when
its probability is high (a sarcastic "thank you" the rules read as appreciation and the model
as contempt; the appreciation is then dropped). For each of the four latest fresh splits in
turn, the committed design (``train.export``) is trained on every training split but that one
and scored on it, the rules combined as the product combines them: once with the overrules chosen by
cross-validation and once with every overrule at 1 (never). Declared before running: keep the
overrule when it raises the mean harsh F1 over the four splits and lowers the mean macro F1 by
no more than 0.005.

Results (2026-12-04, 5,931 training messages less the split held out; macro / harsh F1):
fresh7 0.834 / 0.875 without, 0.831 / 0.885 with; fresh8 0.888 / 0.926, 0.890 / 0.934;
fresh9 0.892 / 0.927, 0.901 / 0.941; fresh10 0.913 / 0.958, 0.920 / 0.970; mean 0.882 / 0.921
without, 0.885 / 0.933 with: kept (docs/benchmarks.md, the eighth layer).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrust.coach import model, train  # noqa: E402
from retrust.coach.analyser import analyse  # noqa: E402
from retrust.coach.evaluate import TRAINING, load, quality  # noqa: E402

HELD = ("fresh7", "fresh8", "fresh9", "fresh10")


def main() -> None:
    print(
        "held out\tmessages\toverrules\tmacro F1 without\tharsh F1 without"
        "\tmacro F1 with\tharsh F1 with",
        flush=True,
    )
    totals = [0.0, 0.0, 0.0, 0.0]
    for split in HELD:
        held = load([split])
        layer = model.from_data(train.export(load([s for s in TRAINING if s != split])))
        never = replace(layer, overrules=(1.0,) * len(layer.labels))
        rules = [analyse(example.text, learned=False) for example in held]
        row: list[float] = []
        for candidate in (never, layer):
            found = [frozenset(model.combine(r, model=candidate).labels) for r in rules]
            row += quality(held, found)
        totals = [t + x for t, x in zip(totals, row, strict=True)]
        overrules = " ".join(f"{u:g}" for u in layer.overrules)
        print(
            f"{split}\t{len(held)}\t{overrules}\t" + "\t".join(f"{x:.3f}" for x in row), flush=True
        )
    print("mean\t\t\t" + "\t".join(f"{t / len(HELD):.3f}" for t in totals))


if __name__ == "__main__":
    main()
