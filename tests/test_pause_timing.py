"""A disclosure must not be readable from timing (issue 11, holes 7 and 18).

When one partner's private answer pauses shared work, the other partner's pages stay exactly
as they were — byte for byte, every page and API route they can open — until the case's
clinician acts. The partner who answered reads a kind note saying what still works. The
clinician's case page says who sees what right now, and offers one step: move to individual
sessions, in the practice's own neutral words. From then on both partners read that wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from retrust.api.api import api
from retrust.core import pause
from retrust.core.models import AuditEvent, Case, JournalEntry, Practice, User
from retrust.safety import screen

PRACTICE_WORDING = (
    "For the next few weeks your clinician will meet each of you on your own. Shared "
    "exercises rest in the meantime."
)
POSITIVE = {q.id: screen.NO for q in screen.QUESTIONS} | {"fear": screen.YES}
# Words that would tell the other partner that something happened.
PAUSE_WORDS = (
    "in touch",
    "resting",
    "rest in",
    "on hold",
    "paused",
    "pause-banner",
    "individual sessions",
)


def text(response: Any) -> str:
    return response.content.decode()


def _case_pages(case: Case) -> list[str]:
    """Every page with no parameter but the case (or none at all), for this case."""
    found: list[str] = []

    def walk(patterns: Any, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if not str(entry.pattern).startswith("api/"):
                    walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and entry.name:
                route = prefix + str(entry.pattern)
                if "logout" in route:
                    continue  # signing out would end the very session being looked at
                if set(re.findall(r"<(?:\w+:)?(\w+)>", route)) <= {"case_id"}:
                    found.append("/" + route.replace("<int:case_id>", str(case.pk)))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def _api_routes(case: Case) -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        path.replace("{case_id}", str(case.pk))
        for path, methods in paths.items()
        if "get" in methods and set(re.findall(r"\{(\w+)\}", path)) <= {"case_id"}
    )


# Values that change on every render without saying anything: CSRF tokens, one-time form keys.
_VOLATILE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+|(value=")[0-9a-f]{32}(?=")')


def _normalised(body: bytes) -> bytes:
    return _VOLATILE.sub(lambda m: (m.group(1) or m.group(2)) + "…", body.decode()).encode()


def everything_seen_by(client: Client, case: Case) -> dict[str, tuple[int, bytes]]:
    """Status and bytes of every page and API read of the case this person can open."""
    urls = [*_case_pages(case), *_api_routes(case)]
    seen = {}
    for url in urls:
        response = client.get(url)
        seen[url] = (response.status_code, _normalised(response.content))
    return seen


@pytest.fixture
def shared_case(case: Case, partner_a: User, partner_b: User) -> Case:
    """A case with something both partners see, written before anything happened."""
    JournalEntry.objects.create(
        case=case, author=partner_a, visibility="couple", body="Thank you for Sunday."
    )
    JournalEntry.objects.create(
        case=case, author=partner_b, visibility="couple", body="I liked our walk."
    )
    return case


def test_the_held_message_is_kind_and_says_what_still_works() -> None:
    message = pause.HELD_MESSAGE
    for still_works in ("check-ins", "private journal", "crisis resources"):
        assert still_works in message
    assert "clinician will be in touch" in message
    for alarming in ("alert", "screen", "concern", "danger", "risk", "blocked", "refused"):
        assert alarming not in message.lower()


def test_the_other_partner_sees_nothing_change_until_the_clinician_acts(
    shared_case: Case,
    practice: Practice,
    clinician: User,
    admin: User,
    client_for: Callable[[str], Client],
) -> None:
    case = shared_case
    ari, bo, dana = client_for("partner_a"), client_for("partner_b"), client_for("clinician")
    before = everything_seen_by(bo, case)
    assert sum(status == 200 for status, _ in before.values()) >= 5, before.keys()

    # Ari answers the private questions: a concern, so shared work pauses for Ari.
    response = ari.post(
        f"/cases/{case.pk}/safety-check/", {"submission_key": "timing-1", **POSITIVE}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert pause.is_paused(case) and case.pause_shown_at is None
    assert pause.HELD_MESSAGE in text(ari.get("/home/"))
    # Ari goes on writing privately, and for the clinician.
    for visibility in ("private", "clinician"):
        response = ari.post(
            f"/cases/{case.pk}/journal/", {"body": f"Just {visibility}", "visibility": visibility}
        )
        assert response.status_code == 302
    # The clinician reads the case, acknowledges the alert and sees Ari alone.
    assert dana.get(f"/cases/{case.pk}/").status_code == 200
    alert = case.alerts.get()
    response = dana.post(
        f"/cases/{case.pk}/alerts/{alert.pk}/acknowledge/", {"note": "Called Ari."}
    )
    assert response.status_code == 302
    response = dana.post(
        f"/cases/{case.pk}/individual-sessions/",
        {"partner": ari_id(case), "seen_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    # The admin sets the practice's wording.
    response = client_for("admin").post("/practice/pause-wording/", {"wording": PRACTICE_WORDING})
    assert response.status_code == 302

    # Bo's pages and API reads are the same, byte for byte.
    after = everything_seen_by(bo, case)
    assert after.keys() == before.keys()
    changed = [url for url in before if after[url] != before[url]]
    assert changed == [], changed
    for url, (_, body) in after.items():
        page = body.decode()
        for wording in (pause.HELD_MESSAGE, pause.DEFAULT_SHOWN_MESSAGE, PRACTICE_WORDING):
            assert wording not in page, url
        for word in PAUSE_WORDS:
            assert word not in page.lower(), (url, word)

    # The clinician acts: both partners now read the practice's wording, and only that.
    response = dana.post(f"/cases/{case.pk}/pause/individual-sessions/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    for client in (ari, bo):
        home = text(client.get("/home/"))
        assert PRACTICE_WORDING in home
        assert pause.HELD_MESSAGE not in home
        assert "Ari" not in home.split(PRACTICE_WORDING)[0].rsplit("<p", 1)[1]


def ari_id(case: Case) -> int:
    return case.members.get(role="partner_a").user_id


def test_the_clinicians_page_says_who_sees_what_and_offers_the_step(
    shared_case: Case, partner_a: User, client_for: Callable[[str], Client]
) -> None:
    case = shared_case
    client_for("partner_a").post(
        f"/cases/{case.pk}/safety-check/", {"submission_key": "timing-2", **POSITIVE}
    )
    dana = client_for("clinician")
    page = text(dana.get(f"/cases/{case.pk}/"))
    assert "Who sees what right now" in page
    assert "<strong>Ari</strong> reads a short, kind note" in page
    assert "<strong>Bo</strong> sees no change at all" in page
    assert pause.DEFAULT_SHOWN_MESSAGE in page  # the words both will read, before acting
    assert "Move to individual sessions" in page

    response = dana.post(f"/cases/{case.pk}/pause/individual-sessions/", follow=True)
    page = text(response)
    assert "Both partners now see that individual sessions come next." in page
    assert "Both partners read, in your practice's words:" in page
    assert pause.DEFAULT_SHOWN_MESSAGE in page
    assert "sees no change at all" not in page
    assert "Move to individual sessions" not in page

    # Audited as a step, with nothing clinical in it; a second press changes nothing.
    event = AuditEvent.objects.get(action="retrust.case.pause.shown")
    assert (event.case_id, event.details, event.target_type) == (case.pk, {}, "")
    shown_at = Case.objects.get(pk=case.pk).pause_shown_at
    assert dana.post(f"/cases/{case.pk}/pause/individual-sessions/").status_code == 302
    assert Case.objects.get(pk=case.pk).pause_shown_at == shown_at
    assert AuditEvent.objects.filter(action="retrust.case.pause.shown").count() == 1


def test_nothing_to_move_when_shared_work_is_not_paused(
    case: Case, client_for: Callable[[str], Client]
) -> None:
    response = client_for("clinician").post(f"/cases/{case.pk}/pause/individual-sessions/")
    assert response.status_code == 409
    assert "not paused any more" in text(response)
    assert not AuditEvent.objects.filter(action="retrust.case.pause.shown").exists()


def test_the_admin_edits_the_wording_on_the_practice_page(
    practice: Practice, client_for: Callable[[str], Client]
) -> None:
    admin = client_for("admin")
    page = text(admin.get("/practice/"))
    assert "When shared work rests" in page
    assert pause.DEFAULT_SHOWN_MESSAGE in page

    too_long = admin.post("/practice/pause-wording/", {"wording": "word " * 200})
    assert too_long.status_code == 400
    practice.refresh_from_db()
    assert practice.pause_wording == ""

    admin.post("/practice/pause-wording/", {"wording": "  Individual   sessions\ncome first. "})
    practice.refresh_from_db()
    assert practice.pause_wording == "Individual sessions come first."
    assert "Individual sessions come first." in text(admin.get("/practice/"))
    event = AuditEvent.objects.get(action="retrust.practice.pause_wording.changed")
    assert event.practice_id == practice.pk and event.case_id is None

    # Empty, or the product's own words, means "use the product's own words".
    admin.post("/practice/pause-wording/", {"wording": pause.DEFAULT_SHOWN_MESSAGE})
    practice.refresh_from_db()
    assert practice.pause_wording == ""
