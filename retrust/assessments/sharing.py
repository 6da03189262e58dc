"""The words a partner reads about who sees their check-ins, true at the moment they read them.

No Django imports: the pages pass names and states in. ``consent_wording`` is also what a
``TotalsConsent`` stores, so the words agreed to are exactly the words that were shown.
"""

from __future__ import annotations


def names(people: list[str], fallback: str = "your clinician") -> str:
    """ "Dana", "Dana and Eli", "Dana, Eli and Fay"; ``fallback`` when there is nobody."""
    people = [p for p in people if p]
    if not people:
        return fallback
    if len(people) == 1:
        return people[0]
    return ", ".join(people[:-1]) + " and " + people[-1]


def consent_wording(short_title: str, partner: str, clinicians: str) -> str:
    """What a partner agrees to when they share one relationship measure's totals."""
    return (
        f"I choose to share my {short_title} totals with {partner}. For every round of "
        f"{short_title} that we have both answered, earlier rounds included, {partner} will see "
        f"my total and what it means, never my answers to single questions. {clinicians} "
        f"will see my answers as before. I can stop sharing at any time; from then on "
        f"{partner} no longer sees my {short_title} totals."
    )


def suggestion(clinicians: str) -> str:
    return (
        f"{clinicians} suggests that you each share your totals on the relationship "
        "check-ins. It is your own choice, one questionnaire at a time, and you can stop "
        "whenever you like."
    )


def statement(
    *,
    clinicians: str,
    partner: str | None,
    relationship: bool,
    shared: bool,
    held: bool,
) -> str:
    """Who sees this check-in's answers and total, as of now.

    ``partner``: the other partner's name, or ``None`` when there is no other partner in the
    case. ``shared``: this partner has chosen to share this measure's totals. ``held``: a pause
    holds what this partner shares (``core.pause``). Whether the other partner has answered
    this round is left out on purpose: it is theirs to tell.
    """
    only = f"Only you and {clinicians} see this."
    if partner is None:
        return only
    if not relationship:
        return f"{only} {partner} never sees your answers or your total here."
    if not shared:
        return f"{only} {partner} will not see your total unless you choose to share it."
    if held:
        return f"{only} For now {partner} does not see new totals, even the ones you share."
    return (
        f"{partner} will see your total, because you chose to share it, for each round you "
        f"have both answered. Your answers to single questions stay between you and "
        f"{clinicians}."
    )
