"""Two partners amend the same version at the same moment: exactly one wins, nothing is lost.

The race is staged deterministically: partner A's request reads the agreement (version 1),
and before it writes, partner B's amendment of version 1 lands. A's request then gets past
the "is this still version 1?" check with what it read, and it is the conditional update
(version 1 → 2 only if still 1) that must refuse it. The database keeps B's version; A's
wording is handed back with the conflict, not written over anything. (Real threads cannot be
used here: the in-memory SQLite test database refuses a second writer outright instead of
waiting, which a file database or PostgreSQL would do.)
"""

from __future__ import annotations

import pytest

from retrust.agreements import actions
from retrust.agreements.models import Agreement, AgreementVersion, Consent
from tests.agreements.conftest import PHONE_TEXT


def test_two_amendments_racing_on_the_same_version_exactly_one_wins(
    partner_a, partner_b, case, monkeypatch
):
    agreement = actions.propose_agreement(
        partner_a, case, category="transparency", title="Phones", text=PHONE_TEXT
    )
    # A opens the agreement and reads version 1 ...
    read_by_a = Agreement.objects.get(pk=agreement.pk)
    # ... B's amendment of the same version 1 is written first ...
    actions.amend_agreement(partner_b, agreement, based_on=1, title="Phones", text="B's wording")
    # ... and A's request goes on from what it read: its own re-read sees version 1 too.
    interleaved = []

    def stale_read(*args, **kwargs):
        interleaved.append(True)
        return read_by_a

    monkeypatch.setattr(Agreement.objects, "get", stale_read)
    with pytest.raises(actions.AgreementConflict):
        actions.amend_agreement(
            partner_a, read_by_a, based_on=1, title="Phones", text="A's wording"
        )
    monkeypatch.undo()
    # The conflict the person sees names the newer version and its text.
    with pytest.raises(actions.AgreementConflict) as excinfo:
        actions.amend_agreement(
            partner_a, read_by_a, based_on=1, title="Phones", text="A's wording"
        )

    assert interleaved, "A's request never read the agreement"
    assert excinfo.value.newer.text == "B's wording"
    assert excinfo.value.newer.proposed_by == partner_b
    texts = list(AgreementVersion.objects.order_by("number").values_list("text", flat=True))
    assert texts == [PHONE_TEXT, "B's wording"]
    agreement.refresh_from_db()
    assert agreement.latest_number == 2
    # A's failed attempt left no consent behind; B's version carries only B's own.
    assert list(
        Consent.objects.filter(version__number=2).values_list("partner__email", flat=True)
    ) == [partner_b.email]
    # Nothing lost: A can now propose the same wording on top of B's version.
    actions.amend_agreement(partner_a, agreement, based_on=2, title="Phones", text="A's wording")
    assert AgreementVersion.objects.count() == 3
