"""Every app that keeps records describes them for a person's copy and for a deletion."""

from __future__ import annotations

from django.apps import apps

from retrust.core.datarights import EXPORTERS, SHREDDERS


def test_every_retrust_app_with_models_has_an_exporter_and_a_shredder() -> None:
    with_models = {
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("retrust.") and list(config.get_models())
    }
    missing = sorted(with_models - (set(EXPORTERS) & set(SHREDDERS)))
    assert not missing, (
        f"{missing}: add retrust/<app>/datarights.py with an EXPORTER and a SHREDDER "
        "(see docs/architecture.md, 'Data rights') and register it in the app's ready()"
    )
