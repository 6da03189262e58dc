from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django import forms

from retrust.notifications.models import time_zone_names
from retrust.sessions.models import Kind, Location

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _time(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label, required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class BookForm(forms.Form):
    start = forms.ChoiceField(label="Free time", widget=forms.RadioSelect)
    kind = forms.ChoiceField(label="Who takes part", choices=Kind.choices)
    partner = forms.TypedChoiceField(
        label="For a session with one partner: which partner",
        coerce=int,
        required=False,
        empty_value=None,
    )
    location = forms.ChoiceField(label="Where", choices=Location.choices)
    key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, slots: list[tuple[str, str]], partners: list[tuple[int, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["start"].choices = slots
        self.fields["partner"].choices = [("", "—"), *partners]
        if not self.is_bound:
            self.initial.setdefault("key", secrets.token_hex(16))

    def clean_start(self) -> datetime:
        value = self.cleaned_data["start"]
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError("Choose one of the free times listed.") from None


class MoveForm(forms.Form):
    start = forms.ChoiceField(label="Free time", widget=forms.RadioSelect)

    def __init__(self, *args: Any, slots: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["start"].choices = slots

    clean_start = BookForm.clean_start


class HoursForm(forms.Form):
    """One block of hours per weekday; both times empty means closed that day."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        for number, day in enumerate(DAYS):
            self.fields[f"start_{number}"] = _time(f"{day}: from")
            self.fields[f"end_{number}"] = _time(f"{day}: until")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for number, day in enumerate(DAYS):
            start, end = data.get(f"start_{number}"), data.get(f"end_{number}")
            if (start is None) != (end is None):
                self.add_error(f"end_{number}", f"Give both times for {day}, or neither.")
            elif start is not None and end is not None and end <= start:
                self.add_error(f"end_{number}", f"On {day} the end must be after the start.")
        return data

    def blocks(self) -> list[tuple[int, Any, Any]]:
        data = self.cleaned_data
        return [
            (number, data[f"start_{number}"], data[f"end_{number}"])
            for number in range(7)
            if data.get(f"start_{number}") is not None and data.get(f"end_{number}") is not None
        ]

    def pairs(self) -> list[tuple[str, Any, Any]]:
        return [(day, self[f"start_{n}"], self[f"end_{n}"]) for n, day in enumerate(DAYS)]


class DayOffForm(forms.Form):
    day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    start = _time("Open only from (leave empty to close the whole day)")
    end = _time("Until")


class VideoLinkForm(forms.Form):
    video_link = forms.URLField(
        label="Your own video link (only if your practice does not run Jitsi)",
        required=False,
        max_length=300,
        assume_scheme="https",
    )


class SessionSettingsForm(forms.Form):
    time_zone = forms.ChoiceField(label="The practice's time zone")
    notice_hours = forms.IntegerField(
        label="Partners can cancel themselves until this many hours before a session",
        min_value=0,
        max_value=168,
    )
    default_minutes = forms.IntegerField(
        label="Length of a session, in minutes", min_value=10, max_value=240
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["time_zone"].choices = [(name, name) for name in time_zone_names()]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("attended", "Attended"), ("missed", "Missed")], widget=forms.HiddenInput
    )


class FeedForm(forms.Form):
    do = forms.ChoiceField(
        choices=[("make", "Make"), ("revoke", "Revoke")], widget=forms.HiddenInput
    )
