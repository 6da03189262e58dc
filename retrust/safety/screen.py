"""The private safety questions and how answers are read. Pure Python, no Django.

Written for retrust. This is a conversation prompt for the clinician, not a validated
instrument, and it produces no score: only "something here needs a conversation soon".
"""

from __future__ import annotations

from dataclasses import dataclass

YES, NO, UNSURE = "yes", "no", "unsure"
ANSWERS = (
    (NO, "No"),
    (YES, "Yes"),
    (UNSURE, "I'm not sure, or I'd rather talk about it"),
)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    # A "yes" to a concern question pauses couple-shared work until the clinician has seen
    # each partner alone. The messaging question is about contact, not about the partner.
    concern: bool = True


QUESTIONS: tuple[Question, ...] = (
    Question("fear", "Are there times when you feel afraid of your partner?"),
    Question(
        "hurt",
        "In the last year, has your partner hurt you, pushed you, or threatened to hurt you?",
    ),
    Question(
        "control",
        "Does your partner control your money, check your phone, track where you go, "
        "or limit who you can see?",
    ),
    Question(
        "sex", "Has your partner pressured or forced you into sexual contact you didn't want?"
    ),
    Question(
        "threats",
        "Has your partner threatened to harm children or pets, or used or mentioned a weapon "
        "to frighten you?",
    ),
    Question(
        "safe_messages",
        "Is it safe for you to get emails or notifications from retrust where you live?",
        concern=False,
    ),
)
QUESTION_IDS = tuple(q.id for q in QUESTIONS)


@dataclass(frozen=True)
class Reading:
    positive: bool
    needs_conversation: bool
    safe_to_message: bool


def read(answers: dict[str, str]) -> Reading:
    """Interpret a complete set of answers.

    ``positive``: any concern answered yes. ``needs_conversation``: positive, or any concern
    answered "not sure". ``safe_to_message``: only a clear yes to the messaging question.
    """
    missing = [qid for qid in QUESTION_IDS if answers.get(qid) not in (YES, NO, UNSURE)]
    if missing:
        raise ValueError(f"Unanswered: {', '.join(missing)}")
    concerns = [answers[q.id] for q in QUESTIONS if q.concern]
    positive = YES in concerns
    return Reading(
        positive=positive,
        needs_conversation=positive or UNSURE in concerns,
        safe_to_message=answers["safe_messages"] == YES,
    )
