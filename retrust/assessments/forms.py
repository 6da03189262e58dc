from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from retrust.assessments import registry
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
        help_text="Only for “Before the next session”; the check-in opens three days before.",
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
