"""Who may open what: every object or role URL, and every API route, walked by every persona.

DESIGN.md §5 "Privacy": per URL and per API route, the other partner, another clinician and
another practice get 404 — never 403, never a 200 carrying someone else's data. Anonymous
visitors are sent to sign in (pages) or get 401 (API).

Each route is one row of a table: who gets what. Each persona × route is one test case, so a
failure names both (``-k "delete couple entry-partner_b"``). For POSTs the row also names the
state the request would change, and the test checks that it changed for the right person and
stayed exactly as it was for everyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from retrust.core import actions
from retrust.core.models import (
    ApiToken,
    AuditEvent,
    Case,
    HeldRecord,
    Invitation,
    JournalEntry,
    User,
)
from tests.conftest import PERSONAS
from tests.support.matrix import (
    CLINICIANS,
    IN_CASE,
    PARTNERS,
    SIGNED_IN,
    STAFF_TO_START,
    Redirect,
    Route,
    api,
    check,
    matrix,
    pages,
)

# --- the data every row refers to -----------------------------------------------------------

BODIES = {
    "private": "Only-for-me: the night I could not sleep after the phone call",
    "clinician": "For-Dana-only: I still check his messages when he showers",
    "couple": "For-both-of-us: I noticed you came home when you said you would",
}
# Written for both before partner_b joined, so kept from partner_b until partner_a shows it.
HELD_BODY = "Before-Bo-joined: the first week was the hardest"

# DESIGN.md "Who sees what": the record is partner_a's; these personas may read it.
READERS = {
    "private": {"partner_a"},
    "clinician": {"partner_a", "clinician"},
    "couple": {"partner_a", "partner_b", "clinician"},
}


@dataclass
class World:
    case: Case
    open_case: Case
    other_case: Case
    entries: dict[str, JournalEntry]
    invitation: Invitation
    invitation_token: str
    other_invitation: Invitation
    token: ApiToken
    held: HeldRecord

    @property
    def ids(self) -> dict[str, int | str]:
        return {
            "invitation_token": self.invitation_token,
            "held": self.held.pk,
            "held_entry": self.held.record_id,
            "case": self.case.pk,
            "open_case": self.open_case.pk,
            "other_case": self.other_case.pk,
            "private": self.entries["private"].pk,
            "clinician_entry": self.entries["clinician"].pk,
            "couple": self.entries["couple"].pk,
            "invitation": self.invitation.pk,
            "other_invitation": self.other_invitation.pk,
            "token": self.token.pk,
        }


@pytest.fixture
def world(
    personas: dict[str, User | None],
    practice: Any,
    case: Case,
    other_practice_case: Case,
    partner_a: User,
    clinician: User,
    other_practice_clinician: User,
) -> World:
    earlier = actions.write_journal_entry(partner_a, case, body=HELD_BODY, visibility="couple")
    actions.partner_joined(case, personas["partner_b"], since=timezone.now())  # type: ignore[arg-type]
    held = HeldRecord.objects.get(record_id=earlier.pk)
    entries = {
        visibility: actions.write_journal_entry(partner_a, case, body=body, visibility=visibility)
        for visibility, body in BODIES.items()
    }
    # A second case of the same clinician with a free partner slot and a pending invitation.
    open_case = Case.objects.create(
        practice=practice, label="Cam on their own", track="individual", status="invited"
    )
    open_case.clinicians.add(clinician)
    issued = actions.invite_partner(clinician, open_case, email="cam@example.org")
    assert issued.token is not None
    other_invitation = actions.invite_partner(
        other_practice_clinician, other_practice_case, email="di@example.org"
    ).invitation
    token, _ = actions.create_api_token(partner_a, "my export script")
    return World(
        case=case,
        open_case=open_case,
        other_case=other_practice_case,
        entries=entries,
        invitation=issued.invitation,
        invitation_token=issued.token,
        other_invitation=other_invitation,
        token=token,
        held=held,
    )


# --- how a row says what each persona gets --------------------------------------------------


# --- state snapshots for POST rows ----------------------------------------------------------


def entry_state(key: str) -> Callable[[World], Any]:
    def snapshot(world: World) -> Any:
        return (
            JournalEntry.objects.filter(pk=world.entries[key].pk)
            .values_list("visibility", "body")
            .first()
        )

    return snapshot


def journal_bodies(world: World) -> Any:
    return sorted(JournalEntry.objects.values_list("id", "body"))


def read_marks(world: World) -> Any:
    from retrust.core.models import JournalReadMark

    return sorted(JournalReadMark.objects.values_list("entry_id", "reader_id"))


def journal_rows(world: World) -> Any:
    return sorted(JournalEntry.objects.values_list("id", "author_id", "visibility"))


def open_case_invitations(world: World) -> Any:
    return sorted(Invitation.objects.filter(case=world.open_case).values_list("id", "email"))


def invitation_state(attr: str) -> Callable[[World], Any]:
    def snapshot(world: World) -> Any:
        return (
            Invitation.objects.filter(pk=getattr(world, attr).pk)
            .values_list("revoked_at", flat=True)
            .get()
        )

    return snapshot


def held_state(world: World) -> Any:
    held = HeldRecord.objects.get(pk=world.held.pk)
    return held.decided_at, JournalEntry.objects.get(pk=held.record_id).visibility


def invitation_accepted(world: World) -> Any:
    return Invitation.objects.filter(pk=world.invitation.pk).values_list("accepted_at").get()


def session_generations(world: World) -> Any:
    return sorted(User.objects.values_list("id", "session_generation"))


def case_rows(world: World) -> Any:
    return sorted(Case.objects.values_list("id", "practice_id"))


def staff_invitations(world: World) -> Any:
    return sorted(Invitation.objects.filter(case=None).values_list("id", "email"))


def token_rows(world: World) -> Any:
    return sorted(ApiToken.objects.values_list("id", "user_id"))


# --- the tables -----------------------------------------------------------------------------

STAFF = ["clinician", "other_clinician", "other_practice_clinician", "admin"]
SIGNED_IN_PERSONAS = [persona for persona in PERSONAS if persona != "anonymous"]


def everyone(expected: Any) -> dict[str, Any]:
    return {persona: expected for persona in PERSONAS}


NEW_PASSWORD = "slow tide under the bridge"


PAGE_ROUTES = [
    # Where each person starts after signing in.
    Route(
        "start",
        "GET",
        "/start/",
        pages(
            partner_a=Redirect("/home/"),
            partner_b=Redirect("/home/"),
            clinician=Redirect("/caseload/"),
            other_clinician=Redirect("/caseload/"),
            other_practice_clinician=Redirect("/caseload/"),
            admin=Redirect("/practice/"),
        ),
    ),
    # Signing out, everywhere, and leaving quickly: these always work, even signed out.
    Route("sign out", "POST", "/accounts/logout/", everyone(Redirect("/accounts/login/"))),
    Route("sign out by GET", "GET", "/accounts/logout/", everyone(405)),
    Route(
        "sign out everywhere",
        "POST",
        "/accounts/logout-everywhere/",
        pages(**{persona: Redirect("/accounts/login/") for persona in SIGNED_IN_PERSONAS}),
        state=session_generations,
    ),
    Route("leave quickly", "POST", "/leave/", everyone(Redirect("/away/"))),
    Route("leave quickly as a beacon", "POST", "/leave/", everyone(204), data={"beacon": "1"}),
    Route("leave quickly by GET", "GET", "/leave/", everyone(405)),
    Route("change password", "GET", "/account/password/", pages(**SIGNED_IN)),
    # Partners may set up an authenticator; staff who have passed it go on to their start page.
    Route(
        "two-factor step",
        "GET",
        "/accounts/two-factor/",
        pages(**PARTNERS, **{persona: Redirect("/start/") for persona in STAFF}),
    ),
    # An invitation for cam@example.org: a stranger may use it; signed in as anyone else, the
    # page says it is for someone else and changes nothing.
    Route(
        "invitation",
        "GET",
        "/invite/{invitation_token}/",
        {**everyone(409), "anonymous": 200},
    ),
    Route(
        "accept invitation",
        "POST",
        "/invite/{invitation_token}/",
        {**everyone(409), "anonymous": Redirect("/start/")},
        data={"display_name": "Cam", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        state=invitation_accepted,
    ),
    Route("partner home", "GET", "/home/", pages(**PARTNERS, **STAFF_TO_START)),
    Route("account", "GET", "/account/", pages(**SIGNED_IN)),
    # Reading partner_a's journal entries: DESIGN.md "Who sees what".
    Route("read private entry", "GET", "/journal/{private}/", pages(partner_a=200)),
    Route(
        "read clinician entry",
        "GET",
        "/journal/{clinician_entry}/",
        pages(partner_a=200, clinician=200),
    ),
    Route("read couple entry", "GET", "/journal/{couple}/", pages(**IN_CASE)),
    # Written for both before partner_b joined: kept between its author and the clinician.
    Route(
        "read entry kept back at the join",
        "GET",
        "/journal/{held_entry}/",
        pages(partner_a=200, clinician=200),
    ),
    # Changing who can read an entry: the author only, even for people who can read it.
    Route(
        "re-share private entry",
        "POST",
        "/journal/{private}/",
        pages(partner_a=Redirect("/journal/{private}/")),
        data={"visibility": "couple"},
        state=entry_state("private"),
    ),
    Route(
        "re-share clinician entry",
        "POST",
        "/journal/{clinician_entry}/",
        pages(partner_a=Redirect("/journal/{clinician_entry}/")),
        data={"visibility": "couple"},
        state=entry_state("clinician"),
    ),
    Route(
        "re-share couple entry",
        "POST",
        "/journal/{couple}/",
        pages(partner_a=Redirect("/journal/{couple}/")),
        data={"visibility": "private"},
        state=entry_state("couple"),
    ),
    # Deleting: the author only, and only in two steps (a page that asks, then its form).
    Route(
        "ask before deleting private entry",
        "GET",
        "/journal/{private}/delete/",
        pages(partner_a=200),
    ),
    Route(
        "ask before deleting couple entry", "GET", "/journal/{couple}/delete/", pages(partner_a=200)
    ),
    Route(
        "delete private entry",
        "POST",
        "/journal/{private}/delete/",
        pages(partner_a=Redirect("/home/")),
        data={"confirm": "on"},
        state=entry_state("private"),
    ),
    Route(
        "delete clinician entry",
        "POST",
        "/journal/{clinician_entry}/delete/",
        pages(partner_a=Redirect("/home/")),
        data={"confirm": "on"},
        state=entry_state("clinician"),
    ),
    Route(
        "delete couple entry",
        "POST",
        "/journal/{couple}/delete/",
        pages(partner_a=Redirect("/home/")),
        data={"confirm": "on"},
        state=entry_state("couple"),
    ),
    Route(
        "reword couple entry",
        "POST",
        "/journal/{couple}/edit/",
        pages(partner_a=Redirect("/journal/{couple}/")),
        data={"body": "Reworded, gently"},
        state=journal_bodies,
    ),
    Route(
        "reword private entry",
        "POST",
        "/journal/{private}/edit/",
        pages(partner_a=Redirect("/journal/{private}/")),
        data={"body": "Reworded, privately"},
        state=journal_bodies,
    ),
    Route(
        "say I read a couple entry",
        "POST",
        "/journal/{couple}/read/",
        pages(partner_b=Redirect("/journal/{couple}/")),
        state=read_marks,
    ),
    Route(
        "say I read an entry kept for the clinician",
        "POST",
        "/journal/{clinician_entry}/read/",
        pages(),
        state=read_marks,
    ),
    Route(
        # One tap is not enough: without the confirmation the entry stays, whoever asks.
        "delete couple entry without confirming",
        "POST",
        "/journal/{couple}/delete/",
        pages(partner_a=400),
        state=entry_state("couple"),
    ),
    # Showing a record kept back when partner_b joined: its author only.
    Route(
        "show held entry",
        "POST",
        "/cases/{case}/held/{held}/show/",
        pages(partner_a=Redirect("/home/")),
        state=held_state,
    ),
    Route(
        "show held entry through another case",
        "POST",
        "/cases/{other_case}/held/{held}/show/",
        pages(),
        state=held_state,
    ),
    # Writing into a case: its partners only; clinicians comment, never write as a partner.
    Route(
        "write journal",
        "POST",
        "/cases/{case}/journal/",
        pages(partner_a=Redirect("/home/"), partner_b=Redirect("/home/")),
        data={"body": "A new line from me", "visibility": "couple"},
        state=journal_rows,
    ),
    Route(
        "write journal in other practice case",
        "POST",
        "/cases/{other_case}/journal/",
        pages(),
        data={"body": "Sneaking in", "visibility": "couple"},
        state=journal_rows,
    ),
    # The clinician's workspace.
    Route("caseload", "GET", "/caseload/", pages(**CLINICIANS)),
    Route("today", "GET", "/caseload/today/", pages(**CLINICIANS)),
    Route("case detail", "GET", "/cases/{case}/", pages(clinician=200)),
    Route("open case detail", "GET", "/cases/{open_case}/", pages(clinician=200)),
    Route(
        "other practice case detail",
        "GET",
        "/cases/{other_case}/",
        pages(other_practice_clinician=200),
    ),
    Route("new case form", "GET", "/cases/new/", pages(**CLINICIANS)),
    Route(
        "open a case",
        "POST",
        "/cases/new/",
        pages(
            clinician=Redirect("/cases/"),
            other_clinician=Redirect("/cases/"),
            other_practice_clinician=Redirect("/cases/"),
        ),
        data={
            "label": "Fresh start",
            "track": "conjoint",
            "partner_a_email": "new.partner@example.org",
            "creation_key": "matrix-key",
        },
        state=case_rows,
    ),
    Route(
        "invite partner",
        "POST",
        "/cases/{open_case}/invite/",
        pages(clinician=Redirect("/cases/{open_case}/")),
        data={"email": "someone.new@example.org", "display_name": "New"},
        state=open_case_invitations,
    ),
    Route(
        "withdraw invitation",
        "POST",
        "/cases/{open_case}/invitations/{invitation}/withdraw/",
        pages(clinician=Redirect("/cases/{open_case}/")),
        state=invitation_state("invitation"),
    ),
    Route(
        # The clinician's own case id in the URL must not unlock another case's invitation.
        "withdraw other practice invitation via own case",
        "POST",
        "/cases/{case}/invitations/{other_invitation}/withdraw/",
        pages(),
        state=invitation_state("other_invitation"),
    ),
    Route(
        "withdraw invitation via the wrong case",
        "POST",
        "/cases/{case}/invitations/{invitation}/withdraw/",
        pages(),
        state=invitation_state("invitation"),
    ),
    # The practice admin's pages.
    Route("practice", "GET", "/practice/", pages(admin=200)),
    Route(
        "invite staff",
        "POST",
        "/practice/",
        pages(admin=Redirect("/practice/")),
        data={"email": "new.colleague@example.org", "role": "clinician", "display_name": ""},
        state=staff_invitations,
    ),
    Route("audit log", "GET", "/practice/audit/", pages(admin=200)),
    # A person's own API tokens.
    Route(
        "revoke token",
        "POST",
        "/account/tokens/{token}/revoke/",
        pages(partner_a=Redirect("/account/")),
        state=token_rows,
    ),
]

API_ROUTES = [
    Route("me", "GET", "/api/v1/me", api(**SIGNED_IN)),
    Route("cases", "GET", "/api/v1/cases", api(**SIGNED_IN)),
    Route("case", "GET", "/api/v1/cases/{case}", api(**IN_CASE)),
    Route(
        "other practice case",
        "GET",
        "/api/v1/cases/{other_case}",
        api(other_practice_clinician=200),
    ),
    Route("case members", "GET", "/api/v1/cases/{case}/members", api(**IN_CASE)),
    Route("case journal", "GET", "/api/v1/cases/{case}/journal", api(**IN_CASE)),
    Route(
        "write journal",
        "POST",
        "/api/v1/cases/{case}/journal",
        api(partner_a=201, partner_b=201),
        data={"body": "Through the API", "visibility": "couple"},
        state=journal_rows,
    ),
    Route(
        "write journal in other practice case",
        "POST",
        "/api/v1/cases/{other_case}/journal",
        api(),
        data={"body": "Sneaking in", "visibility": "couple"},
        state=journal_rows,
    ),
    # One entry, by who may read it (as its page).
    Route("private entry", "GET", "/api/v1/journal/{private}", api(partner_a=200)),
    Route(
        "entry kept for the clinician",
        "GET",
        "/api/v1/journal/{clinician_entry}",
        api(partner_a=200, clinician=200),
    ),
    Route("couple entry", "GET", "/api/v1/journal/{couple}", api(**IN_CASE)),
    Route(
        "entry kept back at the join",
        "GET",
        "/api/v1/journal/{held_entry}",
        api(partner_a=200, clinician=200),
    ),
    # Rewording: the author only, whoever else can read it.
    Route(
        "reword couple entry",
        "POST",
        "/api/v1/journal/{couple}/edit",
        api(partner_a=200),
        data={"body": "Reworded through the API"},
        state=journal_bodies,
    ),
    Route(
        "reword private entry",
        "POST",
        "/api/v1/journal/{private}/edit",
        api(partner_a=200),
        data={"body": "Reworded privately"},
        state=journal_bodies,
    ),
    # "I read this": the other partner only, on an entry shared with both.
    Route(
        "say I read a couple entry",
        "POST",
        "/api/v1/journal/{couple}/read",
        api(partner_b=200),
        state=read_marks,
    ),
    Route(
        "say I read an entry kept for the clinician",
        "POST",
        "/api/v1/journal/{clinician_entry}/read",
        api(),
        state=read_marks,
    ),
]


@pytest.mark.parametrize(("route", "persona"), matrix(PAGE_ROUTES))
def test_page_access(
    route: Route, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    response = check(route, persona, world, client_for(persona), json_body=False)
    if response.status_code == 404:
        # The friendly page, not a hint that something is there.
        assert "text/html" in response["Content-Type"]
        for body in BODIES.values():
            assert body not in response.content.decode()


@pytest.mark.parametrize(("route", "persona"), matrix(API_ROUTES))
def test_api_access(
    route: Route, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    response = check(route, persona, world, client_for(persona), json_body=True)
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 404:
        assert response.json() == {"detail": "Not found."}
    if response.status_code == 401:
        assert "detail" in response.json()


# --- what the 200s contain ------------------------------------------------------------------


def everything_seen_by(persona: str, world: World, client: Client) -> str:
    """Every page and API answer this persona can fetch, concatenated."""
    ids = world.ids
    urls = [
        "/home/",
        "/caseload/",
        "/cases/{case}/",
        "/practice/",
        "/practice/audit/",
        "/account/",
        "/journal/{private}/",
        "/journal/{clinician_entry}/",
        "/journal/{couple}/",
        "/journal/{held_entry}/",
        "/api/v1/me",
        "/api/v1/cases",
        "/api/v1/cases/{case}/journal",
        "/api/v1/cases/{case}/members",
    ]
    seen = []
    for template in urls:
        response = client.get(template.format(**ids), follow=True)
        seen.append(response.content.decode())
    return "\n".join(seen)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("visibility", list(BODIES))
def test_entry_body_reaches_exactly_its_readers(
    visibility: str, persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    seen = everything_seen_by(persona, world, client_for(persona))
    assert (BODIES[visibility] in seen) == (persona in READERS[visibility])


# Where each reader finds what they may read, besides the entry's own page.
LISTINGS = {
    "partner_a": ["/home/", "/api/v1/cases/{case}/journal"],
    "partner_b": ["/home/", "/api/v1/cases/{case}/journal"],
    "clinician": ["/cases/{case}/", "/api/v1/cases/{case}/journal"],
}


@pytest.mark.parametrize("persona", list(LISTINGS))
def test_listings_show_what_the_reader_may_read_and_nothing_else(
    persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for(persona)
    for template in LISTINGS[persona]:
        text = client.get(template.format(**world.ids)).content.decode()
        for visibility, body in BODIES.items():
            assert (body in text) == (persona in READERS[visibility]), (template, visibility)


def test_api_journal_lists_exactly_the_visible_entries(
    world: World, client_for: Callable[[str], Client]
) -> None:
    url = f"/api/v1/cases/{world.case.pk}/journal"
    held = world.held.record_id  # written for both before partner_b joined: kept from partner_b
    for persona, wanted in {
        "partner_a": {"private", "clinician", "couple"},
        "partner_b": {"couple"},
        "clinician": {"clinician", "couple"},
    }.items():
        rows = client_for(persona).get(url).json()
        expected = {world.entries[v].pk for v in wanted}
        if persona != "partner_b":
            expected.add(held)
        assert {row["visibility"] for row in rows} == wanted, persona
        assert {row["id"] for row in rows} == expected, persona
        assert all(row["mine"] == (persona == "partner_a") for row in rows)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_record_kept_back_at_the_join_reaches_only_its_author_and_clinician(
    persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    seen = everything_seen_by(persona, world, client_for(persona))
    assert (HELD_BODY in seen) == (persona in {"partner_a", "clinician"})


def test_showing_a_kept_back_record_shows_exactly_that_one(
    world: World, client_for: Callable[[str], Client]
) -> None:
    before = everything_seen_by("partner_b", world, client_for("partner_b"))
    response = client_for("partner_a").post(f"/cases/{world.case.pk}/held/{world.held.pk}/show/")
    assert response.status_code == 302
    after = everything_seen_by("partner_b", world, client_for("partner_b"))
    assert HELD_BODY not in before and HELD_BODY in after
    assert after.replace(HELD_BODY, "").count("Before-") == before.count("Before-")
    for visibility in ("private", "clinician"):
        assert BODIES[visibility] not in after


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_api_case_list_holds_only_their_cases(
    persona: str, world: World, client_for: Callable[[str], Client]
) -> None:
    expected = {
        "partner_a": {world.case.pk},
        "partner_b": {world.case.pk},
        "clinician": {world.case.pk, world.open_case.pk},
        "other_clinician": set(),
        "other_practice_clinician": {world.other_case.pk},
        "admin": set(),
    }[persona]
    rows = client_for(persona).get("/api/v1/cases").json()
    assert {row["id"] for row in rows} == expected


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_api_me_is_about_the_caller(
    persona: str, personas: dict[str, User | None], client_for: Callable[[str], Client]
) -> None:
    me = client_for(persona).get("/api/v1/me").json()
    user = personas[persona]
    assert user is not None
    assert (me["id"], me["email"]) == (user.pk, user.email)


def test_api_members_show_contact_details_only_to_the_clinician_and_self(
    world: World, client_for: Callable[[str], Client]
) -> None:
    url = f"/api/v1/cases/{world.case.pk}/members"
    as_b = {row["role"]: row for row in client_for("partner_b").get(url).json()}
    assert as_b["partner_a"]["email"] is None
    assert as_b["partner_b"]["email"] == "bo@example.org"
    as_clinician = {row["role"]: row for row in client_for("clinician").get(url).json()}
    assert as_clinician["partner_a"]["email"] == "ari@example.org"
    assert as_clinician["partner_b"]["email"] == "bo@example.org"


@pytest.mark.parametrize(
    ("persona", "sees", "does_not_see"),
    [
        ("clinician", ["Ari and Bo", "Cam on their own"], ["Cy and Di"]),
        ("other_clinician", [], ["Ari and Bo", "Cam on their own", "Cy and Di"]),
        ("other_practice_clinician", ["Cy and Di"], ["Ari and Bo", "Cam on their own"]),
    ],
)
def test_caseload_lists_only_assigned_cases(
    persona: str,
    sees: list[str],
    does_not_see: list[str],
    world: World,
    client_for: Callable[[str], Client],
) -> None:
    text = client_for(persona).get("/caseload/").content.decode()
    for label in sees:
        assert label in text
    for label in does_not_see:
        assert label not in text


def test_account_lists_only_own_tokens(world: World, client_for: Callable[[str], Client]) -> None:
    assert "my export script" in client_for("partner_a").get("/account/").content.decode()
    for persona in ["partner_b", "clinician", "admin"]:
        assert "my export script" not in client_for(persona).get("/account/").content.decode()


def test_audit_log_shows_only_the_admins_practice(
    world: World, client_for: Callable[[str], Client]
) -> None:
    text = client_for("admin").get("/practice/audit/").content.decode()
    assert "cam@example.org" in text  # an invitation in this practice
    assert "di@example.org" not in text  # an invitation in the other practice
    assert AuditEvent.objects.filter(details__email="di@example.org").exists()
    for body in BODIES.values():  # journal text never reaches the audit log
        assert body not in text
