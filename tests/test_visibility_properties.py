"""Who sees which partner-authored record, checked against DESIGN.md's table in small random worlds.

The oracle below is written straight from the table ("Who sees what"), without looking at
``rules`` or ``policy``: the author always; the other partner only ``couple`` records; the case's
assigned clinicians ``clinician`` and ``couple`` records; nobody else anything.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrust.core import policy, rules
from retrust.core.models import (
    Case,
    CaseMember,
    ClinicianMembership,
    JournalEntry,
    Practice,
    User,
)
from retrust.core.rules import Relation, Visibility

VISIBILITIES = ["private", "clinician", "couple"]
ROLES = ["clinician", "admin"]

# --- the world, as plain data -------------------------------------------------------------


@dataclass
class CasePlan:
    partners: list[int]  # people indexes; [partner_a] or [partner_a, partner_b]
    clinicians: list[int]  # everyone assigned to the case, whether or not still a clinician
    entries: list[tuple[int, str]]  # (index into partners = author, visibility)


@dataclass
class PracticePlan:
    memberships: dict[int, str]  # person -> "clinician" | "admin"
    cases: list[CasePlan] = field(default_factory=list)


@dataclass
class World:
    people: int
    practices: list[PracticePlan]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n = draw(st.integers(min_value=2, max_value=7))
    person = st.integers(min_value=0, max_value=n - 1)
    practices = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        memberships = draw(st.dictionaries(person, st.sampled_from(ROLES), max_size=3))
        clinicians = sorted(p for p, role in memberships.items() if role == "clinician")
        plan = PracticePlan(memberships)
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            a = draw(person)
            b = draw(st.none() | person.filter(lambda p, a=a: p != a))
            partners = [a] if b is None else [a, b]
            # A case's clinician is never also one of its partners.
            eligible = [p for p in clinicians if p not in partners]
            assigned = draw(st.lists(st.sampled_from(eligible), unique=True)) if eligible else []
            # Stale assignments: people assigned to the case who are not (or no longer)
            # clinicians of its practice -- an admin, someone who left, someone from elsewhere.
            stale = [p for p in range(n) if p not in partners and p not in clinicians]
            if stale:
                assigned += draw(st.lists(st.sampled_from(stale), unique=True, max_size=2))
            entries = draw(
                st.lists(
                    st.tuples(
                        st.integers(min_value=0, max_value=len(partners) - 1),
                        st.sampled_from(VISIBILITIES),
                    ),
                    max_size=4,
                )
            )
            plan.cases.append(CasePlan(partners, assigned, entries))
        practices.append(plan)
    return World(n, practices)


@dataclass
class Built:
    users: list[User]
    entries: list[JournalEntry]
    # Oracle facts per entry id: author, the case's partners, the case's assigned clinicians,
    # and the practice's staff with their roles.
    author: dict[int, int]
    partners: dict[int, set[int]]
    clinicians: dict[int, set[int]]
    practice_staff: dict[int, dict[int, str]]


def build(world: World) -> Built:
    users = [
        User.objects.create(email=f"person{i}@example.org", password="!")
        for i in range(world.people)
    ]
    built = Built(users, [], {}, {}, {}, {})
    for p_index, plan in enumerate(world.practices):
        practice = Practice.objects.create(name=f"Practice {p_index}", slug=f"practice-{p_index}")
        for person, role in plan.memberships.items():
            ClinicianMembership.objects.create(practice=practice, user=users[person], role=role)
        for c_index, case_plan in enumerate(plan.cases):
            case = Case.objects.create(practice=practice, label=f"Case {p_index}.{c_index}")
            for role, person in zip(("partner_a", "partner_b"), case_plan.partners, strict=False):
                CaseMember.objects.create(case=case, user=users[person], role=role)
            case.clinicians.add(*[users[p] for p in case_plan.clinicians])
            for author_slot, visibility in case_plan.entries:
                author = case_plan.partners[author_slot]
                entry = JournalEntry.objects.create(
                    case=case, author=users[author], visibility=visibility, body="…"
                )
                built.entries.append(entry)
                built.author[entry.pk] = author
                built.partners[entry.pk] = set(case_plan.partners)
                # Only assigned people who are clinicians of this practice are its clinicians.
                built.clinicians[entry.pk] = {
                    p for p in case_plan.clinicians if plan.memberships.get(p) == "clinician"
                }
                built.practice_staff[entry.pk] = dict(plan.memberships)
    return built


def oracle_sees(built: Built, person: int, entry: JournalEntry) -> bool:
    """DESIGN.md's table, read row by row."""
    if built.author[entry.pk] == person:
        return True
    if entry.visibility == "couple" and person in built.partners[entry.pk]:
        return True
    return entry.visibility in ("clinician", "couple") and person in built.clinicians[entry.pk]


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_visible_to_and_can_see_match_the_design_table(world: World) -> None:
    with transaction.atomic():
        built = build(world)
        for person, user in enumerate(built.users):
            visible = set(JournalEntry.objects.visible_to(user).values_list("pk", flat=True))
            expected = {e.pk for e in built.entries if oracle_sees(built, person, e)}
            assert visible == expected, f"person {person} in {world}"

            # The access object's direct filter for one case gives the same rows.
            for case_id in {e.case_id for e in built.entries}:
                try:
                    access = policy.case_access(user, case_id)
                except Http404:
                    continue
                direct = set(access.visible(JournalEntry.objects).values_list("pk", flat=True))
                in_case = {e.pk for e in built.entries if e.case_id == case_id}
                assert direct == expected & in_case, f"person {person}, case {case_id}, {world}"

            # A partner's cases at once (their home page): the same rows, case by case.
            partner_of = policy.accesses_for(user, as_=policy.PARTNER)
            if partner_of and not any(a.is_clinician for a in partner_of):
                at_once = set(
                    policy.visible_in(partner_of, JournalEntry.objects).values_list("pk", flat=True)
                )
                theirs = {a.case.pk for a in partner_of}
                in_cases = {e.pk for e in built.entries if e.case_id in theirs}
                assert at_once == expected & in_cases, f"person {person} at once, {world}"

            for entry in built.entries:
                author = built.author[entry.pk]
                related = (
                    person == author
                    or person in built.partners[entry.pk]
                    or person in built.clinicians[entry.pk]
                )
                seen = entry.pk in visible
                assert policy.can_see(user, entry) is seen, (person, entry.pk, world)
                if entry.visibility == "private":
                    assert not seen or person == author, "a private record leaked"
                if entry.visibility == "clinician" and person in built.partners[entry.pk]:
                    assert not seen or person == author, "a clinician record reached the partner"
                if not related:
                    # Another practice's clinician, a practice admin, another clinician of the
                    # same practice, or a stranger: nothing at all, whatever the visibility.
                    assert not seen, "a record reached someone outside its case"
                staff_role = built.practice_staff[entry.pk].get(person)
                if staff_role == "admin" and not related:
                    assert policy.relation_to(user, entry) is Relation.PRACTICE_ADMIN

        assert not JournalEntry.objects.visible_to(AnonymousUser()).exists()
        assert not any(policy.can_see(AnonymousUser(), e) for e in built.entries)
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    visibilities=st.lists(st.sampled_from(VISIBILITIES), max_size=6),
    assigned=st.booleans(),
)
def test_a_partner_who_joins_later_is_shown_nothing_written_before(
    visibilities: list[str], assigned: bool
) -> None:
    """DESIGN.md: a record written before a partner joined is never widened by the join."""
    from retrust.core import actions
    from retrust.core.models import HeldRecord

    with transaction.atomic():
        practice = Practice.objects.create(name="P", slug="p")
        clinician = User.objects.create(email="c@example.org", password="!")
        ClinicianMembership.objects.create(practice=practice, user=clinician, role="clinician")
        first = User.objects.create(email="a@example.org", password="!")
        newcomer = User.objects.create(email="b@example.org", password="!")
        case = Case.objects.create(practice=practice, label="Case")
        if assigned:
            case.clinicians.add(clinician)
        CaseMember.objects.create(case=case, user=first, role="partner_a")
        for visibility in visibilities:
            JournalEntry.objects.create(case=case, author=first, visibility=visibility, body="…")

        def seen(user: User) -> set[int]:
            return set(JournalEntry.objects.visible_to(user).values_list("pk", flat=True))

        before = {user.pk: seen(user) for user in (first, clinician)}
        CaseMember.objects.create(case=case, user=newcomer, role="partner_b")
        held = actions.partner_joined(case, newcomer)

        assert seen(newcomer) == set()
        assert {user.pk: seen(user) for user in (first, clinician)} == before
        assert held == visibilities.count("couple") == HeldRecord.objects.count()
        assert actions.partner_joined(case, newcomer) == 0
        transaction.set_rollback(True)


