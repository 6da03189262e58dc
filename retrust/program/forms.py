from __future__ import annotations

from typing import Any

from django import forms

from retrust.core.rules import Visibility
from retrust.program import content
from retrust.program.models import DiscernmentPath, GoalStatus

VISIBILITY_LABELS = {v.value: v.label for v in Visibility}
ROLE_CHOICES = [
    ("", "Both partners (or the one partner, on the individual track)"),
    ("partner_a", "Partner A only"),
    ("partner_b", "Partner B only"),
]


def exercise_choices(track: str) -> list[tuple[str, str]]:
    return [
        (e.id, f"Stage {e.stage} · {e.title} · {e.who_label.lower()} · {e.minutes} min")
        for e in content.library().values()
        if track in e.tracks
    ]


class DateInput(forms.DateInput):
    input_type = "date"


class AssignForm(forms.Form):
    exercise_id = forms.ChoiceField(label="Exercise")
    for_role = forms.ChoiceField(label="For", choices=ROLE_CHOICES, required=False)
    due_on = forms.DateField(label="Due on", widget=DateInput)
    note = forms.CharField(
        label="A note for the couple (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, track: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exercise_id"].choices = exercise_choices(track)  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment", max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TrustGoalForm(forms.Form):
    body = forms.CharField(
        label="What would trust look like for you?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visibility = forms.ChoiceField(
        label="Who can read this",
        choices=[(v.value, v.label) for v in Visibility],
        initial="clinician",
        widget=forms.RadioSelect,
    )


class CaseGoalForm(forms.Form):
    title = forms.CharField(label="Goal", max_length=200)
    how_noticed = forms.CharField(
        label="How the couple will notice progress",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    review_on = forms.DateField(label="Review on (optional)", required=False, widget=DateInput)


class GoalUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=GoalStatus.choices)
    review_on = forms.DateField(label="Review on", required=False, widget=DateInput)


class ProposeForm(forms.Form):
    goals_review = forms.CharField(
        label="Looking back at the goals before moving on",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionForm(forms.Form):
    path = forms.ChoiceField(
        label="The path the couple chose", choices=DiscernmentPath.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=4000, widget=forms.Textarea({"rows": 2})
    )
    closing_plan = forms.CharField(
        label="Closing plan (needed if they part)",
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AppreciationForm(forms.Form):
    milestone_key = forms.CharField(widget=forms.HiddenInput)
    body = forms.CharField(
        label="A note to your partner", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResponseForm(forms.Form):
    """One field per prompt, plus who may see the answers (never wider than allowed)."""

    def __init__(self, *args: Any, exercise: content.Exercise, maximum: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for prompt in exercise.prompts:
            name = f"answer_{prompt.key}"
            if prompt.field == "scale_1_5":
                field: forms.Field = forms.ChoiceField(
                    label=prompt.label,
                    choices=[(str(i), str(i)) for i in range(1, 6)],
                    widget=forms.RadioSelect,
                    required=False,
                )
            elif prompt.field == "short_text":
                field = forms.CharField(label=prompt.label, max_length=300, required=False)
            else:
                field = forms.CharField(
                    label=prompt.label,
                    max_length=10_000,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
            field.help_text = prompt.help
            self.fields[name] = field
        allowed = [v.value for v in Visibility][: [v.value for v in Visibility].index(maximum) + 1]
        self.fields["visibility"] = forms.ChoiceField(
            label="Who can read your answers",
            choices=[(v, VISIBILITY_LABELS[v]) for v in allowed],
            widget=forms.RadioSelect,
        )
        self.prompt_keys = [p.key for p in exercise.prompts]

    def answers(self) -> dict[str, str]:
        data = self.data
        return {key: str(data.get(f"answer_{key}", "")) for key in self.prompt_keys}
