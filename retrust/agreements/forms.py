"""Forms for agreements, commitments, occurrences and breaches. Actions do the real checking."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from retrust.agreements.models import (
    BreachResponse,
    Category,
    Outcome,
    ScheduleKind,
    Verdict,
)
from retrust.agreements.schedule import WEEKDAY_NAMES
from retrust.core.coaching import coach

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class Form(forms.Form):
    """A form whose element ids start with its own name, so several fit on one page."""

    id_prefix = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ProposeForm(Form):
    id_prefix = "propose"

    category = forms.ChoiceField(label="What it's about", choices=Category.choices)
    title = forms.CharField(label="A short title", max_length=160)
    text = forms.CharField(
        label="What you would both agree to",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain and concrete works best, e.g. “we keep our phones face up in the "
        "evenings”.",
    )
    review_on = forms.DateField(label="Look at it again on (optional)", required=False, widget=DATE)
    creation_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)


class AmendForm(Form):
    id_prefix = "amend"

    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(label="Title", max_length=160)
    text = forms.CharField(
        label="Your version", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AcceptForm(Form):
    id_prefix = "accept"

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DeclineForm(Form):
    id_prefix = "decline"

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label="Why not, for now",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your partner and your clinician will read this.",
    )


class NoteForm(Form):
    id_prefix = "note"

    text = forms.CharField(
        label="Your note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Both partners will see this note. It is not consent on anyone's behalf.",
    )


class CommitmentForm(Form):
    id_prefix = "commit"

    action = forms.CharField(
        label="What you will do",
        max_length=240,
        help_text="Something the other person could notice, e.g. “text if I'll be more than "
        "15 minutes late”.",
    )
    schedule = forms.ChoiceField(
        label="How often", choices=ScheduleKind.choices, initial=ScheduleKind.DAILY
    )
    weekdays = forms.MultipleChoiceField(
        label="Which weekdays (for “on certain weekdays”)",
        choices=[(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = forms.DateField(label="Starting on", required=False, widget=DATE)
    agreement = forms.TypedChoiceField(
        label="Part of an agreement (optional)", required=False, coerce=int, empty_value=None
    )
    creation_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args: Any, agreements: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["agreement"]
        field.choices = [("", "Not part of an agreement")] + [
            (a.pk, a.active_version.title if a.active_version else f"Agreement {a.pk}")
            for a in (agreements or [])
        ]


class RecordForm(Form):
    id_prefix = "record"

    due_on = forms.DateField(label="Day", widget=DATE)
    outcome = forms.ChoiceField(
        label="How it went", choices=Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    # Hidden until the day turns out to hold another record: then it asks, as a checkbox.
    change = forms.BooleanField(required=False, widget=forms.HiddenInput, label_suffix="")

    def ask_to_change(self) -> None:
        """After the action said the day is already recorded: ask before changing it."""
        self.fields["change"].widget = forms.CheckboxInput()
        day = self.cleaned_data.get("due_on")
        outcome = dict(Outcome.choices).get(self.cleaned_data.get("outcome", ""), "")
        label = "Yes, change what I recorded"
        if day is not None and outcome:
            label = f"Yes, change {day:%a} {day.day} {day:%b} to “{outcome.lower()}”"
        # The bound field copied the label when the form was validated.
        self.fields["change"].label = self["change"].label = label


class StopForm(Form):
    id_prefix = "stop"

    # Not required here: the action refuses without it, so the API asks the same question.
    confirm = forms.BooleanField(
        label="Yes, stop this commitment",
        label_suffix="",
        required=False,
        help_text="What you recorded stays and still counts; no more days can be recorded.",
    )


class RenegotiateForm(Form):
    """Nothing to fill in: a button, and a place for the action's refusal."""

    id_prefix = "renegotiate"


class AnswerForm(Form):
    id_prefix = "answer"

    verdict = forms.ChoiceField(
        choices=Verdict.choices,
        error_messages={"required": "Choose confirm or “I saw it differently”."},
    )
    note = forms.CharField(
        label="How you saw it",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BreachForm(Form):
    id_prefix = "breach"

    what_happened = forms.CharField(
        label="What happened",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Describe what happened rather than what it says about anyone. Your partner "
        "and your clinician will read this.",
    )
    happened_on = forms.DateField(label="When", widget=DATE)
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        coach(self, "what_happened")  # the writer's private hints, as they write


class BreachResponseForm(Form):
    id_prefix = "respond"

    response = forms.ChoiceField(
        label="Your answer",
        choices=[
            (BreachResponse.RESPONSIBILITY, "I acknowledge it and take responsibility"),
            (BreachResponse.VIEW, "I'd like to give my view"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you want to answer."},
    )
    text = forms.CharField(
        label="In your words",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SettingsForm(Form):
    id_prefix = "settings"

    breach_threshold = forms.IntegerField(
        label="Breach reports that raise an alert", min_value=1, max_value=50
    )
    breach_period_days = forms.IntegerField(
        label="Within this many days", min_value=1, max_value=365
    )


def _day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


class RecordDaysForm(Form):
    """Several days not yet recorded, each kept or missed, in one go. A day left blank waits."""

    id_prefix = "days"

    def __init__(self, *args: Any, days: list[date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.days = days
        for day in days:
            self.fields[f"day_{day.isoformat()}"] = forms.ChoiceField(
                label=_day_label(day),
                choices=[(Outcome.KEPT, "Kept"), (Outcome.MISSED, "Missed")],
                widget=forms.RadioSelect,
                required=False,
            )

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{day.isoformat()}"] for day in self.days]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["outcomes"] = {
            day: data[f"day_{day.isoformat()}"]
            for day in self.days
            if data.get(f"day_{day.isoformat()}")
        }
        return data


class ConfirmDaysForm(Form):
    """The other partner's ticks: the recorded days they confirm, all at once."""

    id_prefix = "confirm"

    def __init__(self, *args: Any, occurrences: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurrences"] = forms.TypedMultipleChoiceField(
            label="Days to confirm",
            choices=[
                (o.pk, f"{_day_label(o.due_on)}: {o.get_outcome_display().lower()}")
                for o in occurrences
            ],
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            required=False,
            initial=[o.pk for o in occurrences],
        )


class ReplyForm(Form):
    id_prefix = "reply"

    body = forms.CharField(
        label="Your reply",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Your partner and your clinician will read it.",
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
