"""The agreements and ledger pages run the same number of queries with 10 and 2,000 occurrences."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from retrust.agreements import actions
from retrust.agreements.models import Confirmation, Occurrence
from tests.test_query_counts import assert_constant, queries_for


def add_occurrences(commitment, partner_b, start: int, n: int) -> None:
    """``n`` daily occurrences going back from ``start`` days ago; two in three confirmed."""
    today = timezone.localdate()
    made = Occurrence.objects.bulk_create(
        [
            Occurrence(
                case=commitment.case,
                author=commitment.author,
                visibility="couple",
                commitment=commitment,
                due_on=today - timedelta(days=start + i),
                outcome="kept" if i % 4 else "missed",
                note=f"note {i}" if i % 7 == 0 else "",
            )
            for i in range(n)
        ]
    )
    Confirmation.objects.bulk_create(
        [
            Confirmation(
                occurrence=o, partner=partner_b, verdict="confirmed" if i % 3 else "disputed"
            )
            for i, o in enumerate(made)
            if i % 3 != 1
        ]
    )


@pytest.fixture
def long_commitment(partner_a, case, agreement):
    return actions.make_commitment(
        partner_a,
        case,
        action="Text if late",
        schedule="daily",
        starts_on=timezone.localdate() - timedelta(days=3000),
        agreement=agreement,
    )


URLS = [
    "/cases/{case}/agreements/",
    "/cases/{case}/ledger/",
    "/commitments/{commitment}/",
    "/agreements/{agreement}/",
    "/api/v1/cases/{case}/commitments",
    "/api/v1/commitments/{commitment}/ledger",
    "/api/v1/commitments/{commitment}/occurrences",
    "/api/v1/cases/{case}/agreements",
]


@pytest.mark.parametrize("persona", ["partner_a", "partner_b", "clinician"])
@pytest.mark.parametrize("url", URLS)
def test_pages_are_constant_in_occurrences(
    url, persona, case, agreement, long_commitment, partner_a, partner_b, client_for
):
    add_occurrences(long_commitment, partner_b, 0, 10)
    client = client_for(persona)
    target = url.format(case=case.pk, commitment=long_commitment.pk, agreement=agreement.pk)
    assert_constant(client, target, lambda: add_occurrences(long_commitment, partner_b, 10, 1990))
    assert Occurrence.objects.count() == 2000


def test_agreement_page_is_constant_in_versions_and_breaches(
    case, agreement, partner_a, partner_b, client_for
):
    client = client_for("partner_b")
    url = f"/agreements/{agreement.pk}/"

    def grow():
        current = agreement
        for i in range(8):
            current = actions.amend_agreement(
                partner_a, current, based_on=current.latest_number, title="P", text=f"v{i}"
            )
            current = actions.accept_version(
                partner_b, current, version_number=current.latest_number
            )
        for i in range(5):
            actions.report_breach(
                partner_a, agreement, what_happened=f"b{i}", happened_on=timezone.localdate()
            )
            actions.annotate_agreement(case.clinicians.first(), agreement, text=f"n{i}")

    assert_constant(client, url, grow)
    assert len(queries_for(client, url)) < 40
