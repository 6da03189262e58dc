"""Shared builders for the agreements tests: an active agreement and a daily commitment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from retrust.agreements import actions
from retrust.agreements.models import Agreement, Commitment

PHONE_TEXT = "We leave our phones face up on the table in the evenings."


def make_active_agreement(partner_a: Any, partner_b: Any, case: Any) -> Agreement:
    agreement = actions.propose_agreement(
        partner_a, case, category="transparency", title="Phones in the open", text=PHONE_TEXT
    )
    return actions.accept_version(partner_b, agreement, version_number=1)


@pytest.fixture
def agreement(partner_a: Any, partner_b: Any, case: Any) -> Agreement:
    return make_active_agreement(partner_a, partner_b, case)


@pytest.fixture
def commitment(partner_a: Any, case: Any, agreement: Agreement) -> Commitment:
    return actions.make_commitment(
        partner_a,
        case,
        action="Text if I will be more than 15 minutes late",
        schedule="daily",
        starts_on=timezone.localdate() - timedelta(days=30),
        agreement=agreement,
    )
