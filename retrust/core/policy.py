"""The one place that decides who sees and changes what.

Every view and API route fetches cases and partner-authored records through these functions.
A person who may not see something gets ``Http404``: we never confirm that it exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404

from retrust.core import audit, pause
from retrust.core.models import (
    Case,
    CaseMember,
    CaseStatus,
    ClinicianMembership,
    Practice,
    PracticeRole,
)
from retrust.core.rules import SEES, Relation, Visibility, may_see

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


PARTNER_ROLE = "partner"
STAFF_ROLES = frozenset({PracticeRole.CLINICIAN.value, PracticeRole.ADMIN.value})


def roles(user: Any) -> frozenset[str]:
    """What this person is, in one query: their practice roles (``"clinician"``, ``"admin"``)
    and ``"partner"`` if they take part in a case.

    Kept on the user object, which lives for one request: the two-factor middleware, the page's
    own check, the menu and its badges all ask, and one query answers them all. Actions that
    change data ask the database afresh (``is_clinician`` and the others below).
    """
    if not _authenticated(user):
        return frozenset()
    found = getattr(user, "_retrust_roles", None)
    if found is None:
        practice_roles = ClinicianMembership.objects.filter(user=user).values_list("role")
        partner = (
            CaseMember.objects.filter(user=user)
            .order_by()
            .values_list(Value(PARTNER_ROLE, output_field=CharField()))
        )
        found = frozenset(role for (role,) in practice_roles.union(partner))
        user._retrust_roles = found
    return found


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
    # One IN over the union: an OR of two subqueries gets no semi-join in PostgreSQL.
    return Case.objects.filter(id__in=member_case_ids(user).union(clinician_case_ids(user)))


def caseload_for(user: Any) -> QuerySet[Case]:
    """Cases this clinician is assigned to, within practices where they are still a clinician."""
    if not _authenticated(user):
        return Case.objects.none()
    return Case.objects.filter(id__in=clinician_case_ids(user))


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
        # What a held partner writes during a pause waits for the pause to end (core.pause).
        return Q(case_id__in=member_case_ids(user)) & ~Q(author_id=user.pk) & ~pause.held_q()
    if relation is Relation.CASE_CLINICIAN:
        return Q(case_id__in=clinician_case_ids(user)) & ~Q(author_id=user.pk)
    # Other clinicians, practice admins and strangers see nothing in any visibility.
    return Q(pk__in=[])


# Relations that only a person with this role can stand in (``roles``).
_NEEDS_ROLE = {
    Relation.OTHER_PARTNER: PARTNER_ROLE,
    Relation.CASE_CLINICIAN: PracticeRole.CLINICIAN.value,
}


def visible_records_q(user: Any) -> Q:
    """The filter behind ``PartnerAuthored.objects.visible_to(user)``, built from ``SEES``.

    One term per relation the viewer may stand in, with the visibilities that relation sees
    (the same table read the other way round: two subqueries at most instead of one per cell,
    which is most of the cost of building and compiling every partner page's queries). When
    this request already knows the person's roles (``roles``), the relations that no one
    without that role can stand in are left out: their subqueries would find nothing.
    """
    if not _authenticated(user):
        return Q(pk__in=[])
    known_roles: frozenset[str] | None = getattr(user, "_retrust_roles", None)
    condition: Q | None = None
    for relation in Relation:
        shown = [visibility.value for visibility, seen_by in SEES.items() if relation in seen_by]
        needs = _NEEDS_ROLE.get(relation)
        if not shown or (
            known_roles is not None and needs is not None and needs not in known_roles
        ):
            continue
        term = _relation_q(user, relation) & Q(visibility__in=shown)
        condition = term if condition is None else condition | term
    return condition if condition is not None else Q(pk__in=[])


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


# --- one door per case ----------------------------------------------------------------------


class As(StrEnum):
    """In which capacity a page or route lets a person into a case."""

    PARTNER = "partner"
    CLINICIAN = "clinician"
    MEMBER = "member"  # a partner or the case's clinician


PARTNER, CLINICIAN, MEMBER = As.PARTNER, As.CLINICIAN, As.MEMBER


@dataclass(frozen=True)
class CaseAccess:
    """One person's way into one case, resolved once per request.

    Every page and API route that concerns a case starts here (``case_access``), reads
    partner-authored records through ``read``/``get`` (``visible_to`` plus the clinical-read
    audit) and asks the ``can_*`` predicates that the actions enforce, so a button shows only
    where the action would accept it.
    """

    user: Any
    case: Case
    member: CaseMember | None
    is_clinician: bool
    # What this request has already recorded as a clinical read (one audit row per kind).
    _audited: set[str] = field(default_factory=set, compare=False, repr=False)

    # -- who --------------------------------------------------------------------------------

    @property
    def is_partner(self) -> bool:
        return self.member is not None

    @property
    def role(self) -> str:
        """``partner_a``, ``partner_b`` or ``clinician``."""
        return self.member.role if self.member is not None else "clinician"

    # -- what they may do -------------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        return self.case.status == CaseStatus.CLOSED

    @property
    def can_write(self) -> bool:
        """A partner adding or changing their own records (a closed case is read-only)."""
        return self.is_partner and not self.is_closed

    @property
    def can_act_as_clinician(self) -> bool:
        return self.is_clinician and not self.is_closed

    @property
    def held(self) -> bool:
        """Couple-shared work waits for this person (``core.pause``)."""
        return pause.is_held(self.case, self.user) or (
            self.is_clinician and pause.is_paused(self.case)
        )

    @property
    def pause_message(self) -> str:
        return pause.message_for(self.case, self.user) if self.held else ""

    @property
    def can_share(self) -> bool:
        """Writing something the other partner will see (the same rule the actions enforce)."""
        return self.can_write and not self.held

    # -- reading ----------------------------------------------------------------------------

    def visible(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Partner-authored rows of this case that this person may see; no audit.

        For counts and existence only: content a clinician reads goes through ``read``.
        """
        return queryset.filter(self._visible_q())

    def _visible_q(self) -> Q:
        """``visible_records_q`` for this one case, where the viewer's relation is known.

        The same rule table (``SEES``) without its subqueries: within this case a record is
        the viewer's own, or the other partner's (to a partner), or a partner's (to the
        case's clinician). E.g. for a partner: ``case = X AND (author = me OR (visibility =
        'couple' AND NOT held))``.
        """
        user_pk = self.user.pk
        others: list[Relation] = []
        if self.is_partner:
            others.append(Relation.OTHER_PARTNER)
        if self.is_clinician:
            others.append(Relation.CASE_CLINICIAN)
        condition = Q(author_id=user_pk) & Q(
            visibility__in=[v.value for v, seen_by in SEES.items() if Relation.AUTHOR in seen_by]
        )
        for relation in others:
            shown = [v.value for v, seen_by in SEES.items() if relation in seen_by]
            if not shown:
                continue
            theirs = ~Q(author_id=user_pk) & Q(visibility__in=shown)
            if relation is Relation.OTHER_PARTNER and self.case.paused_since is not None:
                # What the held partner writes during a pause waits for it to end (core.pause).
                theirs &= ~Q(
                    author_id=self.case.pause_held_for_id,
                    created_at__gte=self.case.paused_since,
                )
            condition |= theirs
        return Q(case_id=self.case.pk) & condition

    def read(self, queryset: QuerySet[Any], what: str) -> QuerySet[Any]:
        """Rows this person may see; a clinician's read is recorded (once per ten minutes)."""
        self.record_read(what)
        return self.visible(queryset)

    def get(self, queryset: QuerySet[Any], pk: Any, what: str | None = None) -> Any:
        """One record this person may see, or 404."""
        record = self.visible(queryset).filter(pk=pk).first()
        if record is None:
            raise Http404("No such record.")
        if what is not None:
            self.record_read(what)
        return record

    def get_to_change(self, queryset: QuerySet[Any], pk: Any) -> Any:
        """One record this person wrote, or 404."""
        record = queryset.filter(case_id=self.case.pk, author_id=self.user.pk, pk=pk).first()
        if record is None:
            raise Http404("No such record.")
        return record

    def record_read(self, what: str) -> None:
        """A clinician opened clinical content of this case: that read is itself a record."""
        if not self.is_clinician or self.is_partner or what in self._audited:
            return
        self._audited.add(what)
        audit.record_content_viewed(self.user, self.case, what)


def case_access(user: Any, case_id: Any, as_: As = MEMBER) -> CaseAccess:
    """The person's way into the case, or 404 for anyone the capacity ``as_`` leaves out."""
    if not _authenticated(user):
        raise Http404("No such case.")
    try:
        case_pk = int(case_id)
    except (TypeError, ValueError):
        raise Http404("No such case.") from None
    case = (
        Case.objects.select_related("practice")
        .annotate(
            _clinician=Exists(clinician_case_ids(user).filter(case_id=OuterRef("pk"))),
        )
        .filter(pk=case_pk)
        .first()
    )
    if case is None:
        raise Http404("No such case.")
    member = None
    if as_ is not As.CLINICIAN:
        member = CaseMember.objects.filter(case=case, user=user).first()
    is_clinician = bool(case._clinician)  # type: ignore[attr-defined]
    allowed = {
        As.PARTNER: member is not None,
        As.CLINICIAN: is_clinician,
        As.MEMBER: member is not None or is_clinician,
    }[as_]
    if not allowed:
        raise Http404("No such case.")
    return CaseAccess(user=user, case=case, member=member, is_clinician=is_clinician)


def accesses_for(user: Any, as_: As = MEMBER) -> list[CaseAccess]:
    """The person's way into each of their cases (a home page, a list of cases), oldest first.

    Three queries however many cases: the same decision as ``case_access`` for each of them.
    """
    if not _authenticated(user):
        return []
    members: dict[int, CaseMember] = {}
    if as_ is not As.CLINICIAN:
        members = {m.case_id: m for m in CaseMember.objects.filter(user=user)}
    clinician_of: set[int] = set()
    if as_ is not As.PARTNER:
        clinician_of = set(clinician_case_ids(user).values_list("case_id", flat=True))
    cases = Case.objects.select_related("practice").filter(pk__in=set(members) | clinician_of)
    return [
        CaseAccess(
            user=user,
            case=case,
            member=members.get(case.pk),
            is_clinician=case.pk in clinician_of,
        )
        for case in cases.order_by("pk")
    ]


def visible_in(accesses: Iterable[CaseAccess], queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Rows of several of a partner's cases at once that they may see (their home page).

    Each case's own direct condition (``CaseAccess._visible_q``: the case, the author, the
    visibility, the pause), joined with OR: no subquery over the person's memberships, which
    is most of what building and planning ``visible_records_q`` costs. Partners only: a
    clinician's read goes through ``CaseAccess.read`` and its audit.
    """
    condition: Q | None = None
    for access in accesses:
        if access.is_clinician and not access.is_partner:
            raise ValueError("A clinician reads one case at a time, through CaseAccess.read.")
        term = access._visible_q()
        condition = term if condition is None else condition | term
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def record_access(
    user: Any, queryset: QuerySet[Any], pk: Any, as_: As = MEMBER, what: str | None = None
) -> tuple[CaseAccess, Any]:
    """For routes addressed by a record's id: the access to its case and the record, or 404."""
    case_id = queryset.filter(visible_records_q(user), pk=pk).values_list("case_id", flat=True)
    found = case_id.first()
    if found is None:
        raise Http404("No such record.")
    access = case_access(user, found, as_=as_)
    return access, access.get(queryset, pk, what=what)
