"""``python -m retrust.coach``: one message per input line in, one JSON object per line out.

Each line: ``{"text", "language", "labels", "spans": [[label, start, end], ...], "suggestion"}``
(``"truncated": true`` added when a message was longer than ``MAX_CHARS``).

The same loop backs the ``retrust coach`` management command. Pure: no Django, no network.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from retrust.coach.analyser import analyse


def run(stdin: TextIO, stdout: TextIO) -> int:
    """Analyse every line of ``stdin``; write one JSON line each to ``stdout``. Returns a count."""
    count = 0
    # json.dumps(..., ensure_ascii=False), without building a new encoder for every line, and
    # without the check for cycles (a line is a fresh dict of strings, numbers and lists).
    dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    write = stdout.write
    for line in stdin:
        write(dumps(analyse(line.rstrip("\r\n")).as_line()) + "\n")
        count += 1
    return count


if __name__ == "__main__":
    run(sys.stdin, sys.stdout)