def test_a_clinician_who_is_also_a_partner_elsewhere_sees_by_each_role(
    practice, case, partner_a, partner_b, clinician, other_practice_case
):
    """Mixed roles: the case clinician is a partner in another practice's case."""
    CaseMember.objects.create(case=other_practice_case, user=clinician, role="partner_a")
    other = User.objects.create(email="other.partner@example.org", password="!")
    CaseMember.objects.create(case=other_practice_case, user=other, role="partner_b")
    mine_private = JournalEntry.objects.create(
        case=other_practice_case, author=other, visibility="private", body="p"
    )
    mine_clinician = JournalEntry.objects.create(
        case=other_practice_case, author=other, visibility="clinician", body="c"
    )
    mine_couple = JournalEntry.objects.create(
        case=other_practice_case, author=other, visibility="couple", body="cc"
    )
    theirs_clinician = JournalEntry.objects.create(
        case=case, author=partner_a, visibility="clinician", body="x"
    )
    visible = set(JournalEntry.objects.visible_to(clinician))
    assert visible == {mine_couple, theirs_clinician}
    for entry in (mine_private, mine_clinician, mine_couple, theirs_clinician):
        assert policy.can_see(clinician, entry) is (entry in visible)


# --- rules.py, exhaustively ---------------------------------------------------------------

