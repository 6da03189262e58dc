"""What the coach offers in place of a harsh draft, for each role. Pure Python, no Django.

A **speaker** gets a gentle start-up, "I feel <feeling> <situation>. <need>", built from the
message's own words (``speaker_suggestion``). The situation must read as one grammatical,
blame-free sentence, so it is never a raw slice of the message: an accusation such as
"On Monday you forgot…" becomes "about what happened on Monday", "you always leave the dishes
in the sink" becomes "about the dishes in the sink", "you never call" becomes "when I hoped you
would call". When no rule can make the writer's words into a grammatical situation, the part
stays a bracketed blank for the writer to fill: a blank is better than a wrong sentence.

A **listener** (the one who sums up in a speaker–listener conversation) gets a template for
listening instead: say back what you heard, check you got it right, and say what makes sense
in it (``LISTENER_TEMPLATE``). Nothing here is stored or sent anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress
from typing import TYPE_CHECKING, Any

from retrust.coach import lexicon

if TYPE_CHECKING:
    from retrust.coach.analyser import Analysis

SPEAKER, LISTENER = "speaker", "listener"
ROLES = (SPEAKER, LISTENER)

FEELING_PLACEHOLDER = "[the feeling underneath: hurt? worried? lonely?]"
SITUATION_PLACEHOLDER = "when [one specific moment, described the way a camera would see it]"
NEED_PLACEHOLDER = "What would help me is [one thing your partner could do]."


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A gentle start-up scaffold. ``None`` parts are left for the writer to fill in."""

    feeling: str | None
    situation: str | None
    need: str | None
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "feeling": self.feeling,
            "situation": self.situation,
            "need": self.need,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class ListenerTemplate:
    """The listener's turn in three steps: what I heard, did I get it, what makes sense."""

    heard: str
    check: str
    validate: str

    @property
    def text(self) -> str:
        return f"{self.heard} {self.check} {self.validate}"

    def as_dict(self) -> dict[str, Any]:
        return {"heard": self.heard, "check": self.check, "validate": self.validate}


LISTENER_TEMPLATE = ListenerTemplate(
    heard="What I heard you say is [the heart of it, in your own words, without your side yet].",
    check="Did I get that right, or is there something I missed?",
    validate=(
        "What makes sense to me is [the part you can understand, even if you see it differently]."
    ),
)


def is_break_request(words: list[str], end: int) -> bool:
    """True when a need ("I need", "can we") is a request for a break, not a need to discuss."""
    window = words[end : end + 3]
    return any(word in lexicon.WORDS["BREAK"] for word in window)


# --- the words the rules use -----------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


DAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
MONTHS = _words("january february march april june july august september october november december")
_PROPER = DAYS | MONTHS | _words("christmas easter")
_JOINERS = frozenset({"and", "but", "so", "because", "then", "also", "plus", "or"})
_DETERMINERS = _words(
    "the my our your his her their this these those a an"
)  # what starts a noun phrase we can talk "about" ("that" is too often "that matters")
_SUBJECTS = _words("i we you he she they it that") | _DETERMINERS
_PERSONS = _words("me you him her us them myself yourself")
_PREPOSITIONS = _words("over to at on in for with from about without than like")
_FUNCTION = _PERSONS | _PREPOSITIONS | _DETERMINERS | _words("and but or is are was were")
_NP_STOPS = _words(
    """open down up off out away back again like when while if because before after that who
    which where as so and but or"""
)
# Words that only make sense after a negation: "never tell me anything" does not turn into
# "I hoped you would tell me anything".
_NEGATIVE_ONLY = _words("anything anyone anybody any ever yet")
_FILLERS = _words("ever even once really actually just literally")
_TRAILING = _words(
    """again anyway though lol too now obviously seriously honestly even still ever"""
)
# A part may not end on a word that needs something after it.
_DANGLING = _words(
    """and but so or to the a an of with for my your our his her their because then when if
    that at on in about from by as is are was were be been i you we"""
)
# Verbs after "you never" that are not a base form ("you never listened", "you never are").
_NOT_BASE = _words(
    """is are was were has had did does am went came saw said told took gave got made left
    forgot thought knew brought bought kept ran sat stood felt heard meant paid
    sent spent understood wrote"""
)
_PAST = _words(
    """went came saw got sat stood left waited stayed walked drove arrived asked told said
    tried called texted spent found heard lost missed sent spoke talked made took"""
)
_MENTAL = _words("think thought know knew guess mean wonder suppose bet swear hope wish")
_COMMON = (
    lexicon.ENGLISH
    | _DETERMINERS
    | _JOINERS
    | _SUBJECTS
    | _words("""oh wow well yeah great fine sure never always again thanks nothing everything
    whatever really honestly seriously""")
)

