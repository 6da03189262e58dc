"""Sent homework answers can be changed until the other partner could read them, and every
exercise follows one default sharing rule, stated in one sentence above its send button."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from retrust.core.exceptions import ActionConflict
from retrust.core.models import AuditEvent, Case, User
from retrust.program import actions, content
from retrust.program.models import Assignment, ExerciseResponse
from tests.conftest import pause_case, signed_in_client
from tests.test_query_counts import assert_constant


def due() -> Any:
    return timezone.localdate() + timedelta(days=5)


def fill(exercise_id: str, text: str) -> dict[str, str]:
    exercise = content.library()[exercise_id]
    return {p.key: ("3" if p.field == "scale_1_5" else text) for p in exercise.prompts}


def form_data(exercise_id: str, text: str) -> dict[str, str]:
    return {f"answer_{k}": v for k, v in fill(exercise_id, text).items()}


def main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.fixture
def reveal(case: Case, clinician: User, partner_a: User, partner_b: User) -> Assignment:
    return actions.assign_homework(
        clinician, case, exercise_id="what-trust-looks-like", due_on=due()
    )


def test_changing_sent_answers_until_the_reveal_then_a_plain_refusal(
    reveal: Assignment, partner_a: User, partner_b: User
) -> None:
    ex = reveal.exercise_id
    actions.submit_response(partner_a, reveal, answers=fill(ex, "First words"), visibility="couple")
    client = signed_in_client(partner_a)
    page = main(client.get(f"/homework/{reveal.pk}/").content.decode())
    assert "Change my answers" in page and "First words</textarea>" in page

    changed = client.post(f"/homework/{reveal.pk}/edit/", form_data(ex, "Second words"))
    assert changed.status_code == 302
    assert ExerciseResponse.objects.get(author=partner_a).answers == fill(ex, "Second words")

    # partner_b sends: both have sent, the answers open to each other, partner_a's are fixed.
    actions.submit_response(partner_b, reveal, answers=fill(ex, "B's words"), visibility="couple")
    refused = client.post(f"/homework/{reveal.pk}/edit/", form_data(ex, "Third words"))
    assert refused.status_code == 409
    assert actions.OPEN_TO_PARTNER in refused.content.decode()
    assert ExerciseResponse.objects.get(author=partner_a).answers == fill(ex, "Second words")
    page = main(client.get(f"/homework/{reveal.pk}/").content.decode())
    assert "Change my answers" not in page
    assert actions.OPEN_TO_PARTNER in page
    # The API says the same thing the same way.
    api = client.put(
        f"/api/v1/program/assignments/{reveal.pk}/response",
        {"answers": fill(ex, "Third words")},
        content_type="application/json",
    )
    assert api.status_code == 409


def test_the_other_partner_never_sees_a_draft_or_earlier_words(
    reveal: Assignment, partner_a: User, partner_b: User, clinician: User
) -> None:
    ex = reveal.exercise_id
    actions.save_draft(partner_a, reveal, answers=fill(ex, "Draft-only words"), visibility="couple")
    actions.submit_response(
        partner_a, reveal, answers=fill(ex, "Sent-then-changed words"), visibility="couple"
    )
    other = signed_in_client(partner_b)
    before = other.get(f"/homework/{reveal.pk}/").content.decode()
    actions.edit_response(partner_a, reveal, answers=fill(ex, "Final words"))
    after = other.get(f"/homework/{reveal.pk}/").content.decode()
    for page in (before, after):
        assert "Draft-only words" not in page and "Final words" not in page
    # Nothing about the change reaches partner_b: their page is the same before and after.
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')
    assert strip.sub("", before) == strip.sub("", after)
    actions.submit_response(partner_b, reveal, answers=fill(ex, "B's words"), visibility="couple")
    revealed = other.get(f"/homework/{reveal.pk}/").content.decode()
    assert "Final words" in revealed
    for earlier in ("Draft-only words", "Sent-then-changed words"):
        assert earlier not in revealed
        api = other.get(f"/api/v1/program/cases/{reveal.case_id}/responses").content.decode()
        assert earlier not in api
    # Only the new words are kept; no copy of the earlier ones anywhere in the answers.
    assert ExerciseResponse.objects.get(author=partner_a).answers == fill(ex, "Final words")


def test_the_same_change_twice_is_stored_once(reveal: Assignment, partner_a: User) -> None:
    ex = reveal.exercise_id
    actions.submit_response(partner_a, reveal, answers=fill(ex, "One"), visibility="clinician")
    client = signed_in_client(partner_a)
    for _ in range(2):
        assert client.post(f"/homework/{reveal.pk}/edit/", form_data(ex, "Two")).status_code == 302
    assert AuditEvent.objects.filter(action="retrust.program.response.edited").count() == 1


def test_a_change_must_still_answer_every_question(reveal: Assignment, partner_a: User) -> None:
    ex = reveal.exercise_id
    actions.submit_response(partner_a, reveal, answers=fill(ex, "One"), visibility="clinician")
    emptied = {k: "" for k in form_data(ex, "")}
    page = signed_in_client(partner_a).post(f"/homework/{reveal.pk}/edit/", emptied)
    assert page.status_code == 400
    assert "a few words are enough" in page.content.decode()
    assert ExerciseResponse.objects.get(author=partner_a).answers == fill(ex, "One")


def test_sharing_with_the_partner_fixes_the_words_even_if_narrowed_again(
    case: Case, clinician: User, partner_a: User, partner_b: User
) -> None:
    homework = actions.assign_homework(
        clinician, case, exercise_id="appreciation-practice", due_on=due()
    )
    ex = homework.exercise_id
    sent = actions.submit_response(
        partner_a, homework, answers=fill(ex, "Kind words"), visibility="clinician"
    )
    actions.edit_response(partner_a, homework, answers=fill(ex, "Kinder words"))
    actions.change_response_visibility(partner_a, sent, visibility="couple")
    sent.refresh_from_db()
    assert sent.open_to_partner_at is not None
    actions.change_response_visibility(partner_a, sent, visibility="clinician")
    with pytest.raises(ActionConflict, match="shared these answers with your partner"):
        actions.edit_response(partner_a, homework, answers=fill(ex, "Other words"))


def test_a_clinicians_reply_fixes_the_words(
    case: Case, clinician: User, partner_a: User, partner_b: User
) -> None:
    letter = actions.assign_homework(
        clinician, case, exercise_id="accountability-letter", due_on=due(), for_role="partner_a"
    )
    ex = letter.exercise_id
    sent = actions.submit_response(
        partner_a, letter, answers=fill(ex, "Dear"), visibility="clinician"
    )
    actions.comment_on_response(clinician, sent, body="Thank you for this.")
    refused = signed_in_client(partner_a).post(f"/homework/{letter.pk}/edit/", form_data(ex, "x"))
    assert refused.status_code == 409
    assert actions.ANSWERED_BY_CLINICIAN in refused.content.decode()


def test_a_closed_case_offers_no_change(reveal: Assignment, partner_a: User) -> None:
    ex = reveal.exercise_id
    actions.submit_response(partner_a, reveal, answers=fill(ex, "One"), visibility="clinician")
    Case.objects.filter(pk=reveal.case_id).update(status="closed")
    client = signed_in_client(partner_a)
    assert "Change my answers" not in client.get(f"/homework/{reveal.pk}/").content.decode()
    assert client.post(f"/homework/{reveal.pk}/edit/", form_data(ex, "Two")).status_code == 400


def test_a_held_partner_may_still_change_words_only_the_clinician_reads(
    reveal: Assignment, partner_a: User, partner_b: User
) -> None:
    ex = reveal.exercise_id
    actions.submit_response(partner_b, reveal, answers=fill(ex, "One"), visibility="clinician")
    pause_case(reveal.case, held_for=partner_b, shown=False)
    done = signed_in_client(partner_b).post(f"/homework/{reveal.pk}/edit/", form_data(ex, "Two"))
    assert done.status_code == 302


# --- one default rule, stated on every form -------------------------------------------------


def test_every_exercise_form_states_the_one_rule_above_its_send_button(
    case: Case, clinician: User, partner_a: User, partner_b: User
) -> None:
    client = signed_in_client(partner_a)
    for exercise in content.library().values():
        assignment = Assignment.objects.create(
            case=case,
            exercise_id=exercise.id,
            title=exercise.title,
            reveal_together=exercise.reveal_together,
            maximum_visibility=exercise.maximum_visibility,
            due_on=due(),
        )
        page = main(client.get(f"/homework/{assignment.pk}/").content.decode())
        rule = content.sharing_rule(
            reveal_together=exercise.reveal_together,
            widest=exercise.maximum_visibility,
            maximum=exercise.maximum_visibility,
            on_my_own=False,
        )
        assert rule in page, exercise.id
        # One sentence, just above the send button and below every answer field.
        assert page.index(rule) < page.index("Send my answers") < page.index(rule) + 400
        assert page.rindex("answer_") < page.index(rule)
        # The same default choice everywhere: the clinician.
        assert re.search(r'value="clinician"[^>]*checked', page), exercise.id
        assert not re.search(r'value="couple"[^>]*checked', page), exercise.id


def test_the_rule_in_words() -> None:
    together = content.sharing_rule(
        reveal_together=True, widest="couple", maximum="couple", on_my_own=False
    )
    assert "your partner reads them only if you choose “both of us and our clinician”" in together
    assert "only once you have both sent yours" in together
    assert "as soon as you send them" in content.sharing_rule(
        reveal_together=False, widest="couple", maximum="couple", on_my_own=False
    )
    assert "your partner never sees them" in content.sharing_rule(
        reveal_together=False, widest="clinician", maximum="clinician", on_my_own=False
    )
    # The individual track with a partner who joined: shared one by one, after sending.
    assert "share them with your partner afterwards" in content.sharing_rule(
        reveal_together=False, widest="clinician", maximum="couple", on_my_own=False
    )
    alone = content.sharing_rule(
        reveal_together=False, widest="clinician", maximum="couple", on_my_own=True
    )
    assert "partner" not in alone


def test_a_held_partner_reads_the_same_rule_and_the_pause(
    reveal: Assignment, partner_a: User, partner_b: User
) -> None:
    pause_case(reveal.case, held_for=partner_b, shown=False)
    page = main(signed_in_client(partner_b).get(f"/homework/{reveal.pk}/").content.decode())
    assert (
        content.sharing_rule(
            reveal_together=True, widest="couple", maximum="couple", on_my_own=False
        )
        in page
    )
    assert "pause-banner" in page


def test_the_homework_page_with_a_change_form_stays_constant(
    reveal: Assignment, clinician: User, partner_a: User, partner_b: User
) -> None:
    ex = reveal.exercise_id
    actions.submit_response(partner_a, reveal, answers=fill(ex, "One"), visibility="clinician")

    def grow() -> None:
        for i in range(5):
            other = actions.assign_homework(
                clinician,
                reveal.case,
                exercise_id="rituals-of-connection",
                due_on=due() + timedelta(days=i + 1),
            )
            actions.submit_response(
                partner_a, other, answers=fill(other.exercise_id, "x"), visibility="clinician"
            )

    assert_constant(signed_in_client(partner_a), f"/homework/{reveal.pk}/", grow)


@pytest.mark.django_db(transaction=True)
def test_answers_already_open_before_the_migration_are_fixed_after_it(
    case: Case, clinician: User, partner_a: User, partner_b: User
) -> None:
    """Answers sent before the edit lock existed: those the other partner could already read
    (shared with both and not waiting for a reveal) count as open from when that began."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("program", "0002_daily_question")]
    after = [("program", "0003_one_default_and_edit_lock")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        assignment_model = old.get_model("program", "Assignment")
        response_model = old.get_model("program", "ExerciseResponse")
        sent = timezone.now() - timedelta(days=2)
        revealed_on = timezone.now() - timedelta(days=1)

        def give(exercise: str, *, reveal: bool, revealed: Any = None) -> Any:
            return assignment_model.objects.create(
                case_id=case.pk,
                exercise_id=exercise,
                title=exercise,
                reveal_together=reveal,
                default_visibility="couple",
                maximum_visibility="couple",
                due_on=due(),
                revealed_at=revealed,
            )

        def answer(assignment: Any, author: User, visibility: str) -> int:
            return response_model.objects.create(
                case_id=case.pk,
                author_id=author.pk,
                assignment=assignment,
                visibility=visibility,
                answers={},
                submitted_at=sent,
            ).pk

        open_now = answer(give("a", reveal=False), partner_a, "couple")
        revealed = answer(give("b", reveal=True, revealed=revealed_on), partner_a, "couple")
        waiting = answer(give("c", reveal=True), partner_a, "couple")
        to_clinician = answer(give("d", reveal=False), partner_a, "clinician")
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        opened = dict(
            new.get_model("program", "ExerciseResponse").objects.values_list(
                "pk", "open_to_partner_at"
            )
        )
        assert opened[open_now] == sent
        assert opened[revealed] == revealed_on
        assert opened[waiting] is None and opened[to_clinician] is None
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
