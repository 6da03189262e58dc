"""Each app describes its own records for a person's export and for deleting their account.

Two registries, filled from each app's ``AppConfig.ready()`` (so that core, and the data-rights
app above everything, never have to know which records an app keeps):

* an ``Exporter`` returns what one person wrote and may see in that app, as JSON-ready
  sections. Joint records carry the other partner's part without their free text; nothing of
  the other partner's private records, and no one's safety screen, ever;
* a ``Shredder`` says, for a person leaving retrust, what goes at the end of the grace period
  (``plan``/``shred``: private records, drafts, personal settings) and which clinical records
  are kept for the practice's retention period (``held``/``shred_held``). Joint records stay,
  attributed to "a former partner": the other partner's records and consents stay intact.

Counts only, never content: ``retrust shred --dry-run`` and the audit rows print them as
they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# How the product names someone who deleted their account, wherever their name would be.
FORMER_PARTNER = "A former partner"


@dataclass(frozen=True)
class Leaving:
    """A person whose account is being deleted, and the cases they were a partner in.

    ``emptied_case_ids``: the cases in which nobody else is a partner; their case-level
    clinical records (session notes, track and status changes) are held with the person's.
    """

    user: Any
    case_ids: tuple[int, ...]
    emptied_case_ids: tuple[int, ...] = ()


Sections = dict[str, Any]
Counts = dict[str, int]


@dataclass(frozen=True)
class Exporter:
    key: str  # the app's label, e.g. "agreements"
    export: Callable[[Any], Sections]


def _nothing(leaving: Leaving) -> Counts:
    return {}


@dataclass(frozen=True)
class Shredder:
    key: str
    # What goes at the end of the grace period: counted, then removed.
    plan: Callable[[Leaving], Counts] = _nothing
    shred: Callable[[Leaving], Counts] = _nothing
    # Clinical records kept for the retention period: counted, then removed afterwards.
    held: Callable[[Leaving], Counts] = _nothing
    shred_held: Callable[[Leaving], Counts] = _nothing
    # Lower runs first; core's own shredder (the account and its case memberships) runs last.
    order: int = 50


EXPORTERS: dict[str, Exporter] = {}
SHREDDERS: dict[str, Shredder] = {}


def exporter(entry: Exporter) -> None:
    EXPORTERS[entry.key] = entry


def shredder(entry: Shredder) -> None:
    SHREDDERS[entry.key] = entry


def exporters() -> list[Exporter]:
    return [EXPORTERS[key] for key in sorted(EXPORTERS)]


def shredders() -> list[Shredder]:
    return sorted(SHREDDERS.values(), key=lambda entry: (entry.order, entry.key))


def prefixed(key: str, counts: Counts) -> Counts:
    """``{"journal entries": 2}`` from app ``core`` → ``{"core.journal entries": 2}``; zeros go."""
    return {f"{key}.{kind}": number for kind, number in counts.items() if number}


def plan_all(leaving: Leaving) -> Counts:
    found: Counts = {}
    for entry in shredders():
        found.update(prefixed(entry.key, entry.plan(leaving)))
    return found


def held_all(leaving: Leaving) -> Counts:
    found: Counts = {}
    for entry in shredders():
        found.update(prefixed(entry.key, entry.held(leaving)))
    return found


def shred_all(leaving: Leaving) -> Counts:
    done: Counts = {}
    for entry in shredders():
        done.update(prefixed(entry.key, entry.shred(leaving)))
    return done


def shred_held_all(leaving: Leaving) -> Counts:
    done: Counts = {}
    for entry in shredders():
        done.update(prefixed(entry.key, entry.shred_held(leaving)))
    return done


# --- helpers the apps share ------------------------------------------------------------------

# What an export says in place of the other partner's own words in a joint record.
NOT_YOURS = "(written by your partner: their words stay theirs and are not in your copy)"


def who(author_id: int | None, reader: Any) -> str:
    """How an export names the author of a joint record: "you", "your partner" or "clinician"."""
    if author_id is None:
        return ""
    return "you" if author_id == reader.pk else "your partner"


def words(text: Any, author_id: int | None, reader: Any) -> Any:
    """The reader's own words as written; anyone else's partner words replaced by a note."""
    return text if author_id == reader.pk else NOT_YOURS


def when(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def split_by_visibility(queryset: Any, leaving: Leaving, drafts: Any = None) -> dict[str, Any]:
    """A partner-authored model's rows of the leaving person, by what happens to them:

    ``goes`` (private, and drafts whatever their visibility), ``held`` (shared with the
    clinician: part of the clinical record) and ``stays`` (shared with both partners: a joint
    record, kept and attributed to a former partner).
    """
    from django.db.models import Q

    mine = queryset.filter(author_id=leaving.user.pk)
    draft = drafts if drafts is not None else Q(pk__in=[])
    return {
        "goes": mine.filter(Q(visibility="private") | draft),
        "held": mine.filter(visibility="clinician").exclude(draft),
        "stays": mine.filter(visibility="couple").exclude(draft),
    }


def count_rows(rows: dict[str, Any]) -> Counts:
    """``{kind: queryset}`` → ``{kind: how many}``."""
    return {kind: found.count() for kind, found in rows.items()}


def delete_rows(rows: dict[str, Any]) -> Counts:
    """Delete each ``{kind: queryset}``; returns how many rows of each kind went."""
    done = count_rows(rows)
    for found in rows.values():
        found.delete()
    return done


Rows = Callable[[Leaving], dict[str, Any]]


def rows_shredder(key: str, goes: Rows | None = None, held: Rows | None = None) -> Shredder:
    """A shredder from functions returning ``{kind: queryset}``: what goes at the end of the
    grace period, and what is held for the retention period and removed after it."""

    def counting(rows: Rows | None) -> Callable[[Leaving], Counts]:
        return (lambda leaving: count_rows(rows(leaving))) if rows else _nothing

    def deleting(rows: Rows | None) -> Callable[[Leaving], Counts]:
        return (lambda leaving: delete_rows(rows(leaving))) if rows else _nothing

    return Shredder(
        key,
        plan=counting(goes),
        shred=deleting(goes),
        held=counting(held),
        shred_held=deleting(held),
    )


def nothing_to_export(user: Any) -> Sections:
    """For an app none of whose records belong in a partner's copy (the clinician's notes, the
    safety screen): an empty section, so the copy says so rather than leaving the app out."""
    return {}


Split = Callable[[Leaving], dict[str, dict[str, Any]]]


def visibility_shredder(key: str, split: Split) -> Shredder:
    """A shredder for an app whose records follow ``split_by_visibility`` alone: ``split``
    returns ``{kind: split_by_visibility(...)}``; "goes" at the end of the grace period, "held"
    after the retention period, "stays" never."""

    def part(name: str) -> Rows:
        return lambda leaving: {kind: rows[name] for kind, rows in split(leaving).items()}

    return rows_shredder(key, goes=part("goes"), held=part("held"))


def register(module: Any) -> None:
    """Register an app's ``EXPORTER`` and ``SHREDDER`` (from its ``AppConfig.ready``)."""
    exporter(module.EXPORTER)
    shredder(module.SHREDDER)
