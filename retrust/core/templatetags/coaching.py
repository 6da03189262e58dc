"""``{% coach_attrs "body" "turn-body" role %}``: the coach's attributes on a hand-written
textarea, and ``{% coach_panel_id "turn-body" %}`` its panel (see ``retrust.core.coaching``)."""

from __future__ import annotations

from django import template
from django.forms.utils import flatatt
from django.utils.safestring import SafeString

from retrust.core import coaching

register = template.Library()


@register.simple_tag
def coach_attrs(name: str, field_id: str, role: str = "speaker") -> SafeString:
    return flatatt(coaching.coach_attrs(name, field_id, role))


@register.simple_tag
def coach_panel_id(field_id: str) -> str:
    return coaching.panel_id(field_id)
