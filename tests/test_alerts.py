import pytest

from retrust.core.actions import ActionError
from retrust.core.models import AuditEvent
from retrust.safety.actions import acknowledge_alert, raise_alert
from retrust.safety.models import Alert


def _raise(case, key="k1"):
    return raise_alert(
        case, source="phq9_item9", priority="high", summary="PHQ-9 item 9 above 0", dedupe_key=key
    )


def test_the_same_event_raises_one_alert(case):
    first = _raise(case)
    again = _raise(case)
    assert first.pk == again.pk
    assert Alert.objects.count() == 1
    assert AuditEvent.objects.filter(action="retrust.alert.raised").count() == 1


def test_a_case_clinician_acknowledges_with_a_note(case, clinician):
    alert = acknowledge_alert(clinician, _raise(case), "Called them; safety plan reviewed.")
    assert alert.acknowledged_by == clinician
    assert Alert.objects.open().count() == 0


def test_acknowledging_needs_a_note(case, clinician):
    alert = _raise(case)
    with pytest.raises(ActionError) as caught:
        acknowledge_alert(clinician, alert, "  ")
    assert caught.value.field == "note"
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


@pytest.mark.parametrize("who", ["other_clinician", "partner_a", "admin"])
def test_only_the_case_clinician_may_acknowledge(case, personas, who):
    alert = _raise(case)
    with pytest.raises(ActionError):
        acknowledge_alert(personas[who], alert, "note")
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_a_clinician_who_left_the_practice_can_no_longer_act_on_its_cases(case, clinician):
    from retrust.core.models import ClinicianMembership

    alert = _raise(case)
    ClinicianMembership.objects.filter(user=clinician).delete()  # still assigned to the case
    with pytest.raises(ActionError):
        acknowledge_alert(clinician, alert, "note")
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
