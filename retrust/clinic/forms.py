from __future__ import annotations

from typing import Any

from django import forms

from retrust.clinic import case_status
from retrust.clinic.actions import PAUSE_WORDING_MAX
from retrust.core import pause
from retrust.core.models import Track


class SessionNoteForm(forms.Form):
    appointment = forms.TypedChoiceField(
        label="The session it records",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Its attendees and length are kept with the note.",
    )
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

    def __init__(self, *args: Any, appointments: list[tuple[int, str]] = (), **kw: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kw)
        self.fields["appointment"].choices = [("", "Not one booked here"), *appointments]


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


class StatusForm(forms.Form):
    """The case's next status: only the moves the table allows from where the case is now."""

    move = forms.ChoiceField(label="Next step", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why the case moves on", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )

    def __init__(self, *args: object, status: str, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "status-%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["move"].choices = [  # type: ignore[attr-defined]
            (t.move.value, t.label) for t in case_status.moves(status, case_status.Actor.CLINICIAN)
        ]


class PauseWordingForm(forms.Form):
    wording = forms.CharField(
        label="What both partners read when their clinician moves to individual sessions",
        help_text=(
            "Keep it neutral: it must not hint at why, or at who said what. Leave it empty to "
            "use retrust's own wording."
        ),
        required=False,
        max_length=PAUSE_WORDING_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "wording-%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["wording"].widget.attrs["placeholder"] = pause.DEFAULT_SHOWN_MESSAGE
