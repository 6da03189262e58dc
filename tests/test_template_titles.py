"""A page's <title> is a few words: no template's title block carries page markup.

Two front-door templates once had part of their page pasted into the title block, so the page
repeated a section inside <title> (a screen reader announces it) and rendered it twice.
"""

from __future__ import annotations

import re
from pathlib import Path

import retrust

TITLE = re.compile(r"{% block title %}(.*?){% endblock", re.S)


def test_title_blocks_hold_words_not_markup() -> None:
    wrong = []
    for path in sorted(Path(retrust.__file__).parent.rglob("*.html")):
        found = TITLE.search(path.read_text())
        if found and ("<" in found.group(1) or "\n" in found.group(1).strip()):
            wrong.append(str(path))
    assert wrong == []
