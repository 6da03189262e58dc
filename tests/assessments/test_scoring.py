"""Every shipped instrument scored by hand from its published rules.

Sources for the expected values (facts, not prose):
- PHQ-9: sum of 9 items 0–3, total 0–27; bands 0–4, 5–9, 10–14, 15–19, 20–27 (Kroenke,
  Spitzer & Williams 2001). Reliable change 6 points, caseness 10 (NHS Talking Therapies
  manual; Gyani et al. 2013).
- GAD-7: sum of 7 items 0–3, total 0–21; cut points 5, 10, 15 (Spitzer et al. 2006). Reliable
  change 4 points, caseness 8 (same services).
- CSI-4: sum of item 1 (0–6) and items 2–4 (0–5), total 0–21, higher is more satisfied; below
  13.5 is notable dissatisfaction (Funk & Rogge 2007). Reverse keying is printed into the
  option values, so the score is a plain sum of printed values.
- CSI-16: sum of item 1 (0–6) and items 2–16 (0–5), total 0–81 (6 + 15 × 5), higher is more
  satisfied; below 51.5 is notable dissatisfaction (Funk & Rogge 2007). Item 2 is printed
  All the time = 5 … Never = 0; on the six semantic-differential lines the positive word scores
  5, so INTERESTING, FULL, STURDY and ENJOYABLE (printed on the left) are 5 and the numbers run
  5 → 0 along the line, while BAD–GOOD and DISCOURAGING–HOPEFUL run 0 → 5.
- AUDIT-C: sum of three items 0–4, total 0–12 (WHO AUDIT items 1–3; Bush et al. 1998); no bands
  because the cut-off depends on sex.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from retrust.assessments import registry
from retrust.assessments.definitions import (
    BUNDLED_DIR,
    Instrument,
    InstrumentFileError,
    load_all,
    load_file,
)
from retrust.assessments.reliable_change import (
    classify,
    jacobson_truax_threshold,
    rci,
)
from retrust.assessments.scoring import AnswerError, answers_from_values, check_answers, score


def total(instrument_id: str, values: list[int]) -> tuple[float | None, str | None]:
    instrument = registry.get(instrument_id)
    assert instrument is not None
    result = score(instrument, answers_from_values(instrument, values))["total"]
    return result.score, result.band


def test_the_shipped_instruments_are_the_verified_ones():
    assert set(registry.instruments()) == {
        "phq-9",
        "gad-7",
        "csi-4",
        "csi-16",
        "audit-c",
        "trust-pulse",
        "intake",
    }


# --- PHQ-9 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected_total", "expected_band"),
    [
        ([0] * 9, 0, "Minimal"),
        ([3] * 9, 27, "Severe"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "Minimal"),
        ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "Mild"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1], 9, "Mild"),
        ([2, 1, 1, 1, 1, 1, 1, 1, 1], 10, "Moderate"),
        ([2, 2, 2, 2, 2, 2, 2, 0, 0], 14, "Moderate"),
        ([3, 2, 2, 2, 2, 2, 2, 0, 0], 15, "Moderately severe"),
        ([3, 3, 3, 3, 3, 2, 2, 0, 0], 19, "Moderately severe"),
        ([3, 3, 3, 3, 3, 3, 2, 0, 0], 20, "Severe"),
    ],
)
def test_phq9_totals_and_every_band_boundary(values, expected_total, expected_band):
    assert total("phq-9", values) == (expected_total, expected_band)


def test_phq9_cutoff_is_ten_or_more():
    phq9 = registry.get("phq-9")
    below = score(phq9, answers_from_values(phq9, [1] * 9))["total"]
    at = score(phq9, answers_from_values(phq9, [2] + [1] * 8))["total"]
    assert (below.score, below.beyond_cutoff) == (9, False)
    assert (at.score, at.beyond_cutoff) == (10, True)


def test_phq9_with_a_skipped_item_is_incomplete_not_guessed():
    phq9 = registry.get("phq-9")
    answers = {f"phq9-{i}": 3 for i in range(1, 9)}  # item 9 skipped
    result = score(phq9, answers)["total"]
    assert result.score is None
    assert result.complete is False
    assert (result.answered, result.expected) == (8, 9)
    assert result.band is None


# --- GAD-7 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected_total", "expected_band"),
    [
        ([0] * 7, 0, "Minimal"),
        ([3] * 7, 21, "Severe"),
        ([1, 1, 1, 1, 0, 0, 0], 4, "Minimal"),
        ([1, 1, 1, 1, 1, 0, 0], 5, "Mild"),
        ([2, 2, 2, 2, 1, 0, 0], 9, "Mild"),
        ([2, 2, 2, 2, 2, 0, 0], 10, "Moderate"),
        ([2, 2, 2, 2, 2, 2, 2], 14, "Moderate"),
        ([3, 2, 2, 2, 2, 2, 2], 15, "Severe"),
    ],
)
def test_gad7_totals_and_every_band_boundary(values, expected_total, expected_band):
    assert total("gad-7", values) == (expected_total, expected_band)


def test_gad7_missing_answer_is_incomplete():
    gad7 = registry.get("gad-7")
    assert score(gad7, {"gad7-1": 2})["total"].score is None


# --- CSI-4 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected_total", "expected_band"),
    [
        ([0, 0, 0, 0], 0, "Notable relationship dissatisfaction"),
        ([6, 5, 5, 5], 21, "No notable dissatisfaction"),
        ([4, 3, 3, 3], 13, "Notable relationship dissatisfaction"),
        ([4, 4, 3, 3], 14, "No notable dissatisfaction"),
    ],
)
def test_csi4_totals_and_the_distress_boundary(values, expected_total, expected_band):
    assert total("csi-4", values) == (expected_total, expected_band)


def test_csi4_item_one_has_seven_points_and_the_others_six():
    csi4 = registry.get("csi-4")
    assert [o.value for o in csi4.options_for("csi4-1")] == [0, 1, 2, 3, 4, 5, 6]
    assert [o.value for o in csi4.options_for("csi4-2")] == [0, 1, 2, 3, 4, 5]
    with pytest.raises(AnswerError) as err:
        answers_from_values(csi4, [6, 6, 5, 5])
    assert err.value.link_id == "csi4-2"


def test_csi4_has_no_published_reliable_change_figure():
    csi4 = registry.get("csi-4")
    assert classify(csi4.scale("total"), 8, 20) is None


# --- CSI-16 ---------------------------------------------------------------------------------

# Printed values in form order: item 1 (0–6), items 2–10 (0–5), then the six lines.
CSI16_MAX = [6] + [5] * 15


@pytest.mark.parametrize(
    ("values", "expected_total", "expected_band"),
    [
        ([0] * 16, 0, "Notable relationship dissatisfaction"),
        (CSI16_MAX, 81, "No notable dissatisfaction"),
        # 3 + 15 × 3 = 48; 6 + 15 × 3 = 51, the last total below 51.5; 6 + 14 × 3 + 4 = 52.
        ([3] * 16, 48, "Notable relationship dissatisfaction"),
        ([6] + [3] * 15, 51, "Notable relationship dissatisfaction"),
        ([6] + [3] * 14 + [4], 52, "No notable dissatisfaction"),
    ],
)
def test_csi16_totals_and_the_distress_boundary(values, expected_total, expected_band):
    assert total("csi-16", values) == (expected_total, expected_band)


def test_csi16_cutoff_is_51_or_less():
    csi16 = registry.get("csi-16")
    at = score(csi16, answers_from_values(csi16, [6] + [3] * 15))["total"]
    above = score(csi16, answers_from_values(csi16, [6] + [3] * 14 + [4]))["total"]
    assert (at.score, at.beyond_cutoff) == (51, True)
    assert (above.score, above.beyond_cutoff) == (52, False)


def test_csi16_prints_its_reversed_scales_as_published():
    csi16 = registry.get("csi-16")
    values = {i.linkId: [o.value for o in csi16.options_for(i.linkId)] for i in csi16.items}
    assert values["csi16-1"] == [0, 1, 2, 3, 4, 5, 6]
    # "All the time" is printed first and scores 5.
    assert csi16.options_for("csi16-2")[0].label == "All the time"
    assert values["csi16-2"] == [5, 4, 3, 2, 1, 0]
    assert all(values[f"csi16-{n}"] == [0, 1, 2, 3, 4, 5] for n in range(3, 11))
    lines = {i.linkId: (i.poles, values[i.linkId]) for i in csi16.items if i.poles}
    assert lines == {
        "csi16-11": (("INTERESTING", "BORING"), [5, 4, 3, 2, 1, 0]),
        "csi16-12": (("BAD", "GOOD"), [0, 1, 2, 3, 4, 5]),
        "csi16-13": (("FULL", "EMPTY"), [5, 4, 3, 2, 1, 0]),
        "csi16-14": (("STURDY", "FRAGILE"), [5, 4, 3, 2, 1, 0]),
        "csi16-15": (("DISCOURAGING", "HOPEFUL"), [0, 1, 2, 3, 4, 5]),
        "csi16-16": (("ENJOYABLE", "MISERABLE"), [5, 4, 3, 2, 1, 0]),
    }
    # The instruction printed before the lines belongs to the first of them.
    assert csi16.item("csi16-11").intro.startswith("For each of the following items")


def test_csi16_positive_words_score_high_whichever_side_they_are_printed():
    csi16 = registry.get("csi-16")
    # Every line at its positive word (5): INTERESTING, GOOD, FULL, STURDY, HOPEFUL, ENJOYABLE.
    positive = answers_from_values(csi16, [0] * 16)
    positive.update({f"csi16-{n}": 5 for n in range(11, 17)})
    assert score(csi16, positive)["total"].score == 30


def test_csi16_with_a_skipped_item_is_incomplete_not_guessed():
    csi16 = registry.get("csi-16")
    answers = answers_from_values(csi16, CSI16_MAX)
    del answers["csi16-15"]
    result = score(csi16, answers)["total"]
    assert (result.score, result.complete, result.band) == (None, False, None)


def test_csi16_has_no_published_reliable_change_figure():
    csi16 = registry.get("csi-16")
    assert csi16.scale("total").reliable_change is None
    assert classify(csi16.scale("total"), 30, 70) is None


# --- AUDIT-C --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected_total"), [([0, 0, 0], 0), ([4, 4, 4], 12), ([1, 2, 0], 3)]
)
def test_auditc_totals_without_bands(values, expected_total):
    assert total("audit-c", values) == (expected_total, None)


# --- reverse keying, proration and the schema, on instruments written for the test --------


def make_instrument(**changes) -> Instrument:
    data = {
        "id": "test-form",
        "version": "1",
        "title": "Test form",
        "short_title": "Test",
        "validated": False,
        "citation": "test",
        "licence": "test",
        "respondent": "anyone",
        "recall_period": "none",
        "option_sets": {"five": [{"value": v, "label": str(v)} for v in range(1, 6)]},
        "items": [{"linkId": f"q{i}", "text": f"Q{i}", "options": "five"} for i in range(1, 5)],
        "scales": [
            {
                "id": "total",
                "title": "Total",
                "items": "all",
                "reverse": ["q2"],
                "missing": {"rule": "prorate", "max_missing": 1, "source": "test rule"},
                "direction": "higher_is_better",
            }
        ],
    }
    data.update(changes)
    return Instrument.model_validate(data)


def test_reverse_keyed_items_are_scored_min_plus_max_minus_value():
    form = make_instrument()
    # q2 = 1 on a 1–5 scale scores 5; 5 + 5 + 5 + 5 = 20.
    assert score(form, {"q1": 5, "q2": 1, "q3": 5, "q4": 5})["total"].score == 20
    assert score(form, {"q1": 1, "q2": 5, "q3": 1, "q4": 1})["total"].score == 4


def test_proration_only_within_the_published_limit():
    form = make_instrument()
    one_missing = score(form, {"q1": 4, "q2": 2, "q3": 4})["total"]
    # mean of answered (4, 4, 4 after reversing q2) × 4 items = 16
    assert (one_missing.score, one_missing.prorated) == (16, True)
    two_missing = score(form, {"q1": 4, "q2": 2})["total"]
    assert two_missing.score is None


def test_unknown_items_and_unprinted_values_are_refused_by_name():
    form = make_instrument()
    with pytest.raises(AnswerError) as err:
        check_answers(form, {"q9": 1})
    assert err.value.link_id == "q9"
    with pytest.raises(AnswerError) as err:
        check_answers(form, {"q3": 0})
    assert err.value.link_id == "q3"
    with pytest.raises(AnswerError):
        check_answers(form, {"q3": True})


# --- reliable change --------------------------------------------------------------------


def test_phq9_reliable_change_categories():
    scale = registry.get("phq-9").scale("total")
    assert classify(scale, 18, 8).category == "recovered"  # −10, from case (≥10) to non-case
    assert classify(scale, 20, 12).category == "improved"  # −8 but still ≥10
    assert classify(scale, 12, 7).category == "unchanged"  # −5 < 6
    assert classify(scale, 5, 11).category == "deteriorated"  # +6
    assert classify(scale, 5, 11).threshold == 6


def test_gad7_recovery_uses_caseness_eight():
    scale = registry.get("gad-7").scale("total")
    assert classify(scale, 11, 7).category == "recovered"  # −4, 11 → 7 (<8)
    assert classify(scale, 12, 8).category == "improved"  # −4 but 8 is still a case


def test_jacobson_truax_by_hand():
    # SD 10, r 0.84: SE = 10·√0.16 = 4; S_diff = √(2·16) = 5.657; threshold = 1.96·5.657 = 11.09
    assert jacobson_truax_threshold(10, 0.84) == pytest.approx(11.087, abs=0.001)
    assert rci(20, 31.4, 10, 0.84) == pytest.approx(11.4 / 5.6569, abs=0.001)
    form = make_instrument(
        scales=[
            {
                "id": "total",
                "title": "Total",
                "items": "all",
                "missing": {"rule": "require_complete"},
                "direction": "higher_is_better",
                "reliable_change": {
                    "method": "jacobson_truax",
                    "sd": 10,
                    "reliability": 0.84,
                    "source": "made up for this test only",
                },
            }
        ]
    )
    assert classify(form.scale("total"), 4, 16).category == "improved"  # RCI 2.12
    assert classify(form.scale("total"), 4, 14).category == "unchanged"  # RCI 1.77


# --- loading files -------------------------------------------------------------------------


def bundled_source(instrument_id: str) -> str:
    """The text of a shipped instrument file, to break a copy of it."""
    return (BUNDLED_DIR / f"{instrument_id}.yaml").read_text()


def load_error(tmp_path: Path, instrument_id: str, old: str, new: str) -> str:
    """The loader's message for a copy of a shipped file with ``old`` replaced by ``new``."""
    broken = tmp_path / f"{instrument_id}.yaml"
    broken.write_text(bundled_source(instrument_id).replace(old, new))
    with pytest.raises(InstrumentFileError) as err:
        load_file(broken)
    return str(err.value)


