"""“Is it time to get help?” — a short reflection, not a test. No Django.

The questions are written for retrust from the signs the practice literature names. There is no
score and no cut-off: the result only names which signs the visitor recognised, and whether an
answer suggests danger, in which case the page leads with crisis resources and a safety-first
route. Nothing here is stored; ``encode`` makes the compact form a visitor may choose to send
with a consultation request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

NOT_REALLY, SOMETIMES, OFTEN = "not_really", "sometimes", "often"
YES, NO, RATHER_NOT_SAY = "yes", "no", "rather_not_say"

SIGN_CHOICES = ((NOT_REALLY, "Not really"), (SOMETIMES, "Sometimes"), (OFTEN, "Often"))
SAFETY_CHOICES = ((NO, "No"), (YES, "Yes"), (RATHER_NOT_SAY, "I'd rather not say"))


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    # What the result page says back when this sign was recognised.
    reflection: str
    safety: bool = False


QUESTIONS: tuple[Question, ...] = (
    Question(
        "arguments",
        "Do the two of you argue often, or feel far apart even in the same room?",
        "Arguments or distance keep coming back.",
    ),
    Question(
        "stuck",
        "Do you feel stuck in resentment, or weighed down by guilt, however much time passes?",
        "Resentment or guilt that doesn't seem to move.",
    ),
    Question(
        "roots",
        "Does it feel hard to say where the trouble between you really started?",
        "Not knowing what lies underneath the trouble.",
    ),
    Question(
        "monitoring",
        "Do you find yourself checking, questioning or needing reassurance — or being checked on?",
        "Checking, suspicion or a constant need for reassurance.",
    ),
    Question(
        "intimacy",
        "Has closeness between you — talking openly, affection, sex — faded?",
        "Closeness that has faded.",
    ),
    Question(
        "afraid",
        "Are you ever afraid of your partner, or of what they might do?",
        "",
        safety=True,
    ),
    Question(
        "self_harm",
        "Have you had thoughts of hurting yourself or of ending your life?",
        "",
        safety=True,
    ),
)
BY_ID = {q.id: q for q in QUESTIONS}
_ALLOWED = {q.id: {c for c, _ in (SAFETY_CHOICES if q.safety else SIGN_CHOICES)} for q in QUESTIONS}


@dataclass(frozen=True)
class Reflection:
    danger: bool
    recognised: tuple[Question, ...]
    answered: int


def reflect(answers: Mapping[str, str]) -> Reflection:
    """What the answers suggest. A "yes" to a safety question (or a refusal to say) is danger:
    it is better to show resources to someone who did not need them than to miss someone."""
    danger = any(answers.get(q.id) in {YES, RATHER_NOT_SAY} for q in QUESTIONS if q.safety)
    recognised = tuple(
        q for q in QUESTIONS if not q.safety and answers.get(q.id) in {SOMETIMES, OFTEN}
    )
    answered = sum(1 for q in QUESTIONS if answers.get(q.id))
    return Reflection(danger=danger, recognised=recognised, answered=answered)


def clean(answers: Mapping[str, str]) -> dict[str, str]:
    """Only known questions with allowed answers; anything else is dropped."""
    return {k: v for k, v in answers.items() if k in _ALLOWED and v in _ALLOWED[k]}


def encode(answers: Mapping[str, str]) -> str:
    """``arguments=often;afraid=no`` — the form a visitor may send with a request."""
    return ";".join(f"{k}={v}" for k, v in clean(answers).items())


def decode(text: str) -> dict[str, str]:
    pairs = (part.partition("=") for part in text.split(";") if part)
    return clean({k: v for k, _, v in pairs})


def label_of(question_id: str, answer: str) -> str:
    question = BY_ID[question_id]
    choices = dict(SAFETY_CHOICES if question.safety else SIGN_CHOICES)
    return choices.get(answer, answer)
