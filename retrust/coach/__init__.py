"""The coach: text analysis of a partner's message. Pure Python: no Django, no network.

``analyse(text)`` is the whole interface; see ``analyser`` for how the rules work, ``lexicon``
for the words and phrase patterns they use, and ``model`` for the learned layer beside them
(its weights in ``data/model.json``, written by ``train``, a dev-only tool). ``evaluate``
scores it on the labelled corpus in ``data/``.
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