def test_a_broken_file_names_the_file_and_the_field(tmp_path: Path):
    message = load_error(tmp_path, "gad-7", "max: 9,", "max: three,")
    assert message.startswith("gad-7.yaml: scales.0.bands.1.max:")


def test_poles_belong_to_single_choice_items_only():
    text_item = {"linkId": "q9", "text": "Q9", "type": "text", "poles": ["A", "B"]}
    with pytest.raises(ValueError, match="only a single-choice item can have poles"):
        make_instrument(items=[*make_instrument().model_dump()["items"], text_item])
    blank = {"linkId": "q9", "text": "Q9", "options": "five", "poles": ["A", " "]}
    with pytest.raises(ValueError, match="both words must be given"):
        make_instrument(items=[*make_instrument().model_dump()["items"], blank])


def test_a_file_with_a_broken_line_names_the_item(tmp_path: Path):
    message = load_error(tmp_path, "csi-16", "poles: [BAD, GOOD]", "poles: [BAD]")
    assert message == "csi-16.yaml: items.11.poles.1: Field required"


def test_a_file_whose_id_does_not_match_its_name_is_refused(tmp_path: Path):
    source = bundled_source("gad-7")
    (tmp_path / "my-gad.yaml").write_text(source)
    with pytest.raises(InstrumentFileError, match="my-gad.yaml: id:"):
        load_all([tmp_path])


