"""Imports point inwards only: a lower layer never imports a higher one.

core (with the pure coach) is the bottom; safety builds on it; the feature apps on both; the
program on the feature apps; the clinician workspace and notifications on all of those; the API
assembles everything; urls, settings and the command line sit on top. An app that wants to
appear in a lower layer (a navigation entry, a home-page panel, a demo seeder) registers itself
in ``retrust.core.registry`` instead of being imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import retrust

LAYERS: dict[str, int] = {
    "core": 0,
    "coach": 0,
    "safety": 1,
    "assessments": 2,
    "agreements": 2,
    "conversations": 2,
    "program": 3,
    "clinic": 4,
    "notifications": 4,
    "sessions": 4,
    "frontdoor": 4,
    "reports": 5,
    "datarights": 5,
    "api": 6,
}
ROOT = Path(retrust.__file__).parent


def imported_apps(path: Path) -> set[str]:
    """Every ``retrust.<app>`` this file imports, at any depth (function-level imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "retrust" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_every_app_has_a_layer() -> None:
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"coach"}
    assert apps - set(LAYERS) == set(), "give each new app a layer in LAYERS"


def test_no_app_imports_a_higher_layer() -> None:
    wrong = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        app = path.relative_to(ROOT).parts[0]
        if app not in LAYERS or "migrations" in path.parts:
            continue
        for other in imported_apps(path):
            if other in LAYERS and LAYERS[other] > LAYERS[app]:
                wrong.append(f"{path.relative_to(ROOT)} imports retrust.{other}")
    assert wrong == []


def test_the_rule_catches_an_upward_import(tmp_path: Path) -> None:
    sample = tmp_path / "views.py"
    sample.write_text("def f():\n    from retrust.program.models import Goal\n")
    assert imported_apps(sample) == {"program"}
