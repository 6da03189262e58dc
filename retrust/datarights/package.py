"""The file a person downloads: a ZIP with their data as JSON, their measures as a FHIR R4B
Bundle, and a note saying what is in it and what is not."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from retrust.assessments.datarights import person_bundle
from retrust.core.datarights import exporters

DATA_NAME = "my-retrust-data.json"
FHIR_NAME = "my-questionnaires.fhir.json"
README_NAME = "README.txt"

README = """\
A copy of your retrust data

{data} holds what you wrote in retrust and what you can see there: your journal, your
check-ins and their totals, your homework answers, your trigger log, and the agreements,
commitments and conversations you share with your partner.

Where your partner wrote something in a shared record (a turn in a conversation, the wording
of an agreement they proposed), your copy says so and leaves their words out: their words are
theirs to keep or to share. Your partner's private records are never in your copy, and neither
are your clinician's own notes or the private safety questions.

{fhir} holds your questionnaires in FHIR R4B, a standard format that other health software can
read.

This copy was prepared on {date}. Keep it somewhere safe: it may hold things you would not want
anyone else to read.
"""


def sections(user: Any) -> dict[str, Any]:
    return {entry.key: entry.export(user) for entry in exporters()}


def build(user: Any, now: datetime) -> bytes:
    data = {"prepared": now.isoformat(), "format": 1, **sections(user)}
    bundle = person_bundle(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            README_NAME,
            README.format(data=DATA_NAME, fhir=FHIR_NAME, date=now.strftime("%-d %B %Y")),
        )
        archive.writestr(DATA_NAME, json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr(FHIR_NAME, bundle.model_dump_json(indent=2, exclude_none=True))
    return buffer.getvalue()
