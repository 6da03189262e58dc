"""The coach: text analysis of a partner's message. Pure Python: no Django, no network.

``analyse(text)`` reads a draft; ``hints`` lists what a writer sees (each phrase once) and
``offer`` what the coach proposes instead, by role (``scaffold``: a speaker's gentle start-up,
a listener's summing-up template). See ``analyser`` for how it works and ``lexicon`` for the
words and phrase patterns it uses, ``model`` for the learned layer beside the rules (its
weights in ``data/model.json``, written by ``train``, a dev-only tool). ``evaluate`` scores it
on the labelled corpus in ``data/``.
"""

from retrust.coach.analyser import Analysis, Span, analyse
from retrust.coach.hints import Hint, hints
from retrust.coach.lexicon import EXPLANATIONS, HARSH, LABELS
from retrust.coach.scaffold import (
    LISTENER,
    LISTENER_TEMPLATE,
    ROLES,
    SPEAKER,
    ListenerTemplate,
    Suggestion,
    offer,
)
from retrust.coach.tokens import MAX_CHARS

__all__ = [
    "EXPLANATIONS",
    "HARSH",
    "LABELS",
    "LISTENER",
    "LISTENER_TEMPLATE",
    "MAX_CHARS",
    "ROLES",
    "SPEAKER",
    "Analysis",
    "Hint",
    "ListenerTemplate",
    "Span",
    "Suggestion",
    "analyse",
    "hints",
    "offer",
]
