"""The self-check's pure rules: no score, danger never missed, only known answers travel."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retrust.frontdoor import actions, selfcheck
from retrust.frontdoor.models import RequestStatus

ANY_ANSWERS = st.dictionaries(
    st.sampled_from([q.id for q in selfcheck.QUESTIONS] + ["bogus"]),
    st.sampled_from(["not_really", "sometimes", "often", "yes", "no", "rather_not_say", "x"]),
)


@given(ANY_ANSWERS)
def test_any_yes_or_refusal_on_a_safety_question_is_danger(answers: dict[str, str]) -> None:
    expected = answers.get("afraid") in {"yes", "rather_not_say"} or answers.get("self_harm") in {
        "yes",
        "rather_not_say",
    }
    assert selfcheck.reflect(answers).danger is expected


@given(ANY_ANSWERS)
def test_encoding_keeps_only_known_answers_and_round_trips(answers: dict[str, str]) -> None:
    decoded = selfcheck.decode(selfcheck.encode(answers))
    assert decoded == selfcheck.clean(answers)
    assert "bogus" not in decoded


def test_decoding_ignores_junk() -> None:
    assert selfcheck.decode("afraid=yes;;=;arguments=maybe;<script>=x") == {"afraid": "yes"}


def test_every_request_status_has_a_row_in_the_table_of_next_steps() -> None:
    assert set(actions.NEXT) == set(RequestStatus.values)
    for targets in actions.NEXT.values():
        assert set(targets) <= set(RequestStatus.values)
