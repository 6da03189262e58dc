from __future__ import annotations

from django import forms

from retrust.core.models import Track


class SessionNoteForm(forms.Form):
    session_date = forms.DateField(
        label="Session date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    data = forms.CharField(
        label="Data: what happened in the session",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    assessment = forms.CharField(
        label="Assessment: your clinical understanding",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    plan = forms.CharField(
        label="Plan: next steps and homework",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AddendumForm(forms.Form):
    body = forms.CharField(
        label="Correction or addition", widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000
    )


class TrackForm(forms.Form):
    track = forms.ChoiceField(label="Track", choices=Track.choices)
    reason = forms.CharField(
        label="Why the track changes", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        # Its own ids: the case page also shows the lift-the-pause form, with its own "reason".
        kwargs.setdefault("auto_id", "track-%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
