"""Opening a case, inviting partners and staff, and accepting (or failing to accept) an invitation.

Every refusal must say what went wrong in plain words and leave nothing half-made: no user, no
case membership, and an invitation that is still not marked accepted.
"""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from retrust.core import actions
from retrust.core.models import (
    AuditEvent,
    Case,
    CaseMember,
    ClinicianMembership,
    Invitation,
    User,
    hash_token,
)
from tests.conftest import PASSWORD, make_user, signed_in_client
from tests.support.crawl import every_get_url

NEW_PASSWORD = "slow tide under the pier"
LINK = re.compile(r"http://testserver(/invite/([A-Za-z0-9_\-]+)/)")


def text(response) -> str:
    return html.unescape(response.content.decode())


def links_in_outbox() -> dict[str, str]:
    """{recipient: invitation path} for every email sent so far."""
    found = {}
    for message in mail.outbox:
        match = LINK.search(message.body)
        assert match, f"no invitation link in the email to {message.to}: {message.body!r}"
        found[message.to[0]] = match.group(1)
    return found


def open_case(client: Client, **fields: str):
    data = {
        "label": "Robin and Sky",
        "track": "conjoint",
        "partner_a_name": "Robin",
        "partner_a_email": "robin@example.org",
        "partner_b_name": "Sky",
        "partner_b_email": "sky@example.org",
        "creation_key": uuid.uuid4().hex,
    }
    data.update(fields)
    return client.post("/cases/new/", data)


def accept(client: Client, path: str, password: str = NEW_PASSWORD, again: str | None = None):
    return client.post(
        path,
        {"display_name": "", "password": password, "password_again": again or password},
    )


def snapshot() -> tuple[int, int, int]:
    return (
        User.objects.count(),
        CaseMember.objects.count(),
        Invitation.objects.filter(accepted_at__isnull=False).count(),
    )


@pytest.fixture
def clinician_client(clinician: User) -> Client:
    return signed_in_client(clinician)


@pytest.fixture
def pending(practice, clinician) -> tuple[Invitation, str]:
    """A fresh case with one pending invitation for partner A, and its raw token."""
    case = actions.create_case(
        clinician,
        practice,
        label="Noor and Kit",
        track="conjoint",
        partner_a_email="noor@example.org",
        partner_a_name="Noor",
    )
    mail.outbox.clear()
    invitation = Invitation.objects.get(case=case)
    token = Invitation.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=hash_token(token))
    invitation.refresh_from_db()
    return invitation, token


# --- the happy path -----------------------------------------------------------------------


