"""How many messages per second the coach analyses on one core, against VADER, same messages.

Run: .venv/bin/python bench/bench_coach.py [--rounds 200] [--repeat 3]

The messages are the coach corpus (one-to-three-sentence messages as partners write them),
repeated ``rounds`` times. Three measurements, for the coach (with its learned layer, as the
product runs it, and with the rules alone) and for VADER, interleaved in this run:

1. in process: the analysis call alone, after a warm-up;
2. whole process: a fresh Python process pinned to one core reads every message from standard
   input and writes one JSON line per message (``python -m retrust.coach``, the same loop with
   the rules alone, and the same loop around VADER's ``polarity_scores``), start-up (loading the
   model file included) and JSON output included;
3. latency: each call of the coach with its layer timed on its own (p50, p99, max), over the
   corpus and over messages of ``MAX_CHARS`` characters (the longest the coach reads).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's retrust, even beside an installed one

from retrust.coach import MAX_CHARS, analyse  # noqa: E402
from retrust.coach.evaluate import load  # noqa: E402

RULES_LOOP = """
import json, sys
from retrust.coach.analyser import analyse
w = sys.stdout.write
for line in sys.stdin:
    found = analyse(line.rstrip("\\r\\n"), learned=False)
    w(json.dumps(found.as_line(), ensure_ascii=False) + "\\n")
"""

VADER_LOOP = """
import json, sys
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
a = SentimentIntensityAnalyzer()
w = sys.stdout.write
for line in sys.stdin:
    w(json.dumps({"text": line.rstrip("\\r\\n"), "scores": a.polarity_scores(line)}) + "\\n")
"""


def pin_to_one_core() -> str:
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        return "pinned to one core"
    except (AttributeError, OSError):
        return "not pinned (no sched_setaffinity here)"


def in_process(messages: list[str], fn: object) -> float:
    call = fn  # type: ignore[assignment]
    for message in messages[:2000]:
        call(message)  # type: ignore[operator]
    start = time.perf_counter()
    for message in messages:
        call(message)  # type: ignore[operator]
    return len(messages) / (time.perf_counter() - start)


def whole_process(messages: list[str], argv: list[str]) -> float:
    with tempfile.TemporaryFile("w+", encoding="utf-8") as source:
        source.write("\n".join(messages) + "\n")
        source.seek(0)
        cpu = sorted(os.sched_getaffinity(0))[0] if hasattr(os, "sched_getaffinity") else None
        prefix = ["taskset", "-c", str(cpu)] if cpu is not None and _has_taskset() else []
        start = time.perf_counter()
        subprocess.run(prefix + argv, stdin=source, stdout=subprocess.DEVNULL, check=True, cwd=ROOT)
        return len(messages) / (time.perf_counter() - start)


def latencies(messages: list[str]) -> tuple[float, float, float]:
    """p50, p99 and max of one ``analyse`` call, in milliseconds."""
    clock = time.perf_counter_ns
    times = []
    for message in messages:
        start = clock()
        analyse(message)
        times.append(clock() - start)
    times.sort()
    return (
        times[len(times) // 2] / 1e6,
        times[min(len(times) - 1, int(len(times) * 0.99))] / 1e6,
        times[-1] / 1e6,
    )


def long_messages(corpus: list[str], count: int = 200) -> list[str]:
    """Messages of exactly ``MAX_CHARS`` characters, made by joining corpus messages."""
    joined = " ".join(corpus)
    step = max(1, (len(joined) - MAX_CHARS) // count)
    return [joined[i : i + MAX_CHARS] for i in range(0, step * count, step)]


def _has_taskset() -> bool:
    return subprocess.run(["which", "taskset"], capture_output=True).returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs each")
    args = parser.parse_args()
    print(pin_to_one_core())
    corpus = [e.text for e in load() if e.text]
    messages = corpus * args.rounds
    mean = sum(map(len, corpus)) / len(corpus)
    print(f"{len(messages):,} messages ({len(corpus)} distinct, mean {mean:.0f} characters)")

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()

    def rules(text: str) -> object:
        return analyse(text, learned=False)

    # Interleaved and best-of-N, so that load from other processes hits every side alike.
    best = {"coach": 0.0, "rules": 0.0, "vader": 0.0}
    for _ in range(args.repeat):
        best["coach"] = max(best["coach"], in_process(messages, analyse))
        best["rules"] = max(best["rules"], in_process(messages, rules))
        best["vader"] = max(best["vader"], in_process(messages, vader.polarity_scores))
    report("in process   ", best)
    best = {"coach": 0.0, "rules": 0.0, "vader": 0.0}
    argv = {
        "coach": [sys.executable, "-m", "retrust.coach"],
        "rules": [sys.executable, "-c", RULES_LOOP],
        "vader": [sys.executable, "-c", VADER_LOOP],
    }
    for _ in range(args.repeat):
        for side, command in argv.items():
            best[side] = max(best[side], whole_process(messages, command))
    report("whole process", best)
    for name, sample in (("corpus", corpus * 20), (f"{MAX_CHARS}-char", long_messages(corpus))):
        p50, p99, worst = latencies(sample)
        print(
            f"latency, coach with layer, {name} messages ({len(sample):,}): "
            f"p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {worst:.3f} ms"
        )


def report(what: str, rates: dict[str, float]) -> None:
    print(
        f"{what}  coach with layer: {rates['coach']:>8,.0f} msg/s   rules only: "
        f"{rates['rules']:>8,.0f} msg/s   VADER: {rates['vader']:>8,.0f} msg/s   "
        f"coach / VADER: {rates['coach'] / rates['vader']:.2f}"
    )


if __name__ == "__main__":
    main()
