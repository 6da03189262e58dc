"""The one place that decides who sees and changes what.

Every view and API route fetches cases and partner-authored records through these functions.
A person who may not see something gets ``Http404``: we never confirm that it exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404

from retrust.core.models import (
    Case,
    CaseMember,
    ClinicianMembership,
    Practice,
    PracticeRole,
)
from retrust.core.rules import SEES, Relation, Visibility, may_change, may_see

if TYPE_CHECKING:
    from retrust.core.models import PartnerAuthored, User


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def member_case_ids(user: User) -> QuerySet[Any]:
    return CaseMember.objects.filter(user=user).values("case_id")


def clinician_case_ids(user: User) -> QuerySet[Any]:
    """Cases this person is assigned to while still a clinician of the case's practice."""
    return Case.clinicians.through.objects.filter(
        user=user,
        case__practice__memberships__user=user,
        case__practice__memberships__role=PracticeRole.CLINICIAN,
    ).values("case_id")


def membership(user: Any, case: Case) -> CaseMember | None:
    """This person's place in the case as a partner, or ``None``."""
    if not _authenticated(user):
        return None
    return CaseMember.objects.filter(case=case, user=user).first()


def is_partner(user: Any, case: Case) -> bool:
    if not _authenticated(user):
        return False
    return CaseMember.objects.filter(case=case, user=user).exists()


def is_case_clinician(user: Any, case: Case) -> bool:
    """Assigned to this case and still a clinician of its practice."""
    if not _authenticated(user):
        return False
    return clinician_case_ids(user).filter(case_id=case.pk).exists()


def is_clinician(user: Any) -> bool:
    if not _authenticated(user):
        return False
    return ClinicianMembership.objects.filter(user=user, role=PracticeRole.CLINICIAN).exists()


def is_practice_admin(user: Any) -> bool:
    if not _authenticated(user):
        return False
    return ClinicianMembership.objects.filter(user=user, role=PracticeRole.ADMIN).exists()


def is_practice_staff(user: Any) -> bool:
    """Clinicians and practice admins: the people who must use two-factor sign-in."""
    if not _authenticated(user):
        return False
    return ClinicianMembership.objects.filter(user=user).exists()


# --- cases --------------------------------------------------------------------------------


def cases_for(user: Any) -> QuerySet[Case]:
    """Cases a person takes part in: as a partner, or as an assigned clinician."""
    if not _authenticated(user):
        return Case.objects.none()
    return Case.objects.filter(Q(id__in=member_case_ids(user)) | Q(id__in=clinician_case_ids(user)))


def get_case_for(user: Any, case_id: int) -> Case:
    """The case, if this person takes part in it; otherwise 404."""
    case = cases_for(user).select_related("practice").filter(pk=case_id).first()
    if case is None:
        raise Http404("No such case.")
    return case


def caseload_for(user: Any) -> QuerySet[Case]:
    """Cases this clinician is assigned to, within practices where they are still a clinician."""
    if not _authenticated(user):
        return Case.objects.none()
    return Case.objects.filter(id__in=clinician_case_ids(user))


def get_clinician_case_for(user: Any, case_id: int) -> Case:
    """A case for the clinician workspace: only its assigned clinicians get it, others 404."""
    case = caseload_for(user).select_related("practice").filter(pk=case_id).first()
    if case is None:
        raise Http404("No such case.")
    return case


def partner_cases_for(user: Any) -> QuerySet[Case]:
    if not _authenticated(user):
        return Case.objects.none()
    return Case.objects.filter(id__in=member_case_ids(user))


def _practice_where(user: Any, role: str) -> Practice:
    if not _authenticated(user):
        raise Http404("No such page.")
    membership = (
        ClinicianMembership.objects.select_related("practice")
        .filter(user=user, role=role)
        .order_by("id")
        .first()
    )
    if membership is None:
        raise Http404("No such page.")
    return membership.practice


def administered_practice_for(user: Any) -> Practice:
    """The practice this person administers; 404 for everyone else."""
    return _practice_where(user, PracticeRole.ADMIN)


def clinician_practice_for(user: Any) -> Practice:
    """The practice in which this person is a clinician; 404 for everyone else."""
    return _practice_where(user, PracticeRole.CLINICIAN)


# --- partner-authored records ------------------------------------------------------------


def _relation_q(user: User, relation: Relation) -> Q:
    """SQL condition for "the viewer stands in ``relation`` to the record"."""
    if relation is Relation.AUTHOR:
        return Q(author_id=user.pk)
    if relation is Relation.OTHER_PARTNER:
        return Q(case_id__in=member_case_ids(user)) & ~Q(author_id=user.pk)
    if relation is Relation.CASE_CLINICIAN:
        return Q(case_id__in=clinician_case_ids(user)) & ~Q(author_id=user.pk)
    # Other clinicians, practice admins and strangers see nothing in any visibility.
    return Q(pk__in=[])


def visible_records_q(user: Any) -> Q:
    """The filter behind ``PartnerAuthored.objects.visible_to(user)``, built from ``SEES``."""
    if not _authenticated(user):
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    for visibility, relations in SEES.items():
        allowed = Q(pk__in=[])
        for relation in relations:
            allowed |= _relation_q(user, relation)
        condition |= Q(visibility=visibility.value) & allowed
    return condition


def other_partner_records_q(user: Any) -> Q:
    """Records written by the other partner in this person's cases, whatever their visibility.

    Only for features that reveal an agreed, derived part of such records under their own rule
    (questionnaire totals "revealed together"), never the records themselves.
    """
    if not _authenticated(user):
        return Q(pk__in=[])
    return _relation_q(user, Relation.OTHER_PARTNER)


def relation_to(user: Any, record: PartnerAuthored) -> Relation:
    """How ``user`` stands to ``record``: the input of every decision in ``rules``."""
    if not _authenticated(user):
        return Relation.STRANGER
    if record.author_id == user.pk:  # type: ignore[attr-defined]
        return Relation.AUTHOR
    case_id = record.case_id  # type: ignore[attr-defined]
    if CaseMember.objects.filter(case_id=case_id, user=user).exists():
        return Relation.OTHER_PARTNER
    if clinician_case_ids(user).filter(case_id=case_id).exists():
        return Relation.CASE_CLINICIAN
    memberships = ClinicianMembership.objects.filter(
        user=user, practice__cases__id=case_id
    ).values_list("role", flat=True)
    roles = set(memberships)
    if PracticeRole.CLINICIAN in roles:
        return Relation.OTHER_CLINICIAN
    if PracticeRole.ADMIN in roles:
        return Relation.PRACTICE_ADMIN
    return Relation.STRANGER


def can_see(user: Any, record: PartnerAuthored) -> bool:
    return may_see(relation_to(user, record), Visibility(record.visibility))


def can_change(user: Any, record: PartnerAuthored) -> bool:
    return may_change(relation_to(user, record))


def get_record_for(user: Any, queryset: QuerySet[Any], pk: int) -> Any:
    """A partner-authored record this person may see; otherwise 404."""
    record = queryset.visible_to(user).filter(pk=pk).first()  # type: ignore[attr-defined]
    if record is None:
        raise Http404("No such record.")
    return record


def get_record_to_change(user: Any, queryset: QuerySet[Any], pk: int) -> Any:
    """A record this person may change (its author); otherwise 404."""
    record = get_record_for(user, queryset, pk)
    if not can_change(user, record):
        raise Http404("No such record.")
    return record
