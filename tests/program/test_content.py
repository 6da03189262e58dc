"""The exercise library: every file is valid, the topics are covered, bad files stop start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from retrust.program import content

GOOD = """---
id: {id}
title: A small exercise
stage: 1
tracks: [conjoint]
who: both
minutes: 10
visibility: {{maximum: couple}}
reveal_together: true
prompts:
  - {{key: first, label: "What do you notice?", field: long_text}}
---
Some kind words of guidance.
"""


def write(tmp_path: Path, text: str, name: str = "small-exercise") -> Path:
    path = tmp_path / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_library_has_at_least_24_exercises():
    assert len(content.library()) >= 24


@pytest.mark.parametrize(
    "topic_words",
    [
        "telling-the-hurt",
        "hearing-without-defending",
        "accountability-letter",
        "questions-and-honest-answers",
        "disclosure-conversation-plan",
        "past-wounds-and-family-patterns",
        "attachment-reflection",
        "appreciation-practice",
        "daily-needs-check-in",
        "rituals-of-connection",
        "getting-to-know-you-again",
        "a-vulnerable-conversation",
        "gentle-start-up",
        "taking-a-break-well",
        "finding-a-compromise",
        "weekly-commitments-review",
        "celebrating-progress",
        "relapse-prevention-plan",
    ],
)
def test_each_topic_of_the_issue_has_an_exercise(topic_words):
    assert topic_words in content.library()


def test_individual_and_discernment_tracks_have_their_own_exercises():
    library = content.library().values()
    assert sum(1 for e in library if e.tracks == ("individual",)) >= 2
    assert sum(1 for e in library if "discernment" in e.tracks and e.who == "both") >= 3


def test_every_exercise_states_its_sharing_rules_and_has_prompts():
    for exercise in content.library().values():
        assert exercise.prompts, exercise.id
        assert exercise.default_visibility in exercise.visibility_choices()
        assert exercise.minutes > 0
        if exercise.reveal_together:
            assert exercise.who == "both" and exercise.maximum_visibility == "couple"


def test_no_trademarked_method_names_in_the_content():
    for path in content.EXERCISE_DIR.glob("*.md"):
        text = path.read_text().lower()
        assert "gottman" not in text and "four horsemen" not in text, path.name


def test_a_good_file_parses(tmp_path):
    path = write(tmp_path, GOOD.format(id="small-exercise"))
    library = content.load_library([path])
    assert library["small-exercise"].prompts[0].key == "first"
    assert "<p>Some kind words" in library["small-exercise"].body_html


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("stage: 1", "stage: 9"), "stage"),
        (("who: both", "who: everyone"), "who"),
        (("minutes: 10", "minutes: 0"), "minutes"),
        (("tracks: [conjoint]", "tracks: [solo]"), "tracks"),
        (("{maximum: couple}", "{default: clinician, maximum: couple}"), "visibility.default"),
        (("maximum: couple", "maximum: everyone"), "visibility.maximum"),
        (("maximum: couple", "maximum: clinician"), "reveal_together"),
        (("reveal_together: true", "reveal_together: maybe"), "reveal_together"),
        (("field: long_text", "field: essay"), "prompts[0].field"),
        (("key: first", "key: First One"), "prompts[0].key"),
        (("title: A small exercise\n", ""), "title"),
        (("id: small-exercise", "id: another-name"), "id"),
        (("minutes: 10", "minutes: 10\ncolour: blue"), "colour"),
    ],
)
def test_a_malformed_file_is_refused_naming_file_and_field(tmp_path, change, field):
    text = GOOD.format(id="small-exercise").replace(*change)
    path = write(tmp_path, text)
    with pytest.raises(content.ExerciseFileError) as caught:
        content.load_library([path])
    assert caught.value.field == field
    assert "small-exercise.md" in str(caught.value)
    assert f"field '{field}'" in str(caught.value)


def test_every_exercise_has_the_one_default(tmp_path):
    """No file sets its own default: every exercise starts at the clinician, or narrower only
    where the exercise allows no more than that."""
    for exercise in content.library().values():
        assert exercise.default_visibility == "clinician", exercise.id
    text = GOOD.format(id="small-exercise").replace("maximum: couple", "maximum: private")
    text = text.replace("reveal_together: true", "reveal_together: false")
    assert content.load_library([write(tmp_path, text)])["small-exercise"].default_visibility == (
        "private"
    )


def test_raw_html_in_guidance_is_not_passed_through(tmp_path):
    text = (
        GOOD.format(id="small-exercise") + "\n<script>alert(1)</script>\n[x](javascript:alert(1))"
    )
    html = content.load_library([write(tmp_path, text)])["small-exercise"].body_html
    assert "<script" not in html and 'href="javascript' not in html


def test_a_malformed_file_stops_start_up(tmp_path, monkeypatch):
    write(tmp_path, GOOD.format(id="small-exercise").replace("who: both", "who: anyone"))
    monkeypatch.setattr(content, "EXERCISE_DIR", tmp_path)
    monkeypatch.setattr(content, "_library", None)
    with pytest.raises(ImproperlyConfigured) as caught:
        apps.get_app_config("program").ready()
    assert "small-exercise.md" in str(caught.value)
    assert "field 'who'" in str(caught.value)


def test_checkexercises_command_summarises_and_names_bad_files(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("checkexercises", stdout=out)
    assert f"{len(content.library())} exercises, all valid" in out.getvalue()
    write(tmp_path, GOOD.format(id="small-exercise").replace("minutes: 10", "minutes: lots"))
    with pytest.raises(CommandError, match=r"small-exercise\.md: field 'minutes'"):
        call_command("checkexercises", str(tmp_path))
