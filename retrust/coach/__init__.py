"""The coach: text analysis of a partner's message. Pure Python: no Django, no network.

``analyse(text)`` is the whole interface; see ``analyser`` for how it works and ``lexicon``
for the words and phrase patterns it uses. ``evaluate`` scores it on the labelled corpus in
``data/``.
"""

from retrust.coach.analyser import MAX_CHARS, Analysis, Span, Suggestion, analyse
from retrust.coach.lexicon import EXPLANATIONS, HARSH, LABELS

__all__ = [
    "EXPLANATIONS",
    "HARSH",
    "LABELS",
    "MAX_CHARS",
    "Analysis",
    "Span",
    "Suggestion",
    "analyse",
]
