"""The loaded instruments: bundled files plus any a practice adds. No Django imports.

A practice adds its own licensed instrument by putting one YAML file (same schema as the
bundled ones) in a folder named by ``RETRUST_INSTRUMENT_DIRS`` (colon-separated). Every file is
validated when the app starts; a broken one stops start-up naming the file and the field.
"""

from __future__ import annotations

import os
from pathlib import Path

from retrust.assessments.definitions import BUNDLED_DIR, Instrument, load_all

_loaded: dict[str, Instrument] | None = None


def directories() -> list[Path]:
    extra = os.environ.get("RETRUST_INSTRUMENT_DIRS", "")
    return [BUNDLED_DIR, *(Path(p) for p in extra.split(os.pathsep) if p.strip())]


def load() -> dict[str, Instrument]:
    """(Re)load every instrument; raises ``InstrumentFileError`` on the first broken file."""
    global _loaded
    _loaded = load_all(directories())
    return _loaded


def instruments() -> dict[str, Instrument]:
    return _loaded if _loaded is not None else load()


def get(instrument_id: str) -> Instrument | None:
    return instruments().get(instrument_id)
