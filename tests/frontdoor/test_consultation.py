"""Asking for a first conversation: safe to ask, hard to abuse, never half-saved."""

from __future__ import annotations

from typing import Any

from django.test import Client

from retrust.frontdoor import actions
from retrust.frontdoor.models import ConsultationRequest, PracticePage
from tests.conftest import signed_in_client
from tests.frontdoor.conftest import request_data

URL = "/p/quiet-harbour/consultation/"


def test_a_request_is_stored_for_the_practice(public_page: PracticePage) -> None:
    response = Client().post(URL, request_data())
    assert response["Location"] == "/p/quiet-harbour/consultation/sent/"
    (stored,) = ConsultationRequest.objects.all()
    assert stored.practice == public_page.practice
    assert stored.contact == "sam@example.net" and stored.leave_message == "no"
    assert stored.self_check == {}
    assert "10.0.0" not in stored.sender and "127.0.0.1" not in stored.sender


def test_a_double_submit_makes_one_request(public_page: PracticePage) -> None:
    client = Client()
    first = client.post(URL, request_data("same"))
    second = client.post(URL, request_data("same"))
    assert first.status_code == second.status_code == 302
    assert ConsultationRequest.objects.count() == 1


def test_self_check_answers_are_sent_only_when_the_visitor_ticks_the_box(
    public_page: PracticePage,
) -> None:
    client = Client()
    carried = client.post(
        URL, {"from_self_check": "1", "self_check": "arguments=often;afraid=no;bogus=1"}
    )
    assert carried.status_code == 200
    assert ConsultationRequest.objects.count() == 0
    assert "Include my self-check answers" in carried.content.decode()
    client.post(URL, request_data("no-tick", self_check="arguments=often;afraid=no"))
    client.post(
        URL,
        request_data("tick", self_check="arguments=often;afraid=no", share_self_check="on"),
    )
    stored = dict(ConsultationRequest.objects.values_list("submission_key", "self_check"))
    assert stored == {"no-tick": {}, "tick": {"arguments": "often", "afraid": "no"}}


def test_a_flood_from_one_address_is_refused_with_a_clear_message(
    public_page: PracticePage,
) -> None:
    client = Client()
    for n in range(actions.RATE_LIMIT):
        assert client.post(URL, request_data(f"k{n}")).status_code == 302
    refused = client.post(URL, request_data("one-too-many"))
    assert refused.status_code == 400
    assert "take another just now" in refused.content.decode()
    assert ConsultationRequest.objects.count() == actions.RATE_LIMIT
    other = Client(REMOTE_ADDR="192.0.2.9").post(URL, request_data("elsewhere"))
    assert other.status_code == 302


def test_the_honeypot_refuses_and_writes_nothing(public_page: PracticePage) -> None:
    response = Client().post(URL, request_data(website="http://spam.example"))
    assert response.status_code == 400
    assert "be sent. If you filled in" in response.content.decode()
    assert ConsultationRequest.objects.count() == 0


def test_each_field_has_a_limit_and_a_clear_message(public_page: PracticePage) -> None:
    too_long = {
        "name": "n" * 81,
        "contact": "a" * 150 + "@example.net",
        "safe_times": "t" * 201,
        "trust_means": "w" * 1501,
        "hopes": "h" * 1501,
    }
    for field, value in too_long.items():
        response = Client().post(URL, request_data(f"limit-{field}", **{field: value}))
        assert response.status_code == 400, field
        assert "Ensure this value has at most" in response.content.decode(), field
    assert ConsultationRequest.objects.count() == 0


def test_a_contact_that_does_not_match_the_method_is_refused(public_page: PracticePage) -> None:
    bad_email = Client().post(URL, request_data("e", contact="not an email"))
    bad_phone = Client().post(URL, request_data("p", contact_method="phone", contact="call me"))
    assert bad_email.status_code == bad_phone.status_code == 400
    ok = Client().post(URL, request_data("ok", contact_method="text", contact="+44 7700 900123"))
    assert ok.status_code == 302


def test_staff_see_their_practices_requests_and_another_practice_gets_404(
    public_page: PracticePage, clinician: object, other_practice_clinician: object
) -> None:
    Client().post(URL, request_data())
    stored = ConsultationRequest.objects.get()
    ours = signed_in_client(clinician)  # type: ignore[arg-type]
    assert "Sam" in ours.get("/practice/consultations/").content.decode()
    detail = ours.get(f"/practice/consultations/{stored.pk}/").content.decode()
    assert "sam@example.net" in detail and "Weekday mornings" in detail
    theirs = signed_in_client(other_practice_clinician)  # type: ignore[arg-type]
    assert "Sam" not in theirs.get("/practice/consultations/").content.decode()
    assert theirs.get(f"/practice/consultations/{stored.pk}/").status_code == 404


def test_a_request_with_danger_answers_is_flagged_for_the_clinician(
    public_page: PracticePage, clinician: object
) -> None:
    Client().post(URL, request_data(self_check="afraid=yes;arguments=often", share_self_check="on"))
    stored = ConsultationRequest.objects.get()
    body = signed_in_client(clinician).get(f"/practice/consultations/{stored.pk}/")  # type: ignore[arg-type]
    assert "Safety first" in body.content.decode()


def test_a_flood_from_one_network_is_refused_even_from_changing_addresses(
    public_page: PracticePage,
) -> None:
    for n in range(actions.NETWORK_RATE_LIMIT):
        client = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        assert client.post(URL, request_data(f"n{n}")).status_code == 302
    refused = Client(REMOTE_ADDR="203.0.113.200").post(URL, request_data("more"))
    assert refused.status_code == 400
    assert ConsultationRequest.objects.count() == actions.NETWORK_RATE_LIMIT
    assert Client(REMOTE_ADDR="198.51.100.1").post(URL, request_data("far")).status_code == 302


