from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate

from retrust.datarights.models import GRACE_DAYS, RETENTION_YEARS


class DepartureForm(forms.Form):
    """Deleting an account asks who is there again; the password goes through ``authenticate``
    so wrong guesses count towards the sign-in lockout."""

    password = forms.CharField(
        label="Your password",
        help_text="So we know it's really you asking.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="Yes, delete my account at the end of the waiting time",
        error_messages={"required": "Tick the box to confirm: nothing changes until you do."},
    )

    def __init__(self, *args: Any, user: Any, request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if authenticate(self.request, username=self.user.email, password=password) != self.user:
            raise forms.ValidationError("That password doesn't match. Type it again.")
        return password


class RetentionForm(forms.Form):
    grace_days = forms.IntegerField(
        label="Days before a deletion is carried out",
        min_value=GRACE_DAYS[0],
        max_value=GRACE_DAYS[1],
        help_text=(
            f"Between {GRACE_DAYS[0]} and {GRACE_DAYS[1]} days. Until then the person can change "
            "their mind, and their clinician has time to plan how the other partner hears of it."
        ),
        error_messages={
            "min_value": f"Give the person at least {GRACE_DAYS[0]} days to change their mind.",
            "max_value": f"Keep it to {GRACE_DAYS[1]} days at most: a person asked to leave.",
            "invalid": "Write a whole number of days, for example 14.",
            "required": "Write a whole number of days, for example 14.",
        },
    )
    retention_years = forms.IntegerField(
        label="Years clinical records are kept after a deletion",
        min_value=RETENTION_YEARS[0],
        max_value=RETENTION_YEARS[1],
        help_text=(
            f"Between {RETENTION_YEARS[0]} and {RETENTION_YEARS[1]} years. Measures, session "
            "notes, safety screens and alerts are kept this long, then removed. Check what your "
            "professional body and local law require."
        ),
        error_messages={
            "min_value": f"Keep clinical records for at least {RETENTION_YEARS[0]} year.",
            "max_value": f"{RETENTION_YEARS[1]} years is the longest this setting allows.",
            "invalid": "Write a whole number of years, for example 7.",
            "required": "Write a whole number of years, for example 7.",
        },
    )