def test_opening_a_case_emails_each_partner_a_link_that_lets_them_in(
    clinician_client, clinician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = open_case(clinician_client)
    case = Case.objects.get(label="Robin and Sky")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.status == "invited"
    assert list(case.clinicians.all()) == [clinician]

    links = links_in_outbox()
    assert set(links) == {"robin@example.org", "sky@example.org"}
    assert all("Quiet Harbour Therapy" in m.subject for m in mail.outbox)

    robin = Client()
    page = robin.get(links["robin@example.org"])
    assert page.status_code == 200
    assert "robin@example.org" in text(page)

    response = accept(robin, links["robin@example.org"])
    assert response.status_code == 302
    final = robin.get(response["Location"], follow=True)
    assert final.redirect_chain[-1][0] == "/home/"
    assert "Robin and Sky" in text(final)

    user = User.objects.get(email="robin@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert user.display_name == "Robin"
    member = CaseMember.objects.get(case=case, user=user)
    assert member.role == "partner_a"
    case.refresh_from_db()
    assert case.status == "intake"
    invitation = Invitation.objects.get(case=case, email="robin@example.org")
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    assert robin.session.get("_auth_user_id") == str(user.pk)

    actions_logged = list(AuditEvent.objects.filter(case=case).values_list("action", flat=True))
    assert "retrust.case.created" in actions_logged
    assert actions_logged.count("retrust.invitation.created") == 2
    assert "retrust.case.member.joined" in actions_logged
    assert AuditEvent.objects.filter(action="retrust.user.created", actor=user).exists()

    # The second partner joins too; the case stays in intake and both are members.
    sky = Client()
    assert accept(sky, links["sky@example.org"]).status_code == 302
    assert set(case.members.values_list("role", flat=True)) == {"partner_a", "partner_b"}


def test_the_invitation_email_holds_the_token_but_the_database_does_not(
    clinician_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        open_case(clinician_client, partner_b_email="")
    path = links_in_outbox()["robin@example.org"]
    token = path.split("/")[2]
    invitation = Invitation.objects.get(email="robin@example.org")
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash
    assert token not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_individual_track_starts_with_one_partner_and_invites_the_second_later(
    clinician_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        open_case(clinician_client, track="individual", partner_b_email="", partner_b_name="")
    case = Case.objects.get(label="Robin and Sky")
    assert case.track == "individual"
    assert list(links_in_outbox()) == ["robin@example.org"]
    assert accept(Client(), links_in_outbox()["robin@example.org"]).status_code == 302

    page = clinician_client.get(f"/cases/{case.pk}/")
    assert "Invite the other partner" in text(page)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = clinician_client.post(
            f"/cases/{case.pk}/invite/", {"email": "sky@example.org", "display_name": "Sky"}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(case=case, email="sky@example.org")
    assert invitation.role == "partner_b"
    assert accept(Client(), links_in_outbox()["sky@example.org"]).status_code == 302
    assert CaseMember.objects.filter(case=case, role="partner_b", user__email="sky@example.org")

    # With both partners in, the case page no longer offers to invite anyone.
    assert "Send invitation" not in text(clinician_client.get(f"/cases/{case.pk}/"))


def test_an_admin_invites_a_clinician_who_joins_the_practice(
    admin, practice, django_capture_on_commit_callbacks
):
    admin_client = signed_in_client(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/practice/",
            {"email": "new.clinician@example.org", "display_name": "Noa", "role": "clinician"},
        )
    assert response.status_code == 302
    path = links_in_outbox()["new.clinician@example.org"]
    assert "as clinician" in mail.outbox[0].body

    newcomer = Client()
    response = accept(newcomer, path)
    assert response.status_code == 302
    user = User.objects.get(email="new.clinician@example.org")
    membership = ClinicianMembership.objects.get(user=user)
    assert (membership.practice, membership.role) == (practice, "clinician")
    assert AuditEvent.objects.filter(action="retrust.practice.member.joined", actor=user).exists()
    # A new clinician's first stop is setting up two-step sign-in.
    assert newcomer.get("/caseload/")["Location"].startswith("/accounts/two-factor/")


# --- refusals: a clear message, nothing created -------------------------------------------


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, 410, "has expired"),
        ({"revoked_at": timezone.now()}, 410, "was withdrawn"),
        ({"accepted_at": timezone.now()}, 410, "has already been used"),
    ],
    ids=["expired", "withdrawn", "already-used"],
)
def test_an_unusable_invitation_explains_why_and_creates_nothing(pending, change, status, message):
    invitation, token = pending
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    before = snapshot()
    client = Client()
    page = client.get(f"/invite/{token}/")
    assert page.status_code == status
    assert message in text(page)
    assert "Nothing has been created or changed" in text(page)

    response = accept(client, f"/invite/{token}/")
    assert response.status_code == status
    assert message in text(response)
    assert snapshot() == before
    assert not User.objects.filter(email="noor@example.org").exists()
    assert "_auth_user_id" not in client.session


def test_a_withdrawn_invitation_stops_working_from_the_case_page(pending, clinician_client):
    invitation, token = pending
    response = clinician_client.post(
        f"/cases/{invitation.case_id}/invitations/{invitation.pk}/withdraw/"
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    before = snapshot()
    response = accept(Client(), f"/invite/{token}/")
    assert response.status_code == 410
    assert "was withdrawn" in text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: "x"]
)
def test_a_tampered_or_unknown_token_is_not_found(pending, mangle):
    invitation, token = pending
    before = snapshot()
    client = Client()
    page = client.get(f"/invite/{mangle(token)}/")
    assert page.status_code == 404
    assert "not valid" in text(page)
    assert accept(client, f"/invite/{mangle(token)}/").status_code == 404
    assert snapshot() == before
    invitation.refresh_from_db()
    assert invitation.state == "pending"


def test_opening_an_invitation_while_signed_in_as_someone_else_changes_nothing(pending, partner_b):
    invitation, token = pending
    before = snapshot()
    client = signed_in_client(partner_b)
    page = client.get(f"/invite/{token}/")
    assert page.status_code == 409
    assert "invitation is for someone else" in text(page)
    assert "Nothing has been changed" in text(page)
    assert accept(client, f"/invite/{token}/").status_code == 409
    assert snapshot() == before
    invitation.refresh_from_db()
    assert invitation.state == "pending"
    assert not CaseMember.objects.filter(case=invitation.case, user=partner_b).exists()


def test_an_invited_email_that_already_has_an_account_must_sign_in_first(pending):
    invitation, token = pending
    existing = make_user("noor@example.org", "Noor")
    before = snapshot()
    client = Client()
    page = client.get(f"/invite/{token}/")
    assert "There is already an account for noor@example.org" in text(page)
    accept(client, f"/invite/{token}/")
    assert snapshot() == before
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD)  # the password was not overwritten
    invitation.refresh_from_db()
    assert invitation.state == "pending"

    # Signed in as that account, accepting joins the case without a new user.
    signed_in = signed_in_client(existing)
    response = signed_in.post(f"/invite/{token}/")
    assert response.status_code == 302
    assert CaseMember.objects.filter(case=invitation.case, user=existing).exists()
    assert User.objects.count() == before[0]


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("short1", "short1", "too short"),
        ("password123", "password123", "too common"),
        ("1234567890123", "1234567890123", "entirely numeric"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords are different"),
        ("", "", "This field is required"),
    ],
    ids=["too-short", "too-common", "numeric", "mismatch", "empty"],
)
def test_a_weak_or_mismatched_password_is_refused_with_a_reason(pending, password, again, message):
    invitation, token = pending
    before = snapshot()
    client = Client()
    response = accept(client, f"/invite/{token}/", password=password, again=again)
    assert response.status_code == 400
    assert message in text(response)
    assert snapshot() == before
    invitation.refresh_from_db()
    assert invitation.state == "pending"
    assert "_auth_user_id" not in client.session


