from __future__ import annotations

import uuid
from typing import Any

from django import forms

from retrust.coach import LISTENER
from retrust.coach.scaffold import DAYS
from retrust.conversations import feelings as word_list
from retrust.conversations.models import ReviewAnswer
from retrust.core.coaching import coach
from retrust.core.rules import Visibility


def _key() -> str:
    return uuid.uuid4().hex


class GentleStartForm(forms.Form):
    feeling = forms.CharField(
        label="What I feel",
        max_length=200,
        help_text="One or two words are enough: hurt, worried, lonely, hopeful…",
    )
    situation = forms.CharField(
        label="About what specific situation",
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One moment, described the way a camera would see it.",
    )
    need = forms.CharField(
        label="What I need",
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Something your partner could do, said as a wish rather than a complaint.",
    )
    creation_key = forms.CharField(widget=forms.HiddenInput, initial=_key, required=False)


_SUBJECTS = frozenset(["i", "you", "we", "he", "she", "they", "it"])
_MOMENT_WORDS = DAYS | frozenset(
    [
        "on",
        "at",
        "in",
        "this",
        "last",
        "the",
        "other",
        "yesterday",
        "today",
        "tonight",
        "earlier",
        "day",
        "night",
        "morning",
        "afternoon",
        "evening",
        "week",
        "weekend",
        "dinner",
        "lunch",
        "breakfast",
        "party",
    ]
)


def _joiner(situation: str) -> str:
    """How "I feel X" leads into the writer's situation, kept in their own words.

    A noun phrase takes "about" ("about the dishes in the sink"); a clause, even behind a
    moment ("on monday you didn't answer", "last night we argued"), takes "when", since
    "about on monday you didn't answer" is not English; "when/about/after ..." needs nothing.
    """
    words = situation.lower().replace(",", " ").split()
    if not words or words[0] in ("when", "about", "after"):
        return ""
    for word in words[:6]:
        if word in _SUBJECTS:
            return "when "
        if word not in _MOMENT_WORDS:
            break
    return "about "


def compose(feeling: str, situation: str, need: str) -> str:
    """The message the builder produces from its three parts, in the writer's own words."""
    feeling = feeling.strip().rstrip(".")
    situation = situation.strip().rstrip(".")
    need = need.strip().rstrip(".")
    parts = []
    if feeling or situation:
        lead = f"I feel {feeling}" if feeling else "I want to talk"
        if situation:
            lead += f" {_joiner(situation)}{situation}"
        parts.append(lead + ".")
    if need:
        parts.append(need[0].upper() + need[1:] + ".")
    return " ".join(parts)


class FeelingWordsForm(forms.Form):
    """Ticked words from the feelings-and-needs list; where they go next. Nothing is stored."""

    feelings = forms.MultipleChoiceField(
        choices=[(heading, [(w, w) for w in words]) for heading, words in word_list.FEELINGS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs = forms.MultipleChoiceField(
        choices=[(w, w) for w in word_list.NEEDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    then = forms.ChoiceField(choices=[("conversation", "conversation"), ("journal", "journal")])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("feelings") and not data.get("needs"):
            raise forms.ValidationError("Tick at least one word. One is enough.")
        data["feelings"] = word_list.in_list_order(
            data.get("feelings") or [], word_list.feeling_order()
        )
        data["needs"] = word_list.in_list_order(data.get("needs") or [], word_list.NEEDS)
        return data


class OpenConversationForm(forms.Form):
    topic = forms.CharField(
        label="Topic",
        max_length=200,
        help_text="A few words, e.g. “our evenings” or “the phone at dinner”.",
    )
    creation_key = forms.CharField(widget=forms.HiddenInput, initial=_key, required=False)


class TurnForm(forms.Form):
    body = forms.CharField(label="Your words", widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.CharField(widget=forms.HiddenInput)
    expected_seq = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    send_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)


class BreakForm(forms.Form):
    CHOICES = [
        (20, "20 minutes"),
        (30, "30 minutes"),
        (60, "1 hour"),
        (120, "2 hours"),
        (240, "4 hours"),
        (720, "12 hours"),
        (1440, "24 hours"),
    ]
    minutes = forms.TypedChoiceField(
        label="We'll come back in", choices=CHOICES, coerce=int, initial=30
    )


class ReviewOpenForm(forms.Form):
    title = forms.CharField(
        label="The moment",
        max_length=200,
        help_text="A few neutral words you both recognise, e.g. “the night of the party”.",
    )
    creation_key = forms.CharField(widget=forms.HiddenInput, initial=_key, required=False)


class ReviewAnswerForm(forms.ModelForm):
    class Meta:
        model = ReviewAnswer
        fields = list(ReviewAnswer.PARTS)
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ReviewAnswer.PARTS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The writer's private hints as they write; summing up the partner's view is a
        # listener's task, so that part gets the listener's template.
        coach(self, *(name for name in ReviewAnswer.PARTS if name != "your_view"))
        coach(self, "your_view", role=LISTENER)


class ConfirmForm(forms.Form):
    """A button with nothing to fill in; the action may still say no."""


def review_question_count() -> int:
    """How many questions a review asks: the answer form's own fields, never a typed number."""
    return len(ReviewAnswerForm.base_fields)


class CommentForm(forms.Form):
    body = forms.CharField(label="Your comment", widget=forms.Textarea(attrs={"rows": 3}))


class TriggerForm(forms.Form):
    what_happened = forms.CharField(
        label="What happened", widget=forms.Textarea(attrs={"rows": 3}), max_length=3_000
    )
    intensity = forms.TypedChoiceField(
        label="How strong it felt (0 = hardly, 10 = overwhelming)",
        choices=[(i, str(i)) for i in range(11)],
        coerce=int,
        initial=5,
    )
    what_helped = forms.CharField(
        label="What helped (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=3_000,
    )
    visibility = forms.ChoiceField(
        label="Who can see this",
        choices=[
            (Visibility.PRIVATE.value, "Only me"),
            (Visibility.CLINICIAN.value, "Me and our clinician"),
        ],
        initial=Visibility.PRIVATE.value,
        widget=forms.RadioSelect,
        required=False,  # private unless the writer chooses otherwise
    )

    def __init__(self, *args: Any, solo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if solo:
            # One person working alone: nothing on the page speaks to two people.
            self.fields["visibility"].choices = [
                (Visibility.PRIVATE.value, "Only me"),
                (Visibility.CLINICIAN.value, "Me and my clinician"),
            ]

    def clean_visibility(self) -> str:
        return self.cleaned_data.get("visibility") or Visibility.PRIVATE.value

    creation_key = forms.CharField(widget=forms.HiddenInput, initial=_key, required=False)