# Moments a message names, by first word, longest first; "@day" and friends are word slots.
_DAY_PARTS = _words("morning afternoon evening night")
_ANCHOR_STARTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "yesterday": (("yesterday", "@part"), ("yesterday",)),
    "last": (("last", "@day", "@part"), ("last", "@day"), ("last", "@when")),
    "this": (("this", "@part"), ("this", "@day"), ("this", "week"), ("this", "weekend")),
    "on": (
        ("on", "@day", "@part"),
        ("on", "@day"),
        ("on", "the", "weekend"),
        ("on", "my", "birthday"),
        ("on", "our", "anniversary"),
    ),
    "at": (
        ("at", "dinner"),
        ("at", "lunch"),
        ("at", "breakfast"),
        ("at", "the", "party"),
        ("at", "the", "wedding"),
        ("at", "the", "weekend"),
        ("at", "christmas"),
    ),
    "over": (("over", "the", "weekend"),),
    "the": (("the", "other", "day"), ("the", "other", "night")),
    "earlier": (("earlier", "today"), ("earlier",)),
}  # not "tonight" or "today" alone: they name a request's time as often as a past moment
_LAST_WHEN = _words("night week weekend time month year")
_SLOTS = {"@day": DAYS, "@part": _DAY_PARTS, "@when": _LAST_WHEN}
_HURTFUL = lexicon.WORDS["TRAIT"] | lexicon.WORDS["INSULT"]
_TRIMMED = _TRAILING | _DANGLING
_ANCHOR_FIRST = DAYS | frozenset(_ANCHOR_STARTS)
"""The words a named moment can start with (``_anchor_at`` returns at once on any other)."""
_NOT_FEELING = lexicon.WORDS["SOFTENER"] | _words("i feel felt am was feeling getting got get")


# --- rendering a run of the message's tokens -----------------------------------------------


@dataclass(frozen=True, slots=True)
class _Message:
    text: str
    words: list[str]
    starts: list[int]
    ends: list[int]

    def is_break(self, i: int) -> bool:
        return not self.words[i][0].isalnum()

    def sentence_start(self, i: int) -> bool:
        return i == 0 or self.words[i - 1] in (".", "!", "?", "\u2026")

    def word(self, i: int) -> str:
        """Token ``i`` as it belongs mid-sentence: "I", days and names capitalised, the rest
        lower-cased (shouting, a capital left over from the start of the writer's sentence)."""
        low = self.words[i]
        if low == "i":
            return "I"
        if low in _PROPER or (low.endswith("s") and low[:-1] in DAYS):
            return low.capitalize()
        shared = (i > 0 and self.starts[i - 1] == self.starts[i]) or (
            i + 1 < len(self.words) and self.starts[i + 1] == self.starts[i]
        )
        if shared:  # one half of an expanded contraction: "didn't" -> "did", "not"
            return low
        surface = self.text[self.starts[i] : self.ends[i]].replace("\u2019", "'")
        if low.endswith("s") and self.text[self.ends[i] : self.ends[i] + 1] in ("'", "\u2019"):
            low, surface = low + "'", surface + "'"  # "the kids' schedules"
        capitalised = surface[:1].isupper() and not surface.isupper()
        if capitalised and not self.sentence_start(i) and low not in _COMMON:
            return surface  # a name the writer capitalised mid-sentence
        return low

    def render(self, first: int, stop: int) -> str:
        out: list[str] = []
        for i in range(first, stop):
            if self.is_break(i):
                continue
            shown = self.word(i)
            if out and out[-1].lower() == shown.lower():
                continue  # "the the": a slip of the thumb, not something to repeat back
            out.append(shown)
        return " ".join(out)

    def clause_end(self, first: int, limit: int, joiners: bool = True) -> int | None:
        """Token index where the clause starting at ``first`` stops, or None when it runs past
        ``limit`` tokens (a part cut off mid-clause is not a sentence)."""
        stop = first
        words = self.words
        n = len(words)
        while stop < n and words[stop][0].isalnum():  # not is_break(stop), inlined
            if joiners and stop - first >= 3 and words[stop] in _JOINERS:
                break
            if stop - first >= limit:
                return None
            stop += 1
        return stop


