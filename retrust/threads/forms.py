from __future__ import annotations

import secrets

from django import forms

from retrust.threads.actions import NOTICE_MAX, REPLY_TIME_MAX


def new_token() -> str:
    return secrets.token_urlsafe(18)


class MessageForm(forms.Form):
    # Length and emptiness are the action's to judge, so the page and the API say the same.
    body = forms.CharField(
        label="Your message",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    # Sending the same form twice (a double tap, a resend after a lost answer) writes once.
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)


class SettingsForm(forms.Form):
    notice = forms.CharField(
        label="Above every message box",
        required=False,
        max_length=NOTICE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Leave empty for retrust's own wording, shown below.",
    )
    reply_time = forms.CharField(
        label="When to expect an answer",
        required=False,
        max_length=REPLY_TIME_MAX,
        help_text="For example: “We answer within two working days, Monday to Friday.”",
    )