def test_reliable_change_without_a_source_is_refused(tmp_path: Path):
    source = bundled_source("phq-9")
    cut = source.index("      source: >-\n        NHS")
    end = source.index("alerts:")
    (tmp_path / "phq-9.yaml").write_text(source[:cut] + source[end:])
    with pytest.raises(InstrumentFileError, match=r"phq-9.yaml: scales.0.reliable_change.source"):
        load_file(tmp_path / "phq-9.yaml")


def test_a_broken_practice_file_stops_start_up(tmp_path: Path):
    (tmp_path / "own-scale.yaml").write_text('id: own-scale\nversion: "1"\n')
    env = {"RETRUST_INSTRUMENT_DIRS": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "retrust.cli", "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert result.returncode != 0
    assert "own-scale.yaml: title: Field required" in result.stderr


# --- the command line ------------------------------------------------------------------------


def run_score(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "retrust.cli", "score", *args],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("phq-9", "0,1,2,3,0,1,2,3,1"), (13, "Moderate")),
        (("csi-16", ",".join(map(str, CSI16_MAX))), (81, "No notable dissatisfaction")),
        (
            ("csi-16", "6,3,3,3,3,3,3,3,3,3,3,3,3,3,3,3"),
            (51, "Notable relationship dissatisfaction"),
        ),
    ],
)
def test_score_command_prints_total_and_band(args, expected):
    import json

    result = run_score(*args)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["total"], data["band"]) == expected


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("csi-32", "1,2"), "Unknown instrument 'csi-32'"),
        (("csi-16", "0,0,0"), "csi16-4"),
        (("csi-16", "6,5,5,5,5,5,5,5,5,5,5,5,5,5,5,6"), "csi16-16"),
        (("gad-7", "0,0,0"), "gad7-4"),
        (("audit-c", "0,5,0"), "auditc-2"),
    ],
)
def test_score_command_refuses_bad_input_naming_the_item(args, named):
    result = run_score(*args)
    assert result.returncode != 0
    assert named in result.stderr


def test_the_pure_modules_import_nothing_from_django():
    code = (
        "import sys\n"
        "import retrust.assessments.scoring, retrust.assessments.reliable_change\n"
        "import retrust.assessments.due, retrust.assessments.chart, retrust.assessments.registry\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_trajectory_svg_uses_attributes_only_and_escapes_names():
    from datetime import date

    from retrust.assessments.chart import Series, trajectory_svg

    days = [date(2026, 1, d) for d in (1, 2, 3)]
    svg = trajectory_svg(
        "CSI-4 <over> time",
        [Series("Ari & <b>", list(zip(days, [3, None, 21], strict=True))), Series("Bo", [])],
        low=0,
        high=21,
        bands=[(0, 13, "low"), (14, 21, "high")],
    )
    assert "style" not in svg and "<script" not in svg
    assert "Ari &amp; &lt;b&gt;" in svg and "CSI-4 &lt;over&gt; time" in svg
    assert svg.count("<circle") == 2  # the unanswered middle point is left out
    assert 'role="img"' in svg
