"""Let the coach read a text field as a partner writes it: one mechanism for every form.

A coached field posts its draft, as the writer types, to the coach's check endpoint
(``coach_feedback``: answers a fragment of private hints, stores nothing) and shows the answer
in a panel right under the field, so above the form's send button. Forms call ``coach(form,
name)``; a hand-written textarea uses the ``{% coach_attrs %}`` tag of the ``coaching`` tag
library; both render the panel with ``_coach_panel.html``. Only the writer's own page carries
these attributes: the hints travel in the writer's request and answer, and nowhere else.
"""

from __future__ import annotations

import json

from django import forms
from django.urls import reverse

from retrust.coach import ROLES, SPEAKER, offer


def panel_id(field_id: str) -> str:
    return f"coach-{field_id}"


def coach_attrs(name: str, field_id: str, role: str = SPEAKER) -> dict[str, str]:
    """htmx attributes for the textarea ``name`` (element id ``field_id``)."""
    if role not in ROLES:
        raise ValueError(f"unknown coach role {role!r}")
    return {
        "hx-post": reverse("coach_feedback"),
        "hx-trigger": "input changed delay:400ms",
        "hx-target": f"#{panel_id(field_id)}",
        "hx-swap": "innerHTML",
        "hx-vals": json.dumps({"coach_field": name, "coach_role": role}),
    }


def coach(form: forms.BaseForm, *names: str, role: str = SPEAKER) -> forms.BaseForm:
    """Coach the text fields ``names`` of ``form``: their widgets post to the coach and
    ``_form_fields.html`` puts a hint panel under each."""
    for name in names:
        bound = form[name]
        field_id = bound.auto_id or name
        form.fields[name].widget.attrs.update(coach_attrs(bound.html_name, field_id, role))
        form.fields[name].coach_panel = panel_id(field_id)  # type: ignore[attr-defined]
        # What the panel offers before anything is typed: a listener's template, or nothing.
        form.fields[name].coach_offer = offer(None, role)  # type: ignore[attr-defined]
    return form
