from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings

from retrust.core.models import User
from retrust.frontdoor import selfcheck
from retrust.frontdoor.models import (
    Article,
    ClinicianProfile,
    ConsultationRequest,
    ContactMethod,
    EmailConfirmation,
    LeaveMessage,
    PracticePage,
)


class PracticePageForm(forms.ModelForm):
    class Meta:
        model = PracticePage
        fields = ["published", "about", "fees", "contact"]
        labels = {
            "published": "Show this page to the public",
            "about": "About the practice",
            "fees": "Fees",
            "contact": "How to reach the practice",
        }
        help_texts = {
            "about": "Markdown: **bold**, *italics*, lists and links. Up to 4,000 characters.",
            "fees": "What a session costs, cancellations, insurance. Markdown.",
            "contact": "Address, phone, hours. Markdown.",
        }
        widgets = {
            "about": forms.Textarea(attrs={"rows": 6}),
            "fees": forms.Textarea(attrs={"rows": 4}),
            "contact": forms.Textarea(attrs={"rows": 4}),
        }


class ClinicianProfileForm(forms.ModelForm):
    clinician = forms.ModelChoiceField(queryset=User.objects.none(), label="Clinician")

    class Meta:
        model = ClinicianProfile
        fields = ["clinician", "bio", "listed"]
        labels = {"bio": "A short introduction", "listed": "List on the public page"}
        help_texts = {"bio": "Two or three sentences, in plain words. Up to 800 characters."}
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, clinicians: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clinician"]
        field.queryset = User.objects.filter(pk__in=[m.user_id for m in clinicians])  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: user.name  # type: ignore[attr-defined]


class SelfCheckForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in selfcheck.QUESTIONS:
            choices = selfcheck.SAFETY_CHOICES if question.safety else selfcheck.SIGN_CHOICES
            self.fields[question.id] = forms.ChoiceField(
                label=question.text,
                choices=choices,
                widget=forms.RadioSelect,
                required=False,
            )

    def answers(self) -> dict[str, str]:
        return selfcheck.clean({k: v for k, v in self.cleaned_data.items() if v})


class PickedTimesField(forms.MultipleChoiceField):
    """Ticked free times. Whether each is still offered is the action's to say (it knows the
    calendar as it is at the moment of sending), with a message that says which rule failed."""

    def valid_value(self, value: str) -> bool:
        return True


