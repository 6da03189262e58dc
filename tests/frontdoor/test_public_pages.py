"""What a visitor notices on the public page and the self-check."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from retrust.core.audit import AuditEvent
from retrust.core.models import Practice
from retrust.frontdoor.models import ClinicianProfile, ConsultationRequest, PracticePage
from retrust.safety.models import CrisisResource
from tests.conftest import make_staff


def test_the_admins_markdown_is_rendered_and_scripts_are_stripped(
    public_page: PracticePage,
) -> None:
    public_page.about = (
        "We are **kind**.\n\n<script>alert('x')</script>\n\n"
        "[click](javascript:alert(1)) <img src=x onerror=alert(2)>"
    )
    public_page.save()
    body = Client().get("/p/quiet-harbour/").content.decode()
    assert "<strong>kind</strong>" in body
    assert "<script>alert" not in body
    assert 'href="javascript' not in body
    assert "<img" not in body


def test_an_unpublished_page_is_not_found(practice: Practice) -> None:
    PracticePage.objects.create(practice=practice, published=False, about="Draft")
    assert Client().get("/p/quiet-harbour/").status_code == 404
    assert Client().get("/practice-info/").status_code == 404


def test_with_several_practices_each_has_its_own_path_and_the_default_is_configured(
    public_page: PracticePage, other_public_page: PracticePage, settings: object
) -> None:
    assert Client().get("/p/elsewhere/").status_code == 200
    assert Client().get("/practice-info/").status_code == 404
    settings.RETRUST_PUBLIC_PRACTICE = "elsewhere"  # type: ignore[attr-defined]
    assert Client().get("/practice-info/")["Location"] == "/p/elsewhere/"


def test_the_page_lists_only_clinicians_the_admin_listed_and_the_practices_resources(
    public_page: PracticePage, practice: Practice, other_practice: Practice
) -> None:
    listed = make_staff(practice, "listed@example.org", "clinician", "Lee Listed")
    hidden = make_staff(practice, "hidden@example.org", "clinician", "Hal Hidden")
    ClinicianProfile.objects.create(practice=practice, user=listed, bio="Twenty years of work.")
    ClinicianProfile.objects.create(practice=practice, user=hidden, bio="x", listed=False)
    CrisisResource.objects.create(practice=practice, name="Harbour Line", phone="0800 1")
    CrisisResource.objects.create(practice=other_practice, name="Far Line", phone="0800 2")
    body = Client().get("/p/quiet-harbour/").content.decode()
    assert "Lee Listed" in body and "Twenty years of work." in body
    assert "Hal Hidden" not in body
    assert "Harbour Line" in body and "Far Line" not in body
    assert "What stays private" in body


@pytest.mark.parametrize("clinicians", [1, 6])
def test_the_public_page_answers_in_a_constant_number_of_queries(
    public_page: PracticePage, practice: Practice, clinicians: int
) -> None:
    for n in range(clinicians):
        user = make_staff(practice, f"c{n}@example.org", "clinician", f"C {n}")
        ClinicianProfile.objects.create(practice=practice, user=user, bio="Hello")
        CrisisResource.objects.create(practice=practice, name=f"Line {n}", phone="1")
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/p/quiet-harbour/").status_code == 200
    assert len(queries) == 4


def test_danger_answers_lead_with_crisis_resources_and_a_safety_first_route(
    public_page: PracticePage, practice: Practice
) -> None:
    CrisisResource.objects.create(practice=practice, name="Harbour Line", phone="0800 1")
    response = Client().post(
        "/p/quiet-harbour/self-check/", {"arguments": "often", "afraid": "yes"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Your safety comes first" in body
    assert body.index("Harbour Line") < body.index("on your own first")
    assert "Leave quickly" in body
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("answer", ["yes", "rather_not_say"])
def test_thoughts_of_self_harm_lead_with_resources_too(
    public_page: PracticePage, answer: str
) -> None:
    body = Client().post("/p/quiet-harbour/self-check/", {"self_harm": answer}).content.decode()
    assert "Your safety comes first" in body


def test_other_answers_get_a_reflection_not_a_score(public_page: PracticePage) -> None:
    response = Client().post(
        "/p/quiet-harbour/self-check/",
        {"arguments": "often", "monitoring": "sometimes", "intimacy": "not_really", "afraid": "no"},
    )
    body = response.content.decode()
    assert "Your safety comes first" not in body
    assert "Arguments or distance keep coming back." in body
    assert "Checking, suspicion" in body
    assert "Closeness that has faded." not in body
    assert "not a result or a diagnosis" in body


def test_the_self_check_stores_nothing(public_page: PracticePage) -> None:
    events = AuditEvent.objects.count()
    Client().post("/p/quiet-harbour/self-check/", {"arguments": "often", "afraid": "yes"})
    assert ConsultationRequest.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_the_practice_page_is_cacheable_for_visitors_and_never_for_staff(
    public_page: PracticePage, clinician: object
) -> None:
    from tests.conftest import signed_in_client

    anonymous = Client().get("/p/quiet-harbour/")
    assert "public" in anonymous["Cache-Control"] and "max-age=300" in anonymous["Cache-Control"]
    assert "Cookie" in anonymous["Vary"]
    staff = signed_in_client(clinician).get("/p/quiet-harbour/")  # type: ignore[arg-type]
    assert "no-store" in staff["Cache-Control"] and "public" not in staff["Cache-Control"]


def test_articles_are_sanitised_and_only_published_ones_are_shown(
    public_page: PracticePage, practice: Practice
) -> None:
    from retrust.frontdoor.models import Article

    shown = Article.objects.create(
        practice=practice,
        title="When trust slips",
        body="## Small things\n\n<script>alert(1)</script>Keep *promises*.",
        published=True,
    )
    Article.objects.create(practice=practice, title="Draft thoughts", body="x")
    listing = Client().get("/p/quiet-harbour/resources/").content.decode()
    assert "When trust slips" in listing and "Draft thoughts" not in listing
    from retrust.program.content import library

    first = next(iter(library().values()))
    assert first.title in listing  # the exercise library's summaries are listed too
    body = Client().get(f"/p/quiet-harbour/resources/{shown.pk}/").content.decode()
    assert "<h2>Small things</h2>" in body and "<em>promises</em>" in body
    assert "<script>alert" not in body


def test_the_demo_has_a_published_practice_page_an_article_and_a_request(db: None) -> None:
    from retrust.core.demo import seed_demo
    from retrust.frontdoor.models import Article

    seed_demo()
    seed_demo()  # a second run adds nothing
    (page,) = PracticePage.objects.filter(published=True)
    assert Client().get("/practice-info/")["Location"] == f"/p/{page.practice.slug}/"
    assert Client().get(f"/p/{page.practice.slug}/").status_code == 200
    assert Article.objects.filter(published=True).count() == 1
    assert ConsultationRequest.objects.count() == 1
    from retrust.frontdoor.models import Subscriber

    assert sorted(Subscriber.objects.values_list("status", flat=True)) == ["confirmed", "pending"]
