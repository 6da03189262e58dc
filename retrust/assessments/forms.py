from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from retrust.assessments import registry
from retrust.assessments.definitions import Instrument
from retrust.assessments.models import ScheduleKind


def instrument_choices() -> list[tuple[str, str]]:
    return [
        (i.id, i.title + ("" if i.validated else " — written for retrust, not validated"))
        for i in sorted(registry.instruments().values(), key=lambda i: i.title)
    ]


class ScheduleForm(forms.Form):
    instrument_id = forms.ChoiceField(label="Questionnaire", choices=())
    kind = forms.ChoiceField(label="When to ask", choices=ScheduleKind.choices)
    every_weeks = forms.IntegerField(
        label="Weeks between check-ins",
        min_value=1,
        max_value=52,
        required=False,
        help_text="Only for “Every few weeks”.",
    )
    next_session_on = forms.DateField(
        label="Date of the next session",
        required=False,
        help_text=(
            "Only for “Before the next session”; the check-in opens three days before. Leave it "
            "empty to follow the sessions you book: it moves with the next booked one."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    starts_on = forms.DateField(
        label="Start on", widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument_id"].choices = instrument_choices()  # type: ignore[attr-defined]

    def clean_starts_on(self) -> Any:
        return self.cleaned_data.get("starts_on") or timezone.localdate()


class _Chosen(forms.Field):
    """Every value sent under the name (a multiple-choice item), checked by the action."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        return [str(v) for v in (value or [])]


class AnswersForm(forms.Form):
    """One check-in's answers as posted. The action checks them against the instrument's
    printed options, so a refusal lands on the item it names (``linkId``)."""

    submission_key = forms.CharField(max_length=40, required=False)
    action = forms.ChoiceField(
        choices=[("submit", "Send"), ("save", "Save and finish later")], required=False
    )

    def __init__(self, instrument: Instrument, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[item.linkId] = (
                _Chosen(required=False)
                if item.type == "multi"
                else forms.CharField(required=False, strip=True)
            )

    def answers(self) -> dict[str, Any]:
        """Answers as the action takes them: printed numbers as numbers, nothing for a blank."""
        data = self.cleaned_data
        answers: dict[str, Any] = {}
        for item in self.instrument.items:
            value = data.get(item.linkId)
            if item.type in ("multi", "text"):
                answers[item.linkId] = value if value is not None else ""
            elif value:
                try:
                    answers[item.linkId] = int(value)
                except ValueError:
                    answers[item.linkId] = value
        return answers


class ConsentForm(forms.Form):
    """A partner shares, or stops sharing, one relationship measure's totals."""

    instrument_id = forms.CharField(max_length=60)
    share = forms.ChoiceField(choices=[("yes", "Share"), ("no", "Stop sharing")])
    # The words the page showed; the action compares them with what it would store.
    wording = forms.CharField(required=False, strip=True, widget=forms.HiddenInput)


class SuggestionForm(forms.Form):
    suggested = forms.ChoiceField(choices=[("yes", "Suggest"), ("no", "Withdraw")])


class EndMeasureForm(forms.Form):
    """Stopping a measure has nothing to fill in; the form carries the action's refusal."""
