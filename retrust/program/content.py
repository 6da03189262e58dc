"""The exercise library: Markdown files with front matter, parsed and checked. No Django.

Each file in ``exercises/`` is one exercise. Its front matter says who does it, how long it
takes, who may see the answers and which questions it asks; its body is the guidance, in
Markdown. ``load_library`` reads every file and stops at the first problem with an
``ExerciseFileError`` that names the file and the field, so a broken file never reaches a
couple: the app refuses to start instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter
import nh3
import yaml
from markdown_it import MarkdownIt

from retrust.core.rules import Visibility

STAGES = range(0, 6)
TRACKS = ("conjoint", "individual", "discernment")
# Who does an exercise, in the therapy's own words.
WHO = {
    "hurt_partner": "The partner who was hurt",
    "trust_breaker": "The partner who broke trust",
    "both": "Both partners, each on their own first",
    "individual": "The partner working on their own",
}
VISIBILITIES = ("private", "clinician", "couple")  # narrowest first, as in core.rules.ORDER
# One default for every exercise, so a partner never has to learn each one's habits: sent
# answers go to the clinician who gave the homework, and reach the other partner only when the
# author chooses "both of us" (for reveal-together exercises, only once both have sent theirs).
# A file sets only how wide its answers may ever go (``visibility: {maximum: …}``).
DEFAULT_VISIBILITY = "clinician"
FIELDS = {
    "long_text": "A few sentences or more",
    "short_text": "A line",
    "scale_1_5": "A number from 1 to 5",
}
MAX_MINUTES = 180
REQUIRED = (
    "id",
    "title",
    "stage",
    "tracks",
    "who",
    "minutes",
    "visibility",
    "reveal_together",
    "prompts",
)
ALLOWED_TAGS = {"p", "em", "strong", "ul", "ol", "li", "h2", "h3", "blockquote", "br", "a"}


class ExerciseFileError(ValueError):
    """A content file we refuse to load, naming the file and the field at fault."""

    def __init__(self, path: str, field: str, message: str) -> None:
        super().__init__(f"{path}: field '{field}': {message}")
        self.path = path
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Prompt:
    key: str
    label: str
    field: str
    help: str = ""


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    stage: int
    tracks: tuple[str, ...]
    who: str
    minutes: int
    maximum_visibility: str
    reveal_together: bool
    prompts: tuple[Prompt, ...]
    summary: str
    body_html: str
    topic: str = ""

    @property
    def who_label(self) -> str:
        return WHO[self.who]

    @property
    def default_visibility(self) -> str:
        return default_visibility(self.maximum_visibility)

    def visibility_choices(self) -> tuple[str, ...]:
        """Every visibility an author may pick: the maximum and anything narrower."""
        return VISIBILITIES[: VISIBILITIES.index(self.maximum_visibility) + 1]


def default_visibility(widest: str) -> str:
    """The one default: ``DEFAULT_VISIBILITY``, or narrower when less may be chosen."""
    if VISIBILITIES.index(widest) < VISIBILITIES.index(DEFAULT_VISIBILITY):
        return widest
    return DEFAULT_VISIBILITY


def sharing_rule(*, reveal_together: bool, widest: str, maximum: str, on_my_own: bool) -> str:
    """The default rule in one sentence, as every homework form states it above its send button.

    ``widest``: the widest this author may choose when sending; ``maximum``: the widest the
    exercise ever allows (wider on the individual track, where answers can be shared with a
    partner one by one after sending). The choices are named as the form's own buttons name
    them (``core.rules.VISIBILITY_LABELS``).
    """
    clinician = "Your clinician reads your answers once you send them"
    only_me = Visibility.PRIVATE.label.lower()
    if on_my_own:
        return f"{clinician}, unless you choose “{only_me}”."
    if widest != Visibility.COUPLE:
        partner = (
            "you can share them with your partner afterwards if you wish"
            if maximum == Visibility.COUPLE
            else "your partner never sees them"
        )
        return f"{clinician} (unless you choose “{only_me}”); {partner}."
    both = Visibility.COUPLE.label.lower()
    when = "only once you have both sent yours" if reveal_together else "as soon as you send them"
    return f"{clinician}; your partner reads them only if you choose “{both}”, and then {when}."


_markdown = MarkdownIt("commonmark", {"html": False})


def render_markdown(text: str) -> str:
    """Markdown to HTML, raw HTML switched off and the result sanitised to a small allow-list."""
    return nh3.clean(_markdown.render(text), tags=ALLOWED_TAGS, link_rel="noopener noreferrer")


def _text(meta: Mapping[str, Any], name: str, where: str, *, limit: int = 200) -> str:
    value = meta.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ExerciseFileError(where, name, "must be non-empty text")
    if len(value) > limit:
        raise ExerciseFileError(where, name, f"must be at most {limit} characters")
    return value.strip()


def _prompts(raw: Any, where: str) -> tuple[Prompt, ...]:
    if not isinstance(raw, list) or not raw:
        raise ExerciseFileError(where, "prompts", "must be a list with at least one prompt")
    prompts: list[Prompt] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        field = f"prompts[{i}]"
        if not isinstance(item, dict):
            raise ExerciseFileError(where, field, "must be a mapping with key, label and field")
        key = _text(item, "key", where, limit=40) if "key" in item else ""
        if not key or not key.replace("_", "").isalnum() or not key.islower():
            raise ExerciseFileError(where, f"{field}.key", "must be lower-case letters and _")
        if key in seen:
            raise ExerciseFileError(where, f"{field}.key", f"'{key}' is used twice")
        seen.add(key)
        if not isinstance(item.get("label"), str) or not item["label"].strip():
            raise ExerciseFileError(where, f"{field}.label", "must be non-empty text")
        kind = item.get("field")
        if kind not in FIELDS:
            raise ExerciseFileError(where, f"{field}.field", f"must be one of {sorted(FIELDS)}")
        help_text = item.get("help", "")
        if not isinstance(help_text, str):
            raise ExerciseFileError(where, f"{field}.help", "must be text")
        prompts.append(Prompt(key, item["label"].strip(), kind, help_text.strip()))
    return tuple(prompts)


def parse_exercise(text: str, where: str) -> Exercise:
    """One exercise from the text of its file; ``where`` names the file in any error."""
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise ExerciseFileError(where, "front matter", f"is not valid YAML ({exc})") from exc
    meta = post.metadata
    for name in REQUIRED:
        if name not in meta:
            raise ExerciseFileError(where, name, "is missing")
    unknown = set(meta) - set(REQUIRED) - {"topic", "summary"}
    if unknown:
        raise ExerciseFileError(where, sorted(unknown)[0], "is not a known field")
    ident = _text(meta, "id", where, limit=60)
    if not all(part.isalnum() and part.islower() for part in ident.split("-")):
        raise ExerciseFileError(where, "id", "must be lower-case words joined by '-'")
    stem = Path(where).stem
    if stem != ident:
        raise ExerciseFileError(where, "id", f"must match the file name ('{stem}')")
    stage = meta["stage"]
    if not isinstance(stage, int) or isinstance(stage, bool) or stage not in STAGES:
        raise ExerciseFileError(where, "stage", "must be a whole number from 0 to 5")
    tracks = meta["tracks"]
    if (
        not isinstance(tracks, list)
        or not tracks
        or any(t not in TRACKS for t in tracks)
        or len(set(tracks)) != len(tracks)
    ):
        raise ExerciseFileError(where, "tracks", f"must be a list drawn from {list(TRACKS)}")
    who = meta["who"]
    if who not in WHO:
        raise ExerciseFileError(where, "who", f"must be one of {sorted(WHO)}")
    minutes = meta["minutes"]
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise ExerciseFileError(where, "minutes", f"must be a whole number from 1 to {MAX_MINUTES}")
    visibility = meta["visibility"]
    if not isinstance(visibility, dict):
        raise ExerciseFileError(where, "visibility", "must have 'maximum'")
    if "default" in visibility:
        raise ExerciseFileError(
            where,
            "visibility.default",
            "is one rule for every exercise (content.DEFAULT_VISIBILITY); give only 'maximum'",
        )
    maximum = visibility.get("maximum")
    if maximum not in VISIBILITIES:
        raise ExerciseFileError(where, "visibility.maximum", f"must be one of {VISIBILITIES}")
    if set(visibility) != {"maximum"}:
        raise ExerciseFileError(where, "visibility", "must have only 'maximum'")
    reveal = meta["reveal_together"]
    if not isinstance(reveal, bool):
        raise ExerciseFileError(where, "reveal_together", "must be true or false")
    if reveal and (who != "both" or maximum != "couple"):
        raise ExerciseFileError(
            where,
            "reveal_together",
            "only fits an exercise both partners do whose answers the couple may share",
        )
    body = post.content.strip()
    if not body:
        raise ExerciseFileError(where, "body", "the guidance below the front matter is empty")
    summary = meta.get("summary") or body.split("\n\n")[0]
    if not isinstance(summary, str):
        raise ExerciseFileError(where, "summary", "must be text")
    topic = meta.get("topic", "")
    if not isinstance(topic, str):
        raise ExerciseFileError(where, "topic", "must be text")
    return Exercise(
        id=ident,
        title=_text(meta, "title", where),
        stage=stage,
        tracks=tuple(tracks),
        who=who,
        minutes=minutes,
        maximum_visibility=maximum,
        reveal_together=reveal,
        prompts=_prompts(meta["prompts"], where),
        summary=summary.strip(),
        body_html=render_markdown(body),
        topic=topic.strip(),
    )


def load_library(paths: Iterable[Path]) -> dict[str, Exercise]:
    """Every exercise by id, in stage then title order; the first bad file raises."""
    exercises: dict[str, Exercise] = {}
    for path in sorted(paths):
        exercise = parse_exercise(path.read_text(encoding="utf-8"), str(path))
        if exercise.id in exercises:
            raise ExerciseFileError(str(path), "id", f"'{exercise.id}' is used by another file")
        exercises[exercise.id] = exercise
    return dict(sorted(exercises.items(), key=lambda kv: (kv[1].stage, kv[1].title)))


EXERCISE_DIR = Path(__file__).parent / "exercises"
_library: dict[str, Exercise] | None = None


def library() -> dict[str, Exercise]:
    """The shipped library, loaded once per process (at start-up, from ``ProgramConfig``)."""
    global _library
    if _library is None:
        _library = load_library(EXERCISE_DIR.glob("*.md"))
    return _library
