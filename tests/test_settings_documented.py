"""Every environment variable the code reads is named in README's Configuration table."""

from __future__ import annotations

import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# os.environ.get("X"), os.environ["X"], os.getenv("X"), and settings.py's envbool/envint/...
READS = re.compile(
    r"""(?:os\.environ\.get|os\.environ\[|os\.getenv|env(?:bool|int|list|secret))\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read() -> set[str]:
    names: set[str] = set()
    for path in (PROJECT / "retrust").rglob("*.py"):
        names.update(READS.findall(path.read_text()))
    return names - {"DJANGO_SETTINGS_MODULE"}


def configuration_table() -> str:
    readme = (PROJECT / "README.md").read_text()
    start = readme.index("## Configuration")
    return readme[start : readme.index("\n## ", start + 1)]


def test_the_scan_finds_the_settings_it_should():
    found = variables_read()
    assert {"SECRET_KEY", "DATABASE_URL", "RETRUST_BASE_URL", "SENTRY_DSN"} <= found
    assert len(found) > 30


def test_every_variable_the_code_reads_is_in_the_readme_table():
    table = configuration_table()
    missing = sorted(name for name in variables_read() if f"`{name}" not in table)
    assert not missing, f"README's Configuration section does not name: {missing}"
