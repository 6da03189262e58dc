from __future__ import annotations

from typing import Any

from django import forms

from retrust.notifications.kinds import Kind
from retrust.notifications.models import Channel, Delivery, MessageSettings, time_zone_names


class PreferenceForm(forms.Form):
    channel = forms.ChoiceField(
        label="How updates reach you", choices=Channel.choices, widget=forms.RadioSelect
    )
    delivery = forms.ChoiceField(
        label="How often emails come", choices=Delivery.choices, widget=forms.RadioSelect
    )
    digest_at = forms.TimeField(
        label="Daily email time",
        help_text="For the once-a-day email, and for daily summaries. For example 08:00.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_start = forms.TimeField(
        label="Quiet hours start",
        required=False,
        help_text="No email in quiet hours; what comes then waits until they end. "
        "Leave both empty for none.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label="Quiet hours end",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    time_zone = forms.ChoiceField(
        label="Your time zone", help_text="Quiet hours and the daily time are read in it."
    )

    def __init__(self, *args: Any, kinds: list[Kind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in time_zone_names()]
        self.kinds = [kind for kind in kinds if not kind.essential]
        for kind in self.kinds:
            self.fields[f"kind_{kind.key}"] = forms.BooleanField(label=kind.label, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None):
            self.add_error(
                "quiet_end" if end is None else "quiet_start",
                "Give both a start and an end for quiet hours, or leave both empty.",
            )
        elif start is not None and start == end:
            self.add_error(
                "quiet_end", "Quiet hours need to end at a different time than they start."
            )
        return data

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[f"kind_{kind.key}"] for kind in self.kinds]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("channel", "delivery", "digest_at")]

    def quiet_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("quiet_start", "quiet_end", "time_zone")]

    def switched_off(self) -> set[str]:
        return {kind.key for kind in self.kinds if not self.cleaned_data.get(f"kind_{kind.key}")}


class MessageSettingsForm(forms.ModelForm[MessageSettings]):
    class Meta:
        model = MessageSettings
        fields = ["sender_name", "neutral_subject"]
        labels = {"sender_name": "Sender name", "neutral_subject": "Subject line"}
        help_texts = {
            "sender_name": "Shown as who the email is from. Anyone who glances at the inbox "
            "sees it, so keep it neutral.",
            "neutral_subject": "The same for every email. Keep it neutral: no practice name, "
            "nothing about therapy.",
        }
