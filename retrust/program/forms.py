from __future__ import annotations

from typing import Any

from django import forms

from retrust.core.rules import Visibility
from retrust.program import content, journey
from retrust.program.models import DiscernmentPath, GoalStatus

VISIBILITY_LABELS = {v.value: v.label for v in Visibility}
# On individual work with no second partner there is no "our": the words speak to one person.
ON_MY_OWN_LABELS = {
    Visibility.PRIVATE.value: "Only me",
    Visibility.CLINICIAN.value: "Me and my clinician",
}


def visibility_label(value: str, *, on_my_own: bool = False) -> str:
    labels = ON_MY_OWN_LABELS if on_my_own else VISIBILITY_LABELS
    return labels.get(value, VISIBILITY_LABELS.get(value, value))


def visibility_choices(widest: str, *, on_my_own: bool = False) -> list[tuple[str, str]]:
    """Who may read, narrowest first, up to ``widest``; never "both of us" for one person."""
    values = [v.value for v in Visibility]
    allowed = values[: values.index(widest) + 1]
    if on_my_own:
        allowed = [v for v in allowed if v != Visibility.COUPLE.value]
    return [(v, visibility_label(v, on_my_own=on_my_own)) for v in allowed]


def visibility_field(label: str, choices: list[tuple[str, str]]) -> forms.Field:
    """The radio buttons offer what may be chosen now; the action decides, and says why not."""
    return forms.CharField(label=label, required=False, widget=forms.RadioSelect(choices=choices))


ROLE_CHOICES = [
    ("", "Both partners (or the one partner, on the individual track)"),
    ("partner_a", "Partner A only"),
    ("partner_b", "Partner B only"),
]


def exercise_choices(track: str) -> list[tuple[str, str]]:
    return [
        (
            e.id,
            f"Stage {journey.stage_place(e.stage)} · {e.title} · {e.who_label.lower()} · "
            f"{e.minutes} min",
        )
        for e in content.library().values()
        if track in e.tracks
    ]


class DateInput(forms.DateInput):
    """A browser date picker: it reads and writes ISO dates whatever the site's locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


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

    def __init__(
        self, *args: Any, widest: str = "couple", on_my_own: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visibility"] = visibility_field(
            "Who can read this", visibility_choices(widest, on_my_own=on_my_own)
        )
        self.fields["visibility"].initial = "clinician"


class SharingForm(forms.Form):
    """Who may read answers already sent; the action checks the exercise's limit."""

    visibility = forms.CharField(required=False)


class ConfirmForm(forms.Form):
    """A button with nothing to fill in (confirm, withdraw): the action may still say no."""


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
    """One field per prompt, plus who may see the answers (never wider than allowed); without
    that choice when changing answers already sent."""

    def __init__(
        self,
        *args: Any,
        exercise: content.Exercise,
        maximum: str,
        on_my_own: bool = False,
        choose_readers: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for prompt in exercise.prompts:
            name = f"answer_{prompt.key}"
            if prompt.field == "scale_1_5":
                # The action checks the number and says what to choose.
                field: forms.Field = forms.CharField(
                    label=prompt.label,
                    widget=forms.RadioSelect(choices=[(str(i), str(i)) for i in range(1, 6)]),
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
        if choose_readers:  # changing sent words keeps who reads them (that has its own form)
            self.fields["visibility"] = visibility_field(
                "Who can read your answers", visibility_choices(maximum, on_my_own=on_my_own)
            )
        self.prompt_keys = [p.key for p in exercise.prompts]

    def answers(self, data: dict[str, Any]) -> dict[str, str]:
        """The answers in ``cleaned_data``, by prompt key, as the actions take them."""
        return {key: str(data.get(f"answer_{key}") or "") for key in self.prompt_keys}


class DailyAnswerForm(forms.Form):
    body = forms.CharField(
        label="Your answer",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
        help_text="A line or two is plenty. Your partner reads it once they've answered too; "
        "your clinician can read it as well.",
        error_messages={"required": "Write a few words first."},
    )
    prompt_id = forms.CharField(widget=forms.HiddenInput, max_length=20)


class DailySettingsForm(forms.Form):
    enabled = forms.BooleanField(
        label="Offer the daily question in this case", required=False, label_suffix=""
    )
    decks = forms.MultipleChoiceField(
        label="Decks to draw from",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each deck opens at the stages it suits; memories and repair come later on.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from retrust.program import daily

        self.fields["decks"].choices = [
            (key, f"{deck.title}: {deck.description}") for key, deck in daily.decks().items()
        ]
