"""The daily question: retrust's own deck, the same prompt for both partners, answers revealed
together, a gentle streak, the safety pause, and the clinician's switch and decks."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from retrust.core.exceptions import ActionConflict, ActionError
from retrust.core.models import Case, CaseMember
from retrust.program import actions, daily, queries
from retrust.program.models import DailyAnswer
from tests.conftest import make_user, pause_case, signed_in_client
from tests.test_query_counts import assert_constant

TODAY = timezone.localdate()


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def todays(case: Case):
    prompt = queries.daily_prompt(case, None, TODAY)
    assert prompt is not None
    return prompt


def answer(user, case, body: str, day: date = TODAY):
    prompt = queries.daily_prompt(case, None, day)
    return actions.answer_daily_question(user, case, body=body, prompt_id=prompt.id, today=day)


# --- the deck -------------------------------------------------------------------------------


def test_the_deck_is_written_for_retrust_and_has_enough_light_prompts() -> None:
    head = daily.DECK_FILE.read_text(encoding="utf-8")[:600]
    assert "written for retrust" in head and "Licence" in head
    decks = daily.decks()
    assert set(decks) == {"appreciation", "curiosity", "repair", "memories", "hopes"}
    prompts = daily.prompts()
    assert len(prompts) >= 120
    for prompt in prompts.values():
        assert prompt.text.endswith("?") and len(prompt.text) <= 120, prompt.id
    # Every stage has something to ask, and the heavier decks wait for later stages.
    for stage in range(6):
        assert daily.prompt_for(1, TODAY, stage, decks) is not None
    assert daily.prompt_for(1, TODAY, 0, ["repair", "memories"]) is None


def test_a_malformed_deck_names_the_place() -> None:
    with pytest.raises(daily.DeckError, match="deck 'x', prompt 1"):
        daily.parse("decks:\n  x:\n    stages: [0]\n    prompts:\n      - {id: a}\n")
    with pytest.raises(daily.DeckError, match="used twice"):
        daily.parse(
            "decks:\n  x:\n    stages: [0]\n    prompts:\n      - {id: a, text: b}\n"
            "  y:\n    stages: [0]\n    prompts:\n      - {id: a, text: c}\n"
        )


def test_a_case_walks_through_every_prompt_before_any_comes_back() -> None:
    chosen = list(daily.decks())
    open_count = sum(1 for p in daily.prompts().values() if 3 in p.stages)
    seen = [daily.prompt_for(7, TODAY + timedelta(days=i), 3, chosen) for i in range(open_count)]
    assert len({p.id for p in seen}) == open_count
    assert daily.prompt_for(7, TODAY, 3, chosen) == seen[0]  # stable through the day


def test_the_streak_is_gentle() -> None:
    days = {TODAY - timedelta(days=i) for i in (1, 2, 3)}
    assert daily.streak(days, TODAY).run == 3  # today not answered yet breaks nothing
    after_gap = daily.streak({TODAY - timedelta(days=5), TODAY - timedelta(days=9)}, TODAY)
    assert after_gap.run == 0 and after_gap.describe() == "You've shared answers on 2 days so far"
    for found in (daily.streak(days, TODAY), after_gap, daily.streak(set(), TODAY)):
        assert not re.search(r"miss|lost|broke|again|only", found.describe(), re.I)


# --- revealed together ----------------------------------------------------------------------


def test_answers_are_revealed_together(case, partner_a, partner_b, client_for) -> None:
    a, b = client_for("partner_a"), client_for("partner_b")
    prompt = todays(case)
    assert prompt.text in text(b.get("/home/"))
    sent = a.post(
        f"/program/{case.pk}/daily/",
        {"body": "Your laugh on the stairs", "prompt_id": prompt.id, "from": "home"},
    )
    assert sent.status_code == 302 and sent.url == "/home/"
    waiting = text(b.get("/home/"))
    assert "Your partner has answered. Answer to see theirs." in waiting
    assert "Your laugh on the stairs" not in waiting
    assert "Your laugh on the stairs" not in text(b.get(f"/program/{case.pk}/daily/"))
    assert "once they've answered too" in text(a.get("/home/"))
    # The clinician reads answers as they come.
    clinician_page = client_for("clinician").get(f"/cases/{case.pk}/program/")
    assert "Your laugh on the stairs" in text(clinician_page)
    b.post(f"/program/{case.pk}/daily/", {"body": "Sunday pancakes", "prompt_id": prompt.id})
    for client in (a, b):
        page = text(client.get("/home/"))
        assert "Your laugh on the stairs" in page and "Sunday pancakes" in page


def test_an_answer_can_change_until_the_other_has_answered(case, partner_a, partner_b) -> None:
    first = answer(partner_a, case, "Tea in bed")
    assert answer(partner_a, case, "Tea in bed").pk == first.pk  # a double submit
    assert answer(partner_a, case, "Tea in bed, with toast").body == "Tea in bed, with toast"
    answer(partner_b, case, "The garden")
    with pytest.raises(ActionError, match="stays as it is"):
        answer(partner_a, case, "Something else")
    assert DailyAnswer.objects.get(author=partner_a).body == "Tea in bed, with toast"


def test_a_form_from_yesterday_saves_nothing_and_shows_todays(case, partner_a, client_for):
    stale = daily.prompt_for(case.pk, TODAY - timedelta(days=1), case.stage, daily.decks())
    with pytest.raises(ActionConflict, match="new day's question"):
        actions.answer_daily_question(partner_a, case, body="Hi", prompt_id=stale.id)
    page = client_for("partner_a").post(
        f"/program/{case.pk}/daily/", {"body": "Hi", "prompt_id": stale.id}
    )
    assert page.status_code == 409 and todays(case).text in text(page)
    assert not DailyAnswer.objects.exists()


def test_an_empty_or_long_answer_is_refused_plainly(case, partner_a, client_for) -> None:
    client = client_for("partner_a")
    empty = client.post(f"/program/{case.pk}/daily/", {"body": " ", "prompt_id": todays(case).id})
    assert empty.status_code == 400 and "Write a few words first." in text(empty)
    with pytest.raises(ActionError, match="under 500"):
        answer(partner_a, case, "x" * 501)
    assert not DailyAnswer.objects.exists()


def test_the_streak_shows_on_the_home_page(case, partner_a, partner_b, client_for) -> None:
    for i in (1, 2, 3):
        day = TODAY - timedelta(days=i)
        answer(partner_a, case, "A", day)
        answer(partner_b, case, "B", day)
    assert "3 days in a row you've both answered" in text(client_for("partner_a").get("/home/"))
    page = text(client_for("partner_b").get(f"/program/{case.pk}/daily/"))
    assert page.count(todays(case).text) == 1  # earlier days show their own prompts


# --- the pause and the clinician's choices --------------------------------------------------


def test_a_held_partner_cannot_answer_and_reads_the_pause_message(
    case, partner_a, partner_b, client_for
) -> None:
    pause_case(case, held_for=partner_a, shown=False)
    with pytest.raises(ActionConflict):
        answer(partner_a, case, "Hello")
    home = client_for("partner_a").get("/home/").content.decode()
    assert f'action="/program/{case.pk}/daily/"' not in home
    assert home.count("pause-banner") == 1  # said once, at the top, not again in the card
    # The other partner sees no change: the question and its form as before.
    other = client_for("partner_b").get("/home/").content.decode()
    assert f'action="/program/{case.pk}/daily/"' in other


def test_the_clinician_turns_it_off_or_picks_decks(case, partner_a, clinician, client_for):
    client = client_for("clinician")
    off = client.post(f"/cases/{case.pk}/program/daily/", {"enabled": "", "decks": []})
    assert off.status_code == 302
    assert "Today's question" not in text(client_for("partner_a").get("/home/"))
    with pytest.raises(ActionError, match="no daily question"):
        actions.answer_daily_question(partner_a, case, body="Hi", prompt_id="ap-01")
    none = client.post(f"/cases/{case.pk}/program/daily/", {"enabled": "on", "decks": []})
    assert none.status_code == 400 and "Choose at least one deck" in text(none)
    client.post(f"/cases/{case.pk}/program/daily/", {"enabled": "on", "decks": ["curiosity"]})
    for i in range(10):
        prompt = queries.daily_prompt(
            case, queries.daily_settings([case.pk])[case.pk], TODAY + timedelta(days=i)
        )
        assert prompt is not None and prompt.deck == "curiosity"


def test_one_person_working_alone_has_no_daily_question(practice, clinician) -> None:
    case = Case.objects.create(practice=practice, label="Cam", track="individual", status="active")
    case.clinicians.add(clinician)
    cam = make_user("cam@example.org", "Cam")
    CaseMember.objects.create(case=case, user=cam, role="partner_a")
    assert "Today's question" not in text(signed_in_client(cam).get("/home/"))
    assert queries.daily_prompt(case, None, TODAY) is None


def test_home_is_constant_in_daily_answers(case, partner_a, partner_b, client_for) -> None:
    answer(partner_a, case, "One", TODAY - timedelta(days=1))

    def grow() -> None:
        for i in range(2, 30):
            day = TODAY - timedelta(days=i)
            answer(partner_a, case, f"A{i}", day)
            answer(partner_b, case, f"B{i}", day)
        answer(partner_a, case, "Today")

    assert_constant(client_for("partner_b"), "/home/", grow)
