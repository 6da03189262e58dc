"""Agreements in a person's export, and what happens to them when a partner leaves.

Everything here is joint: the copy holds each agreement of the person's cases with the
person's own words, the clinician's notes, who answered what and when, and, where the other
partner wrote something (a wording, a reason, a commitment, a note, a report), a line saying
their words are not part of this copy. When a partner leaves, every agreement, consent,
commitment and report stays, attributed to a former partner, so the other partner's records
and consents are intact; the leaving partner's commitments that are still running end.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from retrust.agreements.models import (
    Agreement,
    AgreementNote,
    AgreementVersion,
    BreachReport,
    Commitment,
    Confirmation,
    Consent,
    Occurrence,
)
from retrust.core.datarights import Counts, Exporter, Leaving, Sections, Shredder, when, who, words
from retrust.core.models import CaseMember


def export(user: Any) -> Sections:
    case_ids = list(CaseMember.objects.filter(user=user).values_list("case_id", flat=True))
    agreements = Agreement.objects.visible_to(user).filter(case_id__in=case_ids)
    versions = AgreementVersion.objects.filter(agreement__in=agreements).order_by("number")
    consents = Consent.objects.filter(version__in=versions)
    notes = AgreementNote.objects.filter(agreement__in=agreements)
    breaches = BreachReport.objects.visible_to(user).filter(agreement__in=agreements)
    by_version: dict[int, list[dict[str, Any]]] = {}
    for c in consents:
        by_version.setdefault(c.version_id, []).append(
            {
                "by": who(c.partner_id, user),
                "answer": c.get_decision_display(),
                "reason": words(c.reason, c.partner_id, user) if c.reason else "",
                "when": when(c.created_at),
            }
        )
    out = []
    for agreement in agreements.order_by("created_at", "id"):
        out.append(
            {
                "case": agreement.case_id,
                "category": agreement.get_category_display(),
                "status": agreement.get_status_display(),
                "first_proposed_by": who(agreement.author_id, user),
                "versions": [
                    {
                        "number": v.number,
                        "proposed_by": who(v.proposed_by_id, user),
                        "title": words(v.title, v.proposed_by_id, user),
                        "text": words(v.text, v.proposed_by_id, user),
                        "written": when(v.created_at),
                        "answers": by_version.get(v.pk, []),
                    }
                    for v in versions
                    if v.agreement_id == agreement.pk
                ],
                "clinician_notes": [
                    {"text": n.text, "written": when(n.created_at)}
                    for n in notes
                    if n.agreement_id == agreement.pk
                ],
                "reports_that_it_did_not_hold": [
                    {
                        "reported_by": who(b.author_id, user),
                        "happened_on": b.happened_on.isoformat(),
                        "what_happened": words(b.what_happened, b.author_id, user),
                        "answer": b.get_response_display() if b.response else "",
                        "answer_text": (
                            words(b.response_text, b.responded_by_id, user)
                            if b.response_text
                            else ""
                        ),
                    }
                    for b in breaches
                    if b.agreement_id == agreement.pk
                ],
            }
        )
    commitments = Commitment.objects.visible_to(user).filter(case_id__in=case_ids)
    occurrences = Occurrence.objects.visible_to(user).filter(commitment__in=commitments)
    confirmations = {
        c.occurrence_id: c for c in Confirmation.objects.filter(occurrence__in=occurrences)
    }
    return {
        "agreements": out,
        "commitments": [
            {
                "case": c.case_id,
                "by": who(c.author_id, user),
                "action": words(c.action, c.author_id, user),
                "schedule": c.get_schedule_display(),
                "starts_on": c.starts_on.isoformat(),
                "ended": when(c.ended_at),
                "days": [
                    {
                        "day": o.due_on.isoformat(),
                        "outcome": o.get_outcome_display(),
                        "note": words(o.note, o.author_id, user) if o.note else "",
                        "the_other_partner_said": _confirmation(confirmations.get(o.pk), user),
                    }
                    for o in occurrences
                    if o.commitment_id == c.pk
                ],
            }
            for c in commitments.order_by("created_at", "id")
        ],
    }


def _confirmation(found: Confirmation | None, user: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "by": who(found.partner_id, user),
        "verdict": found.get_verdict_display(),
        "note": words(found.note, found.partner_id, user) if found.note else "",
    }


def _running(leaving: Leaving) -> Any:
    return Commitment.objects.filter(author_id=leaving.user.pk, ended_at__isnull=True)


def plan(leaving: Leaving) -> Counts:
    return {"running commitments ended": _running(leaving).count()}


def shred(leaving: Leaving) -> Counts:
    return {"running commitments ended": _running(leaving).update(ended_at=timezone.now())}


EXPORTER = Exporter("agreements", export)
SHREDDER = Shredder("agreements", plan=plan, shred=shred)
