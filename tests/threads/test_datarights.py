"""Messages in a person's copy and when a partner leaves."""

from __future__ import annotations

import json

from retrust.core.datarights import NOT_YOURS, Leaving
from retrust.core.models import Case, User
from retrust.threads import actions, datarights
from retrust.threads.models import Message, ReadMarker, Thread


def test_a_copy_has_my_threads_with_the_other_partners_words_replaced(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    actions.send_message(partner_a, case, "partner_a", body="I felt lonely on Sunday")
    actions.send_message(clinician, case, "partner_a", body="Thank you for telling me")
    actions.send_message(partner_b, case, "partner_b", body="Bo's private worry")
    actions.send_message(partner_a, case, "together", body="Can we talk on Friday?")
    actions.send_message(partner_b, case, "together", body="Bo's words to both")

    copy = json.dumps(datarights.export(partner_a))

    for mine in ("I felt lonely on Sunday", "Thank you for telling me", "Can we talk on Friday?"):
        assert mine in copy
    assert "Bo's" not in copy
    assert NOT_YOURS in copy  # the other partner's couple message is there as a fact


def test_a_leaving_partners_private_thread_is_held_and_their_couple_words_stay(
    case: Case, partner_a: User, partner_b: User, clinician: User
) -> None:
    actions.send_message(partner_a, case, "partner_a", body="Private words")
    actions.send_message(clinician, case, "partner_a", body="A reply")
    actions.send_message(partner_b, case, "partner_b", body="Bo's private words")
    actions.send_message(partner_a, case, "together", body="Words to both")
    leaving = Leaving(user=partner_a, case_ids=(case.pk,))
    markers = ReadMarker.objects.filter(user=partner_a).count()  # a writer has read their own

    assert markers > 0
    assert datarights.SHREDDER.plan(leaving) == {"message read markers": markers}
    assert datarights.SHREDDER.held(leaving) == {
        "messages with the clinician": 2,
        "private threads with the clinician": 1,
    }
    datarights.SHREDDER.shred(leaving)
    assert not ReadMarker.objects.filter(user=partner_a).exists()
    datarights.SHREDDER.shred_held(leaving)
    assert not Thread.objects.filter(author=partner_a, kind="private").exists()
    bodies = set(Message.objects.values_list("body", flat=True))
    assert bodies == {"Bo's private words", "Words to both"}