def test_accepting_twice_is_a_harmless_redirect(pending):
    invitation, token = pending
    client = Client()
    assert accept(client, f"/invite/{token}/").status_code == 302
    after_first = snapshot()
    events = AuditEvent.objects.count()

    again = client.get(f"/invite/{token}/")
    assert again.status_code == 302 and again["Location"] == "/start/"
    resubmit = accept(client, f"/invite/{token}/")
    assert resubmit.status_code == 302 and resubmit["Location"] == "/start/"
    assert snapshot() == after_first
    assert AuditEvent.objects.count() == events

    # The action itself is a no-op for the same person, and refuses anyone else.
    user = User.objects.get(email="noor@example.org")
    assert actions.accept_invitation(token, user=user) == user
    with pytest.raises(actions.ActionError, match="already been used"):
        actions.accept_invitation(token, password=NEW_PASSWORD)


# --- opening a case: bad input ------------------------------------------------------------


def _case_refused(client: Client, message: str, **fields: str) -> None:
    cases, invitations = Case.objects.count(), Invitation.objects.count()
    response = open_case(client, **fields)
    assert response.status_code == 400
    assert message in text(response)
    assert (Case.objects.count(), Invitation.objects.count()) == (cases, invitations)
    assert AuditEvent.objects.filter(action="retrust.case.created").count() == 0
    assert mail.outbox == []


def test_the_same_email_for_both_partners_is_refused(clinician_client):
    _case_refused(
        clinician_client,
        "Each partner needs their own email address",
        partner_b_email="ROBIN@example.org",
    )


def test_an_individual_case_with_two_emails_is_refused(clinician_client):
    _case_refused(clinician_client, "starts with one partner", track="individual")


def test_a_case_without_a_valid_partner_email_is_refused(clinician_client):
    _case_refused(clinician_client, "Enter a valid email address", partner_a_email="robin@")


