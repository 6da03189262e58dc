from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django_otp.plugins.otp_totp.models import TOTPDevice

from retrust.core import audit, messaging, policy
from retrust.core.models import PracticeRole, Track
from retrust.core.rules import Visibility

VISIBILITY_CHOICES = [(v.value, v.label) for v in Visibility]


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": "That email and password don't match. Check both and try again.",
        "inactive": "This account is switched off. Contact your practice.",
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, except that it never emails someone for whom email isn't safe.

    The page afterwards says the same as ever ("if an account exists, we've sent a link"), so
    whoever typed the address learns nothing either way.
    """

    def get_users(self, email: str) -> Iterator[Any]:
        return (user for user in super().get_users(email) if messaging.may_email(user))

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The link starts with RETRUST_BASE_URL when it is set, not with whatever Host header
        # the request carried (a forged one would point the link at someone else's site).
        if settings.RETRUST_BASE_URL_SET:
            base = urlsplit(settings.RETRUST_BASE_URL)
            kwargs["domain_override"] = base.netloc + base.path
            kwargs["use_https"] = base.scheme == "https"
        super().save(*args, **kwargs)


class TwoFactorForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your authenticator app",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip().replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError("The code is six digits, numbers only.")
        return code


class AcceptInvitationForm(forms.Form):
    display_name = forms.CharField(
        label="Your first name, or what you'd like to be called",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    password = forms.CharField(
        label="Choose a password",
        help_text="At least 10 characters. A short sentence is easy to remember and hard to guess.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords are different. Type them again.")
        return data


# In an individual-track case with no second partner nobody else is in the case: the labels
# speak to one person and "both of us" is not offered at all.
SOLO_LABELS = {
    Visibility.PRIVATE: "Only me",
    Visibility.CLINICIAN: "Me and my clinician",
}
PAUSED_SUFFIX = " — resting for now"


class VisibilityChoice(forms.RadioSelect):
    """Radio buttons where a choice the pause blocks is shown, explained and not selectable."""

    def __init__(self, *args: Any, paused: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paused = paused

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        if str(option["value"]) in self.paused:
            option["attrs"]["disabled"] = True
            option["label"] = f"{option['label']}{PAUSED_SUFFIX}"
        return option


def visibility_choices(*, solo: bool) -> list[tuple[str, str]]:
    if solo:
        return [(v.value, label) for v, label in SOLO_LABELS.items()]
    return list(VISIBILITY_CHOICES)


class _VisibilityMixin:
    """``solo``: no one else is in the case; ``paused``: sharing with the partner waits."""

    def _set_visibility(self, *, solo: bool, paused: bool) -> None:
        field = self.fields["visibility"]  # type: ignore[attr-defined]
        blocked = frozenset({Visibility.COUPLE.value}) if paused and not solo else frozenset()
        # Every visibility stays a valid answer, so that the action, not the form, says kindly
        # why "both of us" is not possible; only the buttons shown differ.
        field.widget = VisibilityChoice(paused=blocked, choices=visibility_choices(solo=solo))
        field.widget.is_required = field.required
        self.paused = bool(blocked)


class JournalForm(_VisibilityMixin, forms.Form):
    body = forms.CharField(
        label="What's on your mind",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    visibility = forms.ChoiceField(
        label="Who can read this",
        choices=VISIBILITY_CHOICES,
        initial=Visibility.PRIVATE.value,
    )

    def __init__(self, *args: Any, solo: bool = False, paused: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._set_visibility(solo=solo, paused=paused)


class VisibilityForm(_VisibilityMixin, forms.Form):
    visibility = forms.ChoiceField(label="Who can read this", choices=VISIBILITY_CHOICES)

    def __init__(self, *args: Any, solo: bool = False, paused: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._set_visibility(solo=solo, paused=paused)


class JournalEditForm(forms.Form):
    body = forms.CharField(
        label="What you wrote",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write something first, or delete the entry instead."},
    )


class DeleteForm(forms.Form):
    """The second step of deleting: sent only from the page that asks "are you sure?"."""

    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ApiTokenForm(forms.Form):
    """A token can do what its owner can do, for weeks: making one asks who is there again.

    The password goes through ``authenticate``, so wrong guesses here count towards the same
    sign-in lockout as on the sign-in page. Clinicians and admins also give a fresh code.
    """

    name = forms.CharField(label="Token name", max_length=80)
    password = forms.CharField(
        label="Your password",
        help_text="To check it's really you before a new key to your account is made.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any, request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.device = None
        if policy.roles(user) & policy.STAFF_ROLES:
            self.device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            self.fields["code"] = forms.CharField(
                label="6-digit code from your authenticator app",
                min_length=6,
                max_length=6,
                widget=forms.TextInput(
                    attrs={
                        "autocomplete": "one-time-code",
                        "inputmode": "numeric",
                        "pattern": "[0-9]{6}",
                    }
                ),
            )

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if authenticate(self.request, username=self.user.email, password=password) != self.user:
            raise forms.ValidationError("That password doesn't match. Type it again.")
        return password

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip().replace(" ", "")
        if self.device is None:
            raise forms.ValidationError("Set up two-step sign-in first; then make a token.")
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError("Too many wrong codes. Wait a minute, then try again.")
        if not code.isdigit() or not self.device.verify_token(code):
            raise forms.ValidationError(
                "That code didn't work. Codes change every 30 seconds, and each works once: "
                "wait for the next one."
            )
        return code


class CaseForm(forms.Form):
    label = forms.CharField(
        label="Case name",
        max_length=120,
        help_text="A short name you will recognise, such as first names. Partners see it too.",
    )
    track = forms.ChoiceField(label="Track", choices=Track.choices, initial=Track.CONJOINT)
    partner_a_name = forms.CharField(label="First partner's name", max_length=120, required=False)
    partner_a_email = forms.EmailField(label="First partner's email")
    partner_b_name = forms.CharField(label="Second partner's name", max_length=120, required=False)
    partner_b_email = forms.EmailField(
        label="Second partner's email",
        required=False,
        help_text="Leave empty to start with one partner; you can invite the other later.",
    )
    creation_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)


class InvitePartnerForm(forms.Form):
    display_name = forms.CharField(label="Partner's name", max_length=120, required=False)
    email = forms.EmailField(label="Partner's email")


class InviteStaffForm(forms.Form):
    display_name = forms.CharField(label="Name", max_length=120, required=False)
    email = forms.EmailField(label="Email")
    role = forms.ChoiceField(
        label="Role", choices=PracticeRole.choices, initial=PracticeRole.CLINICIAN
    )


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Every kind"), *audit.KIND_LABELS.items()],
    )
    action = forms.CharField(
        label="Action starts with",
        required=False,
        max_length=80,
        help_text="Clinical activity has no action name here, so it never matches.",
        widget=forms.TextInput(attrs={"placeholder": "retrust.user"}),
    )
    actor = forms.CharField(label="Person (email)", required=False, max_length=254)
    case = forms.IntegerField(label="Case number", required=False, min_value=1)
    since = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label="Until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
