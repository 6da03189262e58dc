"""Does more training text lift the coach on an author it has not seen? (issue 17, seventh layer)

Run: ``.venv/bin/python bench/coach_more_data.py [--score fresh9] [--add train3 train4 train5]``
(needs scikit-learn; about ten seconds a line).

The learned layer's design is not changed here (the fifth and sixth layers' grids found no
candidate worth more than 0.01). What is measured is the data alone: the committed design
(``train.export``: fit, thresholds by cross-validation) trained on the training splits without
the scored one and the added ones, then with the added ones too, each scored on the split left
out, the rules combined as the product combines them. The scored split must already have its
first score recorded: this reads it again, it never replaces that score.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrust.coach import model, train  # noqa: E402
from retrust.coach.analyser import analyse  # noqa: E402
from retrust.coach.evaluate import TRAINING, Example, load, quality  # noqa: E402


def scored(training: list[Example], held: list[Example]) -> tuple[float, float]:
    """Macro and harsh F1 on ``held`` of the combination trained on ``training``."""
    layer = model.from_data(train.export(training))
    found = [
        frozenset(model.combine(analyse(example.text, learned=False), model=layer).labels)
        for example in held
    ]
    return quality(held, found)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--score", default="fresh9")
    parser.add_argument("--add", nargs="+", default=["train3", "train4", "train5"])
    args = parser.parse_args(argv)
    base = [split for split in TRAINING if split != args.score and split not in args.add]
    held = load([args.score])
    print("training splits\tmessages\tmacro F1\tharsh F1", flush=True)
    for splits in (base, base + args.add):
        training = load(splits)
        macro, harsh = scored(training, held)
        print(f"{'+'.join(splits)}\t{len(training)}\t{macro:.3f}\t{harsh:.3f}", flush=True)


if __name__ == "__main__":
    main()
