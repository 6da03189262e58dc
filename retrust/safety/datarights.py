"""Safety's part of an export and of a deletion (``core.datarights``).

Nothing of safety is ever in a person's own copy: not the screen's answers (the partner sees
only a thank-you and resources), not alerts, not pauses. A copy can be demanded by someone who
should not learn that any of these happened. When a person leaves, their screens, the alerts
about them and the individual sessions recorded with them are held with the clinical record
for the practice's retention period, then removed.
"""

from __future__ import annotations

from typing import Any

from retrust.core.datarights import Exporter, Leaving, nothing_to_export, rows_shredder
from retrust.safety.models import Alert, CasePause, IndividualSession, SafetyScreen


def _held(leaving: Leaving) -> dict[str, Any]:
    user_id = leaving.user.pk
    return {
        "safety screens": SafetyScreen.objects.filter(respondent_id=user_id),
        "alerts about the person": Alert.objects.filter(partner_id=user_id),
        "individual sessions": IndividualSession.objects.filter(partner_id=user_id),
        "pauses of cases left without a partner": CasePause.objects.filter(
            case_id__in=leaving.emptied_case_ids
        ),
    }


EXPORTER = Exporter("safety", nothing_to_export)
SHREDDER = rows_shredder("safety", held=_held)