class ConsultationForm(forms.ModelForm):
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=40)
    self_check = forms.CharField(widget=forms.HiddenInput, required=False, max_length=400)
    share_self_check = forms.BooleanField(
        required=False,
        label="Include my self-check answers with this request",
        help_text="Only if you want to. Your clinician will read them before you meet.",
    )
    together = forms.ChoiceField(
        label="Is your partner asking too?",
        widget=forms.RadioSelect,
        choices=[
            ("just_me", "Just me, for now"),
            ("partner_too", "Yes — give me a private link for my partner to add their own part"),
        ],
        initial="just_me",
        required=False,
        help_text="We never contact a partner you mention. They add their part only if they "
        "choose to, with their own safe way to reach them.",
    )
    # A field people never see; a form that fills it in is not a person.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = ConsultationRequest
        fields = [
            "name",
            "contact_method",
            "contact",
            "safe_times",
            "leave_message",
            "confirm_email",
            "email_from",
            "email_until",
            "trust_means",
            "hopes",
        ]
        labels = {
            "name": "What should we call you?",
            "contact_method": "How is it safe to reach you?",
            "contact": "Email address or phone number",
            "safe_times": "When is a safe time to contact you?",
            "leave_message": "If you don't answer, may we leave a message?",
            "confirm_email": "May we email you a short note that we received this?",
            "email_from": "Email me only after",
            "email_until": "…and before",
            "trust_means": "What does trust mean to you? (optional)",
            "hopes": "What do you hope will change? (optional)",
        }
        help_texts = {
            "name": "A first name is enough, or any name you'd like us to use.",
            "contact": "Use one that only you see, if you can.",
            "safe_times": "For example: weekday mornings, or after 6 pm.",
            "trust_means": "A sentence or two is plenty. Please leave out anything you "
            "wouldn't want someone else to read.",
            "hopes": "There are no wrong answers; you'll talk it through at the first meeting.",
            "confirm_email": "Only if you gave an email address. It says only “We received "
            "your request”, from a plain sender name, with nothing about therapy in it.",
            "email_from": "A time like 09:00.",
            "email_until": "A time like 17:30.",
        }
        widgets = {
            "contact_method": forms.RadioSelect,
            "leave_message": forms.RadioSelect,
            "confirm_email": forms.RadioSelect,
            "email_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "email_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "trust_means": forms.Textarea(attrs={"rows": 3}),
            "hopes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args: Any,
        slots: list[tuple[str, str]] | None = None,
        zone: str = "",
        **kwargs: Any,
    ):
        kwargs.setdefault("initial", {}).setdefault("submission_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        if slots:
            # Only with free times to offer; otherwise "safe times" is all the visitor writes.
            self.fields["preferred_slots"] = PickedTimesField(
                required=False,
                label="Times that would suit you for a first conversation (optional)",
                help_text="Tick up to three. Your clinician confirms one with you.",
                choices=slots,
                widget=forms.CheckboxSelectMultiple,
            )
            self.order_fields([*self.Meta.fields, "preferred_slots"])
        self.fields["contact_method"].choices = ContactMethod.choices
        self.fields["leave_message"].choices = LeaveMessage.choices
        self.fields["confirm_email"].required = False
        self.fields["confirm_email"].choices = EmailConfirmation.choices
        # The practice's own time zone (its session settings), as the offered times use.
        zone = zone or settings.TIME_ZONE
        self.fields["email_from"].help_text = f"A time like 09:00, in the practice's time ({zone})."
        self.fields["website"].widget.attrs["class"] = "visually-hidden-field"

    def clean_contact(self) -> str:
        contact = self.cleaned_data["contact"].strip()
        method = self.data.get(self.add_prefix("contact_method"))
        if method == ContactMethod.EMAIL:
            forms.EmailField().clean(contact)
        elif method in (ContactMethod.PHONE, ContactMethod.TEXT):
            digits = [c for c in contact if c.isdigit()]
            if len(digits) < 6 or any(c not in "0123456789 +-()." for c in contact):
                raise forms.ValidationError("Enter a phone number, digits only with + or spaces.")
        return contact

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("contact_method") != ContactMethod.EMAIL:
            # Nothing is ever emailed to a phone number; the answer doesn't apply.
            data["confirm_email"] = EmailConfirmation.NO
            data["email_from"] = data["email_until"] = None
            return data
        choice = data.get("confirm_email")
        if not choice:
            self.add_error(
                "confirm_email",
                "Tell us whether a short email is safe for you; “No” is a fine answer.",
            )
        elif choice == EmailConfirmation.WINDOW:
            start, end = data.get("email_from"), data.get("email_until")
            if start is None or end is None:
                for name, value in (("email_from", start), ("email_until", end)):
                    if value is None and name not in self.errors:
                        self.add_error(name, "Give both times, or choose “Yes, any time”.")
            elif start == end:
                self.add_error("email_until", "Choose an end time different from the start.")
        else:
            data["email_from"] = data["email_until"] = None
        return data


class MoveRequestForm(forms.Form):
    expected = forms.CharField(widget=forms.HiddenInput, max_length=12)
    to = forms.ChoiceField(label="Where it goes next", widget=forms.RadioSelect)
    text = forms.CharField(
        label="Note (seen only by the practice's staff)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, current: str, choices: list[tuple[str, str]], **kwargs: Any):
        kwargs.setdefault("initial", {}).update({"expected": current, "to": current})
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = choices


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "body", "published"]
        labels = {"body": "Text", "published": "Show it on the public resources page"}
        help_texts = {"body": "Markdown: headings (##), **bold**, lists and links."}
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}


class OpenCaseForm(forms.Form):
    track = forms.ChoiceField(
        label="Start them on",
        widget=forms.RadioSelect,
        choices=[
            ("individual", "Individual work — they start on their own"),
            ("conjoint", "Couple work — the two of them, with the partner invited when it's safe"),
            ("discernment", "Discernment — clarity about together or apart"),
        ],
        initial="individual",
    )
    invite_partner = forms.BooleanField(
        required=False,
        label="Also invite their partner, at the address the partner gave in their own part",
        help_text="Only if you have checked it is safe. Couple work or discernment only.",
    )

    start = forms.CharField(
        label="Book the first consultation",
        required=False,
        widget=forms.Select,
        help_text="In your calendar, as a video session. Each person you invite sees it under "
        "“My sessions” once they join.",
    )

    def __init__(
        self,
        *args: Any,
        partner_part: bool = False,
        times: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not partner_part:
            del self.fields["invite_partner"]
        if times or self.data.get(self.add_prefix("start")):
            # (value, label) pairs and (group, pairs) groups from the view; "" books nothing.
            # Kept when a time was sent but none is free now: the action says it was taken.
            self.fields["start"].widget.choices = [("", "Don't book now"), *(times or [])]
        else:
            del self.fields["start"]

    def clean_start(self) -> datetime | None:
        value = self.cleaned_data.get("start") or ""
        if not value:
            return None
        try:
            start = datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError("Choose one of the free times listed.") from None
        if start.tzinfo is None:
            raise forms.ValidationError("Choose one of the free times listed.")
        return start


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="We'll send one email with a link to confirm. Nothing else until you do.",
    )
    # A field people never see; a form that fills it in is not a person.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class PracticeUpdateForm(forms.Form):
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=40)
    subject = forms.CharField(
        label="Subject line",
        max_length=150,
        help_text="What subscribers see in their inbox. One line.",
    )
    body = forms.CharField(
        label="The update",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Markdown: **bold**, *italics*, lists and links. Up to 20,000 characters.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("submission_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