# Written out by hand from DESIGN.md, not derived from rules.SEES.
EXPECTED_SEES = {
    (Relation.AUTHOR, Visibility.PRIVATE): True,
    (Relation.AUTHOR, Visibility.CLINICIAN): True,
    (Relation.AUTHOR, Visibility.COUPLE): True,
    (Relation.OTHER_PARTNER, Visibility.PRIVATE): False,
    (Relation.OTHER_PARTNER, Visibility.CLINICIAN): False,
    (Relation.OTHER_PARTNER, Visibility.COUPLE): True,
    (Relation.CASE_CLINICIAN, Visibility.PRIVATE): False,
    (Relation.CASE_CLINICIAN, Visibility.CLINICIAN): True,
    (Relation.CASE_CLINICIAN, Visibility.COUPLE): True,
    (Relation.OTHER_CLINICIAN, Visibility.PRIVATE): False,
    (Relation.OTHER_CLINICIAN, Visibility.CLINICIAN): False,
    (Relation.OTHER_CLINICIAN, Visibility.COUPLE): False,
    (Relation.PRACTICE_ADMIN, Visibility.PRIVATE): False,
    (Relation.PRACTICE_ADMIN, Visibility.CLINICIAN): False,
    (Relation.PRACTICE_ADMIN, Visibility.COUPLE): False,
    (Relation.STRANGER, Visibility.PRIVATE): False,
    (Relation.STRANGER, Visibility.CLINICIAN): False,
    (Relation.STRANGER, Visibility.COUPLE): False,
}


def test_the_expected_table_covers_every_relation_and_visibility() -> None:
    assert set(EXPECTED_SEES) == set(itertools.product(Relation, Visibility))
    assert len(Relation) == 6 and len(Visibility) == 3


@pytest.mark.parametrize(
    ("relation", "visibility"), list(itertools.product(Relation, Visibility)), ids=str
)
def test_may_see_follows_the_design_table(relation: Relation, visibility: Visibility) -> None:
    assert rules.may_see(relation, visibility) is EXPECTED_SEES[(relation, visibility)]
    assert (relation in rules.relations_seeing(visibility)) is EXPECTED_SEES[(relation, visibility)]


@pytest.mark.parametrize("relation", list(Relation), ids=str)
def test_only_the_author_may_change_a_record(relation: Relation) -> None:
    assert rules.may_change(relation) is (relation is Relation.AUTHOR)


@pytest.mark.parametrize(
    ("chosen", "maximum"), list(itertools.product(Visibility, Visibility)), ids=str
)
def test_within_means_shown_to_no_one_the_maximum_would_not_show(
    chosen: Visibility, maximum: Visibility
) -> None:
    widens = bool(rules.relations_seeing(chosen) - rules.relations_seeing(maximum))
    assert rules.within(chosen, maximum) is not widens


def test_each_visibility_shows_a_strict_superset_of_the_narrower_one() -> None:
    private, clinician, couple = (rules.relations_seeing(v) for v in rules.ORDER)
    assert private < clinician < couple


def test_visibility_labels_say_who_reads_it_in_plain_words() -> None:
    assert Visibility.PRIVATE.label == "Only me"
    assert Visibility.CLINICIAN.label == "Me and our clinician"
    assert Visibility.COUPLE.label == "Both of us and our clinician"
    assert [v.value for v in Visibility] == VISIBILITIES
