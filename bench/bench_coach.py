"""How many messages per second the coach analyses on one core, against VADER, same messages.

Run: .venv/bin/python bench/bench_coach.py [--rounds 200] [--repeat 3]

The messages are the coach corpus (one-to-three-sentence messages as partners write them),
repeated ``rounds`` times. Two measurements, each for the coach and for VADER in this run:

1. in process: the analysis call alone, after a warm-up;
2. whole process: a fresh Python process pinned to one core reads every message from standard
   input and writes one JSON line per message (``python -m retrust.coach``, and the same loop
   around VADER's ``polarity_scores``), start-up and JSON output included.
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

from retrust.coach import analyse  # noqa: E402
from retrust.coach.evaluate import load  # noqa: E402

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
    # Interleaved and best-of-N, so that load from other processes hits both sides alike.
    coach_rate = vader_rate = 0.0
    for _ in range(args.repeat):
        coach_rate = max(coach_rate, in_process(messages, analyse))
        vader_rate = max(vader_rate, in_process(messages, vader.polarity_scores))
    print(f"in process     coach: {coach_rate:>9,.0f} msg/s   VADER: {vader_rate:>9,.0f} msg/s")
    coach_rate = vader_rate = 0.0
    for _ in range(args.repeat):
        coach_rate = max(
            coach_rate, whole_process(messages, [sys.executable, "-m", "retrust.coach"])
        )
        vader_rate = max(vader_rate, whole_process(messages, [sys.executable, "-c", VADER_LOOP]))
    print(f"whole process  coach: {coach_rate:>9,.0f} msg/s   VADER: {vader_rate:>9,.0f} msg/s")


if __name__ == "__main__":
    main()
