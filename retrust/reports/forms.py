from __future__ import annotations

from typing import Any

from django import forms

from retrust.reports.models import Version


class ReportRequestForm(forms.Form):
    version = forms.ChoiceField(
        label="Which report",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which report you would like."},
    )

    def __init__(self, *args: Any, versions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v, Version(v).label) for v in versions]
        field.initial = versions[0]
        if len(versions) == 1:
            field.widget = forms.HiddenInput()
        field.error_messages["invalid_choice"] = "Choose which report you would like."
