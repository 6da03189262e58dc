"""Who may see what: the decision table behind every query. Pure Python, no Django.

A record written by a partner has one of three visibilities. Whether a person may see it
depends only on their relation to the record, never on anything else, so the whole rule is
one small table (``SEES``). The Django policy module turns this table into SQL filters and
object checks, so the page, the API and the tests all read the same rule.
"""

from __future__ import annotations

from enum import StrEnum


class Visibility(StrEnum):
    PRIVATE = "private"
    CLINICIAN = "clinician"
    COUPLE = "couple"

    @property
    def label(self) -> str:
        return VISIBILITY_LABELS[self]


VISIBILITY_LABELS: dict[Visibility, str] = {
    Visibility.PRIVATE: "Only me",
    Visibility.CLINICIAN: "Me and our clinician",
    Visibility.COUPLE: "Both of us and our clinician",
}


class Relation(StrEnum):
    """How a person stands to one partner-authored record."""

    AUTHOR = "author"
    OTHER_PARTNER = "other_partner"
    CASE_CLINICIAN = "case_clinician"
    OTHER_CLINICIAN = "other_clinician"
    PRACTICE_ADMIN = "practice_admin"
    STRANGER = "stranger"


SEES: dict[Visibility, frozenset[Relation]] = {
    Visibility.PRIVATE: frozenset({Relation.AUTHOR}),
    Visibility.CLINICIAN: frozenset({Relation.AUTHOR, Relation.CASE_CLINICIAN}),
    Visibility.COUPLE: frozenset(
        {Relation.AUTHOR, Relation.OTHER_PARTNER, Relation.CASE_CLINICIAN}
    ),
}

# Only the author changes what they wrote; a clinician comments, never edits.
CHANGES: frozenset[Relation] = frozenset({Relation.AUTHOR})

# Narrowest first: a later feature may let an author narrow a default, never widen it.
ORDER: tuple[Visibility, ...] = (Visibility.PRIVATE, Visibility.CLINICIAN, Visibility.COUPLE)


def may_see(relation: Relation, visibility: Visibility) -> bool:
    """True when someone with ``relation`` to a record of ``visibility`` may read it."""
    return relation in SEES[visibility]


def may_change(relation: Relation) -> bool:
    """True when someone with ``relation`` to a record may edit or delete it."""
    return relation in CHANGES


def within(chosen: Visibility, maximum: Visibility) -> bool:
    """True when ``chosen`` shows a record to no one that ``maximum`` would not."""
    return ORDER.index(chosen) <= ORDER.index(maximum)


def relations_seeing(visibility: Visibility) -> frozenset[Relation]:
    """Every relation that may read a record of ``visibility``."""
    return SEES[visibility]