def _trim(message: _Message, first: int, stop: int) -> int:
    """``stop`` moved back past trailing filler and words that leave the part dangling."""
    while stop > first and message.words[stop - 1] in _TRIMMED:
        stop -= 1
    return stop


# --- the situation, one rule at a time ------------------------------------------------------


def _free(message: _Message, first: int, stop: int, blocked: set[int]) -> bool:
    """True when tokens ``first``..``stop`` hold nothing harsh, hurtful or already the
    writer's own feeling or need."""
    return not blocked.intersection(range(first, stop)) and _HURTFUL.isdisjoint(
        message.words[first:stop]
    )


def _noun_phrase(message: _Message, first: int, stop: int, blocked: set[int]) -> str | None:
    """ "about <the noun phrase>" from a verb's object: "leave the dishes in the sink".

    The phrase ends before what would not read after "about": a particle or complement
    ("the door open", "the seat down"), a new clause ("the kitchen like a bomb went off"), or
    a preposition pointing at a person ("your phone over me")."""
    words = message.words
    for d in range(first + 1, stop):
        if words[d] not in _DETERMINERS:
            continue
        if d + 1 >= stop or words[d + 1] in _FUNCTION:
            return None  # "do this to me": "this" stands alone, no noun follows
        end = d + 2
        while end < stop and words[end] not in _NP_STOPS:
            if words[end] in _PREPOSITIONS and end + 1 < stop and words[end + 1] in _PERSONS:
                break
            end += 1
        end = _trim(message, d, end)
        if 2 <= end - d <= 8 and _free(message, d, end, blocked):
            return "about " + message.render(d, end)
        return None
    return None


def _from_when(message: _Message, first: int, blocked: set[int]) -> str | None:
    """The writer's own "when …" clause, kept as it is when it is a statement."""
    words = message.words
    if first + 1 >= len(words) or words[first + 1] not in _SUBJECTS:
        return None  # "when are you coming home" asks; it does not describe
    stop = message.clause_end(first + 1, 14)
    if stop is None or (stop < len(words) and words[stop] == "?"):
        return None
    # "when you came home late I was scared": the clause ends where the writer's feeling starts.
    stop = next((i for i in range(first + 1, stop) if i in blocked), stop)
    stop = _trim(message, first + 1, stop)
    if stop - first < 3 or not _free(message, first, stop, blocked):
        return None
    return "when " + message.render(first + 1, stop)


def _from_always_never(message: _Message, last: int, blocked: set[int]) -> str | None:
    """What "you always / you never …" was about, without the "always" and the blame."""
    words = message.words
    b = last
    while b < len(words) and words[b] in _FILLERS:
        b += 1
    stop = message.clause_end(b, 12)
    if stop is None or b >= stop:
        return None
    stop = _trim(message, b, stop)
    if stop <= b or not _free(message, b, stop, blocked):
        return None
    before = words[last - 2] if last >= 2 else ""
    if words[last - 1] == "never":
        if before in ("are", "were") and _NEGATIVE_ONLY.isdisjoint(words[b:stop]):
            return "when I hoped you would be " + message.render(b, stop)
        verb = words[b]
        negative_only = not _NEGATIVE_ONLY.isdisjoint(words[b:stop])
        if (
            before == "you"
            and verb not in _NOT_BASE
            and not verb.endswith("ed")
            and not negative_only
        ):
            return "when I hoped you would " + message.render(b, stop)
    return _noun_phrase(message, b, stop, blocked)


def _anchor_at(message: _Message, i: int) -> int:
    """Token index after a named moment ("on Monday", "last night") starting at ``i``, or i."""
    words = message.words
    n = len(words)
    if words[i] in DAYS:
        return i + 2 if i + 1 < n and words[i + 1] in _DAY_PARTS else i + 1
    for shape in _ANCHOR_STARTS.get(words[i], ()):
        j = i
        for want in shape:
            if j >= n:
                break
            word = words[j]
            if word != want and word not in _SLOTS.get(want, ()):
                break
            j += 1
        else:
            return j
    return i


def _from_moment(message: _Message, blocked: set[int]) -> str | None:
    """ "about what happened on Monday": a moment the message names, with no one's blame
    (not one inside the writer's own need: "could you take them on Saturday")."""
    words = message.words
    for i in compress(range(len(words)), map(_ANCHOR_FIRST.__contains__, words)):
        end = _anchor_at(message, i)
        if end > i and not blocked.intersection(range(i, end)):
            moment = message.render(i, end)
            if message.words[i] in DAYS:
                moment = "on " + moment
            return "about what happened " + moment
    return None


