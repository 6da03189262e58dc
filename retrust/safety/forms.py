from __future__ import annotations

from django import forms

from retrust.safety import screen


class ScreenForm(forms.Form):
    """One radio group per question; every question must be answered."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for question in screen.QUESTIONS:
            self.fields[question.id] = forms.ChoiceField(
                label=question.text,
                choices=screen.ANSWERS,
                widget=forms.RadioSelect,
                error_messages={"required": "Please choose an answer — any answer is fine."},
            )


class CrisisResourceForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    text_line = forms.CharField(label="Text line", max_length=80, required=False)
    url = forms.URLField(label="Web address", required=False, assume_scheme="https")
    hours = forms.CharField(
        label="Hours", max_length=80, required=False, help_text="For example: every day, 24 hours"
    )


class CaseViewForm(forms.Form):
    """A form on the case page, which shows several: each gets its own id prefix."""

    id_prefix = "case"

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class AcknowledgeForm(CaseViewForm):
    id_prefix = "ack"
    note = forms.CharField(
        label="What you did or decided", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class IndividualSessionForm(CaseViewForm):
    id_prefix = "session"
    partner = forms.TypedChoiceField(label="Partner", coerce=int)
    seen_on = forms.DateField(
        label="Seen alone on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: object, partners: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["partner"].choices = partners  # type: ignore[attr-defined]


class LiftPauseForm(CaseViewForm):
    id_prefix = "lift"
    reason = forms.CharField(
        label="Why shared work can resume",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )


class MoveToIndividualForm(CaseViewForm):
    """One button: tell both partners, in the practice's neutral words, that individual
    sessions come next. The wording itself is the practice's (shown beside the button)."""

    id_prefix = "frame"
