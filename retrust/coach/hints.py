"""The coach's hints as a writer reads them: one entry per label, each phrase quoted once.

``analyse`` reports every pattern that fired, so one phrase can come back twice (two patterns
of one label, or a short phrase inside a longer one already quoted). A writer should see each
flagged phrase once and each explanation once. A label may come without any span (a learned
model can name a habit without pointing at words): it is shown as its explanation alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrust.coach import lexicon

if TYPE_CHECKING:
    from retrust.coach.analyser import Analysis


@dataclass(frozen=True, slots=True)
class Hint:
    label: str
    explanation: str
    phrases: tuple[str, ...]
    harsh: bool


def hints(analysis: Analysis) -> list[Hint]:
    """One ``Hint`` per label of ``analysis``, in ``lexicon.LABELS`` order (harsh first).

    A phrase is quoted under the first label that claims it; a later span with the same words
    (case aside), or lying inside a span already quoted, is not quoted again.
    """
    quoted: list[tuple[int, int]] = []
    seen: set[str] = set()
    found: list[Hint] = []
    for label in dict.fromkeys(analysis.labels):
        phrases: list[str] = []
        spans = sorted(
            (s for s in analysis.spans if s.label == label), key=lambda s: (s.start, -s.end)
        )
        for span in spans:
            key = " ".join(span.text.casefold().split())
            if not key or key in seen:
                continue
            if any(start <= span.start and span.end <= end for start, end in quoted):
                continue
            seen.add(key)
            quoted.append((span.start, span.end))
            phrases.append(span.text)
        explanation = analysis.explanations.get(label) or lexicon.EXPLANATIONS.get(label, "")
        found.append(Hint(label, explanation, tuple(phrases), label in lexicon.HARSH))
    return found