def _clauses(message: _Message) -> Iterable[tuple[int, int, bool]]:
    """(first, stop, is a question) for each run of words between punctuation."""
    words = message.words
    first = 0
    n = len(words)
    for i in range(n + 1):
        if i == n or not words[i][0].isalnum():  # is_break(i), inlined
            if i > first:
                yield first, i, i < len(words) and words[i] == "?"
            first = i + 1


def _from_clauses(message: _Message, blocked: set[int]) -> str | None:
    """A clause of the writer's own: "you forgot my birthday" -> "about my birthday";
    "I waited at the station" -> "when I waited at the station"."""
    words = message.words
    for first, stop, question in _clauses(message):
        if question:
            continue
        while first < stop and words[first] in _JOINERS:
            first += 1
        end = message.clause_end(first, 14)
        if end is None or first >= end:
            continue
        if words[first] == "you":
            found = _noun_phrase(message, first + 1, end, blocked)
            if found:
                return found
        elif words[first] in ("i", "we") and first + 1 < end:
            verb = words[first + 1]
            past = verb in _PAST or (verb.endswith("ed") and not verb.endswith("eed"))
            if past and verb not in _MENTAL:
                end = _trim(message, first, end)
                if end - first >= 3 and _free(message, first, end, blocked):
                    return "when " + message.render(first, end)
    return None


# --- the scaffold -------------------------------------------------------------------------


def _feeling(message: _Message, first: int, last: int) -> str | None:
    kept = [i for i in range(first, last) if message.words[i] not in _NOT_FEELING]
    return message.render(kept[0], kept[-1] + 1) if kept else None


def _need(message: _Message, first: int, last: int, blocked: set[int]) -> str | None:
    if is_break_request(message.words, last):
        return None
    stop = message.clause_end(last, 14, joiners=False)
    if stop is None or stop <= last:
        return None
    stop = _trim(message, first, stop)
    if stop <= last or not _free(message, first, stop, blocked):
        return None
    said = message.render(first, stop)
    said = said[0].upper() + said[1:]
    asking = message.words[first] in ("could", "can", "would", "will", "please")
    return said + ("?" if asking else ".")


def speaker_suggestion(
    text: str,
    words: list[str],
    starts: list[int],
    ends: list[int],
    kept: list[tuple[str, int, int]],
) -> Suggestion:
    """The gentle start-up for a harsh message, from ``analyse``'s tokens and matches.

    ``kept`` holds (label, first token, token after last) for the labels found and for the
    writer's feeling (``_feeling``), need (``_need``) and "when" (``_when``) phrases.
    """
    message = _Message(text, words, starts, ends)
    blocked: set[int] = set()
    for label, first, last in kept:
        if label in lexicon.HARSH:
            blocked.update(range(first, last))

    feeling = need = situation = None
    for label, first, last in kept:
        if label == "_feeling" and feeling is None:
            feeling = _feeling(message, first, last)
        elif label == "_need" and need is None:
            need = _need(message, first, last, blocked)
    # The writer's own feeling and need are theirs already: no situation is made of them.
    for label, first, last in kept:
        if label == "_feeling":
            blocked.update(range(first, last))
        elif label == "_need":  # the whole request: "could you take them on Saturday"
            while last < len(words) and not message.is_break(last):
                last += 1
            blocked.update(range(first, last))
    for label, first, _last in kept:
        if label == "_when" and situation is None:
            situation = _from_when(message, first, blocked)
    situation = situation or _from_moment(message, blocked)
    for label, _first, last in kept:
        if situation is None and label == "criticism" and words[last - 1] in ("always", "never"):
            situation = _from_always_never(message, last, blocked)
    situation = situation or _from_clauses(message, blocked)

    opening = f"I feel {feeling or FEELING_PLACEHOLDER} {situation or SITUATION_PLACEHOLDER}."
    return Suggestion(
        feeling=feeling,
        situation=situation,
        need=need[:-1] if need else None,
        text=f"{opening} {need or NEED_PLACEHOLDER}",
    )


def offer(analysis: Analysis | None, role: str) -> Suggestion | ListenerTemplate | None:
    """What the coach offers this writer: the listener always gets the listener's template
    (summing up is their whole turn); a speaker gets a gentle start-up for a harsh draft."""
    if role == LISTENER:
        return LISTENER_TEMPLATE
    return analysis.suggestion if analysis is not None else None