def test_networks_are_slash_24_and_slash_48() -> None:
    assert actions.network_of("203.0.113.77") == "203.0.113.0/24"
    assert actions.network_of("2001:db8:1:2::9") == "2001:db8:1::/48"
    assert actions.network_of("unknown") == "unknown"


def test_staff_move_a_request_along_with_notes_and_a_stale_form_is_told_so(
    public_page: PracticePage, clinician: object, admin: object
) -> None:
    Client().post(URL, request_data())
    stored = ConsultationRequest.objects.get()
    move = f"/practice/consultations/{stored.pk}/move/"
    ours = signed_in_client(clinician)  # type: ignore[arg-type]
    done = ours.post(move, {"expected": "new", "to": "screened", "text": "Safe to text."})
    assert done.status_code == 302
    stale = signed_in_client(admin).post(  # type: ignore[arg-type]
        move, {"expected": "new", "to": "declined", "text": ""}
    )
    assert stale.status_code == 409
    assert "Someone else has just marked this request" in stale.content.decode()
    skip = ours.post(move, {"expected": "screened", "to": "booked", "text": ""})
    assert skip.status_code == 400
    stored.refresh_from_db()
    assert stored.status == "screened"
    assert list(stored.notes.values_list("to_status", "text")) == [("screened", "Safe to text.")]
    page = ours.get(f"/practice/consultations/{stored.pk}/").content.decode()
    assert "Safe to text." in page


def test_accepting_opens_a_case_and_invites_only_the_person_who_asked(
    public_page: PracticePage, clinician: object, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    from retrust.core.models import Invitation

    Client().post(URL, request_data())
    stored = ConsultationRequest.objects.get()
    ours = signed_in_client(clinician)  # type: ignore[arg-type]
    with django_capture_on_commit_callbacks(execute=True):
        opened = ours.post(
            f"/practice/consultations/{stored.pk}/open-case/", {"track": "individual"}
        )
    again = ours.post(f"/practice/consultations/{stored.pk}/open-case/", {"track": "individual"})
    stored.refresh_from_db()
    assert stored.case is not None and stored.status == "booked"
    assert opened["Location"] == again["Location"] == f"/cases/{stored.case.pk}/"
    assert list(Invitation.objects.filter(case=stored.case).values_list("email", flat=True)) == [
        "sam@example.net"
    ]
    assert [m.to for m in mail.outbox] == [["sam@example.net"]]


def test_a_request_to_be_phoned_is_never_emailed_an_invitation(
    public_page: PracticePage, clinician: object
) -> None:
    Client().post(URL, request_data(contact_method="phone", contact="01234 567 890"))
    stored = ConsultationRequest.objects.get()
    refused = signed_in_client(clinician).post(  # type: ignore[arg-type]
        f"/practice/consultations/{stored.pk}/open-case/", {"track": "individual"}
    )
    assert refused.status_code == 400
    assert "won&#x27;t email them an invitation" in refused.content.decode()
    stored.refresh_from_db()
    assert stored.case is None and stored.status == "new"


def test_a_partner_adds_their_own_part_through_a_one_time_link(
    public_page: PracticePage, clinician: object
) -> None:
    first = Client()
    first.post(URL, request_data("first", together="partner_too"))
    sent = first.get("/p/quiet-harbour/consultation/sent/").content.decode()
    link = sent.split('id="partner-link" type="text" readonly value="')[1].split('"')[0]
    assert "/consultation/join/" in link
    assert (
        "A link for your partner"
        not in first.get("/p/quiet-harbour/consultation/sent/").content.decode()
    )  # shown once
    path = link.split("testserver")[1]
    partner = Client(REMOTE_ADDR="198.51.100.7")
    form = partner.get(path).content.decode()
    assert "Add your part" in form and "sam@example.net" not in form
    done = partner.post(path, request_data("second", name="Alex", contact="alex@example.net"))
    assert done.status_code == 302
    assert partner.get(path).status_code == 404  # the link works once
    stored = ConsultationRequest.objects.get(joins=None)
    (part,) = stored.partner_parts.all()
    assert part.contact == "alex@example.net"
    staff = signed_in_client(clinician)  # type: ignore[arg-type]
    listing = staff.get("/practice/consultations/").content.decode()
    assert "and their partner" in listing and "Alex" not in listing
    detail = staff.get(f"/practice/consultations/{stored.pk}/").content.decode()
    assert "alex@example.net" in detail and "sam@example.net" in detail


def test_nobody_is_given_a_link_unless_they_ask_for_one(public_page: PracticePage) -> None:
    client = Client()
    client.post(URL, request_data())
    assert (
        "A link for your partner"
        not in client.get("/p/quiet-harbour/consultation/sent/").content.decode()
    )
    assert ConsultationRequest.objects.get().partner_link_hash == ""


def test_the_request_list_answers_in_a_constant_number_of_queries(
    public_page: PracticePage, clinician: object
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = signed_in_client(clinician)  # type: ignore[arg-type]
    counts = []
    for batch in (1, 8):
        for n in range(batch):
            actions.request_consultation(
                public_page.practice,
                address=f"192.0.2.{len(counts) * 10 + n}",
                submission_key=f"q{len(counts)}-{n}",
                data=request_data(),
            )
        with CaptureQueriesContext(connection) as queries:
            assert staff.get("/practice/consultations/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