def test_the_clinicians_own_email_is_refused(clinician_client):
    _case_refused(
        clinician_client, "not yours", partner_a_email="clinician@example.org", partner_b_email=""
    )


def test_submitting_the_new_case_form_twice_opens_one_case(
    clinician_client, django_capture_on_commit_callbacks
):
    key = uuid.uuid4().hex
    with django_capture_on_commit_callbacks(execute=True):
        first = open_case(clinician_client, creation_key=key)
        second = open_case(clinician_client, creation_key=key)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    assert Invitation.objects.count() == 2
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="retrust.case.created").count() == 1


def test_the_new_case_form_carries_a_fresh_creation_key(clinician_client):
    first = re.search(
        r'name="creation_key" value="([0-9a-f]+)"', text(clinician_client.get("/cases/new/"))
    )
    second = re.search(
        r'name="creation_key" value="([0-9a-f]+)"', text(clinician_client.get("/cases/new/"))
    )
    assert first and second and first.group(1) != second.group(1)


def test_inviting_the_same_email_twice_reuses_the_pending_invitation(
    clinician_client, practice, clinician, django_capture_on_commit_callbacks
):
    case = actions.create_case(
        clinician,
        practice,
        label="Solo",
        track="individual",
        partner_a_email="one@example.org",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = clinician_client.post(f"/cases/{case.pk}/invite/", {"email": "two@example.org"})
        second = clinician_client.post(
            f"/cases/{case.pk}/invite/", {"email": "Two@Example.org"}, follow=True
        )
    assert first.status_code == 302
    assert "two@example.org already has an invitation" in text(second)
    assert Invitation.objects.filter(case=case, email="two@example.org").count() == 1
    assert len(mail.outbox) == 1


def test_a_case_with_both_partners_invited_refuses_a_third(clinician_client, practice, clinician):
    case = actions.create_case(
        clinician,
        practice,
        label="Full",
        track="conjoint",
        partner_a_email="one@example.org",
        partner_b_email="two@example.org",
    )
    response = clinician_client.post(f"/cases/{case.pk}/invite/", {"email": "three@example.org"})
    assert response.status_code == 400
    assert "Both partners have joined or been invited" in text(response)
    assert not Invitation.objects.filter(email="three@example.org").exists()


def test_a_clinician_of_another_case_cannot_invite_into_it(client_for, case, partner_a, partner_b):
    response = client_for("other_clinician").post(
        f"/cases/{case.pk}/invite/", {"email": "intruder@example.org"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.filter(email="intruder@example.org").exists()


def test_a_clinician_cannot_invite_themselves_as_a_partner_later(
    clinician_client, practice, clinician
):
    case = actions.create_case(
        clinician, practice, label="Solo", track="individual", partner_a_email="one@example.org"
    )
    response = clinician_client.post(
        f"/cases/{case.pk}/invite/", {"email": "Clinician@example.org"}
    )
    assert response.status_code == 400
    assert "not a clinician" in text(response)
    assert not Invitation.objects.filter(email__iexact="clinician@example.org").exists()


def test_two_submits_racing_each_other_still_open_one_case(clinician, practice, monkeypatch):
    """The other submit commits its case between our duplicate check and our insert."""
    key = uuid.uuid4().hex
    real_check = actions._is_clinician_of

    def the_other_submit_wins(user, the_practice):
        if not Case.objects.filter(creation_key=key).exists():
            winner = Case.objects.create(practice=practice, label="Robin and Sky", creation_key=key)
            winner.clinicians.add(clinician)
        return real_check(user, the_practice)

    monkeypatch.setattr(actions, "_is_clinician_of", the_other_submit_wins)
    case = actions.create_case(
        clinician,
        practice,
        label="Robin and Sky",
        track="conjoint",
        partner_a_email="robin@example.org",
        creation_key=key,
    )
    assert Case.objects.get() == case
    assert not Invitation.objects.exists()  # this submit sent nothing of its own


def test_a_creation_key_of_someone_elses_case_is_refused_cleanly(
    clinician_client, other_clinician, practice
):
    key = uuid.uuid4().hex
    Case.objects.create(practice=practice, label="Theirs", creation_key=key).clinicians.add(
        other_clinician
    )
    response = open_case(clinician_client, creation_key=key)
    assert response.status_code == 400
    assert "This form was already used" in text(response)
    assert Case.objects.count() == 1
    assert not Invitation.objects.exists()


# --- a partner who joins later (DESIGN.md: joining never widens a record) -------------------

EARLIER_ENTRY = "Written-before-Sky: I am scared this will not work"
EARLIER_GOAL = "Goal-before-Sky: that we can talk about money without shouting"
EARLIER_PRIVATE = "Private-before-Sky: the night of the argument"
LATER_ENTRY = "Written-after-Sky: glad you are here"


def plain(response) -> str:
    """The page's text with every run of whitespace as one space, as a reader sees it."""
    return " ".join(text(response).split())


def everything_seen(client: Client, urls: list[str]) -> str:
    return "\n".join(text(client.get(url, follow=True)) for url in urls)


@pytest.fixture
def robin_waits_for_sky(clinician_client, django_capture_on_commit_callbacks):
    """Robin joins and writes for both of them; Sky accepts the invitation days later."""
    from retrust.program import actions as program

    with django_capture_on_commit_callbacks(execute=True):
        open_case(clinician_client)
    links = links_in_outbox()
    robin_client = Client()
    assert accept(robin_client, links["robin@example.org"]).status_code == 302
    case = Case.objects.get(label="Robin and Sky")
    robin = User.objects.get(email="robin@example.org")
    earlier = actions.write_journal_entry(robin, case, body=EARLIER_ENTRY, visibility="couple")
    mine = actions.write_journal_entry(robin, case, body=EARLIER_PRIVATE, visibility="private")
    program.write_trust_goal(robin, case, body=EARLIER_GOAL, visibility="couple")

    sky_client = Client()
    assert accept(sky_client, links["sky@example.org"]).status_code == 302
    sky = User.objects.get(email="sky@example.org")
    later = actions.write_journal_entry(robin, case, body=LATER_ENTRY, visibility="couple")
    return {
        "case": case,
        "robin": robin,
        "sky": sky,
        "robin_client": robin_client,
        "sky_client": sky_client,
        "entries": [earlier.pk, mine.pk, later.pk],
        "earlier": earlier,
    }


def test_a_late_joiner_sees_nothing_written_for_both_before_they_joined(robin_waits_for_sky):
    world = robin_waits_for_sky
    urls = every_get_url(world["case"].pk, [f"/journal/{pk}/" for pk in world["entries"]])
    seen = everything_seen(world["sky_client"], urls)
    for earlier in [EARLIER_ENTRY, EARLIER_GOAL, EARLIER_PRIVATE]:
        assert earlier not in seen
    # What Robin writes for both after Sky joined reaches Sky as always.
    assert LATER_ENTRY in seen
    # Nothing was lost for the author, and the clinician still reads what was shared with them.
    assert EARLIER_ENTRY in text(world["robin_client"].get("/home/"))
    clinician_seen = text(
        signed_in_client(world["case"].clinicians.get()).get(
            f"/api/v1/cases/{world['case'].pk}/journal"
        )
    )
    assert EARLIER_ENTRY in clinician_seen and EARLIER_PRIVATE not in clinician_seen


def test_the_author_is_told_what_the_newcomer_can_and_cannot_see(robin_waits_for_sky):
    world = robin_waits_for_sky
    home = plain(world["robin_client"].get("/home/"))
    assert "What Sky can see" in home
    assert "Sky can read what you share with both of you from then on" in home
    assert "Sky can't see it unless you choose to show it, one by one" in home
    assert "Journal entry" in home and "Trust goal" in home
    assert home.count("Show to Sky") == 2
    # The newcomer is not told about what they cannot see.
    sky_home = text(world["sky_client"].get("/home/"))
    assert "What Sky can see" not in sky_home and "Show to" not in sky_home


def test_showing_one_record_shows_exactly_that_one(robin_waits_for_sky):
    from retrust.core.models import HeldRecord, JournalEntry

    world = robin_waits_for_sky
    held = HeldRecord.objects.get(record_type="core.journalentry")
    response = world["robin_client"].post(f"/cases/{world['case'].pk}/held/{held.pk}/show/")
    assert response.status_code == 302
    assert JournalEntry.objects.get(pk=world["earlier"].pk).visibility == "couple"

    seen = everything_seen(
        world["sky_client"],
        every_get_url(world["case"].pk, [f"/journal/{pk}/" for pk in world["entries"]]),
    )
    assert EARLIER_ENTRY in seen
    assert EARLIER_GOAL not in seen and EARLIER_PRIVATE not in seen
    home = text(world["robin_client"].get("/home/"))
    assert home.count("Show to Sky") == 1  # the trust goal still waits for Robin's choice
    assert AuditEvent.objects.filter(action="retrust.case.record.shown").count() == 1


def test_only_the_author_can_show_a_held_record(robin_waits_for_sky):
    from retrust.core.models import HeldRecord

    world = robin_waits_for_sky
    held = HeldRecord.objects.get(record_type="core.journalentry")
    response = world["sky_client"].post(f"/cases/{world['case'].pk}/held/{held.pk}/show/")
    assert response.status_code == 404
    with pytest.raises(actions.ActionError):
        actions.show_held_record(world["sky"], held)
    assert EARLIER_ENTRY not in text(world["sky_client"].get("/home/"))


def test_choosing_both_of_us_on_the_entry_page_also_shows_it(robin_waits_for_sky):
    world = robin_waits_for_sky
    page = text(world["robin_client"].get(f"/journal/{world['earlier'].pk}/"))
    assert "before Sky joined" in page
    world["robin_client"].post(f"/journal/{world['earlier'].pk}/", {"visibility": "couple"})
    assert EARLIER_ENTRY in text(world["sky_client"].get("/home/"))
    assert "Show to Sky" in text(world["robin_client"].get("/home/"))  # the goal only
    assert text(world["robin_client"].get("/home/")).count("Show to Sky") == 1


def test_joining_again_holds_nothing_twice(robin_waits_for_sky):
    """The clinic's track switch may call ``partner_joined`` again: nothing shown is taken back."""
    from retrust.core.models import HeldRecord, JournalEntry

    world = robin_waits_for_sky
    held = HeldRecord.objects.get(record_type="core.journalentry")
    actions.show_held_record(world["robin"], held)
    assert actions.partner_joined(world["case"], world["sky"]) == 0
    assert actions.partner_joined(world["case"], world["sky"], since=timezone.now()) == 1
    assert JournalEntry.objects.get(pk=world["earlier"].pk).visibility == "couple"
    # Only the record written for both after the join and never held before was held now.
    assert HeldRecord.objects.filter(record_id=world["entries"][2]).exists()


def test_a_held_record_can_wait_for_the_pause_to_end(robin_waits_for_sky):
    from retrust.core.models import HeldRecord
    from tests.conftest import pause_case

    world = robin_waits_for_sky
    pause_case(world["case"])
    home = text(world["robin_client"].get("/home/"))
    assert "Show to Sky" not in home
    assert "You can choose to show it once shared activities start again." in home
    held = HeldRecord.objects.get(record_type="core.journalentry")
    response = world["robin_client"].post(f"/cases/{world['case'].pk}/held/{held.pk}/show/")
    assert response.status_code == 409
    assert EARLIER_ENTRY not in text(world["sky_client"].get("/home/"))


def test_the_authors_home_is_constant_in_held_records(robin_waits_for_sky):
    """However much was kept back at the join, the home page runs the same queries."""
    from retrust.core.models import JournalEntry
    from tests.test_query_counts import assert_constant

    world = robin_waits_for_sky

    def grow() -> None:
        since = timezone.now()
        for i in range(15):
            JournalEntry.objects.create(
                case=world["case"],
                author=world["robin"],
                body=f"more {i}",
                visibility="couple",
                created_at=since - timedelta(minutes=i + 1),
            )
        actions.partner_joined(world["case"], world["sky"], since=since)

    assert_constant(world["robin_client"], "/home/", grow)
    assert plain(world["robin_client"].get("/home/")).count("Show to Sky") == 18
