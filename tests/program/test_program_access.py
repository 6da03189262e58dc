"""Who may open what in the program: every page and API route, walked by every persona.

Same table style as ``tests/test_access_matrix.py``: one row per route, one test per persona,
POSTs checked to change state for the right person only. Then the answers themselves: each
secret reaches exactly the people who may read it (reveal-together, drafts, visibility caps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from retrust.core.models import Case, CaseMember, User
from retrust.program import actions
from retrust.program.models import (
    AppreciationNote,
    Assignment,
    CaseGoal,
    DailyAnswer,
    DailyQuestionSettings,
    ExerciseResponse,
    ResponseComment,
    StageConfirmation,
    StageProposal,
    TrustGoal,
)
from tests.conftest import PERSONAS, make_user
from tests.support.matrix import (
    CLINICIANS,
    IN_CASE,
    PARTNERS,
    Redirect,
    Route,
    api,
    check,
    matrix,
    pages,
)

SECRETS = {
    "reveal": "Reveal-secret: I still want us to cook together on Sundays",
    "couple": "Couple-secret: you held my hand at the bus stop",
    "clinician": "Clinician-secret: I lied about the trip in March",
    "private": "Private-secret: I go quiet when I feel small",
    "draft": "Draft-secret: half a thought about the weekend",
    "comment": "Comment-secret: thank you both for this careful work",
}
READERS = {
    "reveal": {"partner_a", "clinician"},  # until partner_b has answered too
    "couple": {"partner_a", "partner_b", "clinician"},
    "clinician": {"partner_a", "clinician"},
    "private": {"partner_a"},
    "draft": {"partner_b"},
    "comment": {"partner_a", "partner_b", "clinician"},
}


def due() -> Any:
    return timezone.localdate() + timedelta(days=5)


def fill(exercise_id: str, text: str) -> dict[str, str]:
    from retrust.program import content

    exercise = content.library()[exercise_id]
    return {p.key: ("3" if p.field == "scale_1_5" else text) for p in exercise.prompts}


@dataclass
class ProgramWorld:
    case: Case
    other_case: Case
    solo_case: Case
    disc_case: Case
    objects: dict[str, Any]

    @property
    def ids(self) -> dict[str, int | str]:
        return {
            "exercise": "telling-the-hurt",
            "missing_exercise": "no-such-exercise",
            "case": self.case.pk,
            "other_case": self.other_case.pk,
            "solo_case": self.solo_case.pk,
            "disc_case": self.disc_case.pk,
            **{key: obj.pk for key, obj in self.objects.items()},
            "daily_prompt": daily_prompt_id(self.case),
        }


def daily_prompt_id(case: Case) -> str:
    from retrust.program import queries

    prompt = queries.daily_prompt(case, None, timezone.localdate())
    return prompt.id if prompt is not None else ""


@pytest.fixture
def world(
    personas: dict[str, User | None],
    practice: Any,
    case: Case,
    other_practice_case: Case,
    partner_a: User,
    partner_b: User,
    clinician: User,
    other_practice_clinician: User,
) -> ProgramWorld:
    def give(exercise: str, for_role: str = "") -> Assignment:
        return actions.assign_homework(
            clinician, case, exercise_id=exercise, due_on=due(), for_role=for_role
        )

    reveal = give("what-trust-looks-like")
    actions.submit_response(
        partner_a, reveal, answers=fill(reveal.exercise_id, SECRETS["reveal"]), visibility="couple"
    )
    actions.save_draft(
        partner_b, reveal, answers={"ordinary_day": SECRETS["draft"]}, visibility="couple"
    )
    together = give("appreciation-practice")
    couple_response = actions.submit_response(
        partner_a,
        together,
        answers=fill(together.exercise_id, SECRETS["couple"]),
        visibility="couple",
    )
    actions.submit_response(
        partner_b,
        together,
        answers=fill(together.exercise_id, "Thank you too"),
        visibility="couple",
    )
    actions.comment_on_response(clinician, couple_response, body=SECRETS["comment"])
    letter = give("accountability-letter", "partner_a")
    actions.submit_response(
        partner_a,
        letter,
        answers=fill(letter.exercise_id, SECRETS["clinician"]),
        visibility="clinician",
    )
    private = give("attachment-reflection")
    private_response = actions.submit_response(
        partner_a,
        private,
        answers=fill(private.exercise_id, SECRETS["private"]),
        visibility="private",
    )
    for_a = give("telling-the-hurt", "partner_a")
    fresh = give("rituals-of-connection")
    plan = give("disclosure-conversation-plan")  # shared at most with the clinician
    proposal = actions.propose_advance(clinician, case, goals_review="Both goals are moving.")
    goal = actions.add_case_goal(
        clinician, case, title="Feel safe at home", how_noticed="Fewer checks", review_on=None
    )
    solo_case = Case.objects.create(
        practice=practice, label="Cam alone", track="individual", status="active"
    )
    solo_case.clinicians.add(clinician)
    CaseMember.objects.create(case=solo_case, user=make_user("cam@example.org"), role="partner_a")
    disc_case = Case.objects.create(
        practice=practice, label="Dee and Eve", track="discernment", status="active"
    )
    disc_case.clinicians.add(clinician)
    return ProgramWorld(
        case=case,
        other_case=other_practice_case,
        solo_case=solo_case,
        disc_case=disc_case,
        objects={
            "reveal": reveal,
            "together": together,
            "letter": letter,
            "private": private,
            "for_a": for_a,
            "fresh": fresh,
            "plan": plan,
            "proposal": proposal,
            "goal": goal,
            "couple_response": couple_response,
            "private_response": private_response,
        },
    )


def rows(model: Any, *fields: str) -> Callable[[ProgramWorld], Any]:
    def snapshot(world: ProgramWorld) -> Any:
        return sorted(model.objects.values_list("id", *fields))

    return snapshot


def case_field(attr: str, field: str) -> Callable[[ProgramWorld], Any]:
    def snapshot(world: ProgramWorld) -> Any:
        return Case.objects.filter(pk=getattr(world, attr).pk).values_list(field, flat=True).get()

    return snapshot


def answers_for(key: str) -> dict[str, str]:
    return {f"answer_{k}": v for k, v in fill(key, "My own words").items()}


SOON = (timezone.localdate() + timedelta(days=10)).isoformat()
BACK_TO_PROGRAM = Redirect("/program/{case}/")
TO_CLINICIAN_PAGE = Redirect("/cases/{case}/program/")

PAGE_ROUTES = [
    Route(
        "the program in the menu",
        "GET",
        "/program/",
        pages(partner_a=BACK_TO_PROGRAM, partner_b=BACK_TO_PROGRAM),
    ),
    Route("partner program", "GET", "/program/{case}/", pages(**PARTNERS)),
    Route("daily question", "GET", "/program/{case}/daily/", pages(**PARTNERS)),
    Route(
        "answer the daily question",
        "POST",
        "/program/{case}/daily/",
        pages(
            partner_a=Redirect("/program/{case}/daily/"),
            partner_b=Redirect("/program/{case}/daily/"),
        ),
        data={"body": "Your laugh on the stairs", "prompt_id": "{daily_prompt}"},
        state=rows(DailyAnswer, "author_id"),
    ),
    Route(
        "daily question settings",
        "POST",
        "/cases/{case}/program/daily/",
        pages(clinician=TO_CLINICIAN_PAGE),
        data={"enabled": "", "decks": []},
        state=rows(DailyQuestionSettings, "enabled"),
    ),
    Route(
        "write trust goal",
        "POST",
        "/program/{case}/goal/",
        pages(partner_a=BACK_TO_PROGRAM, partner_b=BACK_TO_PROGRAM),
        data={"body": "Trust is a quiet evening", "visibility": "couple"},
        state=rows(TrustGoal, "author_id", "body"),
    ),
    Route(
        "send appreciation",
        "POST",
        "/program/{case}/appreciation/",
        pages(partner_a=BACK_TO_PROGRAM, partner_b=BACK_TO_PROGRAM),
        data={"milestone_key": "first-together", "body": "Thank you for Sunday"},
        state=rows(AppreciationNote, "author_id"),
    ),
    Route(
        "confirm stage advance",
        "POST",
        "/program/{case}/proposals/{proposal}/confirm/",
        pages(partner_a=BACK_TO_PROGRAM, partner_b=BACK_TO_PROGRAM),
        state=rows(StageConfirmation, "user_id"),
    ),
    Route("homework for both", "GET", "/homework/{reveal}/", pages(**PARTNERS)),
    Route("homework for partner a", "GET", "/homework/{for_a}/", pages(partner_a=200)),
    Route(
        "send answers",
        "POST",
        "/homework/{for_a}/",
        pages(partner_a=Redirect("/homework/{for_a}/")),
        data={**answers_for("telling-the-hurt"), "visibility": "clinician"},
        state=rows(ExerciseResponse, "author_id", "submitted_at"),
    ),
    Route(
        "send answers wider than the exercise allows",
        "POST",
        "/homework/{plan}/",
        pages(partner_a=400, partner_b=400),
        data={**answers_for("disclosure-conversation-plan"), "visibility": "couple"},
        state=rows(ExerciseResponse, "author_id", "submitted_at", "visibility"),
    ),
    Route(
        "narrow who reads sent answers",
        "POST",
        "/homework/{together}/sharing/",
        pages(
            partner_a=Redirect("/homework/{together}/"),
            partner_b=Redirect("/homework/{together}/"),
        ),
        data={"visibility": "private"},
        state=rows(ExerciseResponse, "visibility"),
    ),
    Route(
        "widen sent answers past the exercise's limit",
        "POST",
        "/homework/{letter}/sharing/",
        pages(partner_a=400),
        data={"visibility": "everyone"},
        state=rows(ExerciseResponse, "visibility"),
    ),
    Route(
        "save draft",
        "POST",
        "/homework/{fresh}/draft/",
        pages(partner_a=Redirect("/homework/{fresh}/"), partner_b=Redirect("/homework/{fresh}/")),
        data={"answer_mornings": "A hug", "visibility": "couple"},
        state=rows(ExerciseResponse, "author_id"),
    ),
    Route("clinician program", "GET", "/cases/{case}/program/", pages(clinician=200)),
    Route(
        # Sent to the clinician only: partner_a may still change the words.
        "change sent answers",
        "POST",
        "/homework/{letter}/edit/",
        pages(partner_a=Redirect("/homework/{letter}/")),
        data=answers_for("accountability-letter"),
        state=rows(ExerciseResponse, "answers"),
    ),
    Route(
        # Shared with both partners (and commented on): fixed, a conflict for each author.
        "change answers the partner could read",
        "POST",
        "/homework/{together}/edit/",
        pages(partner_a=409, partner_b=409),
        data=answers_for("appreciation-practice"),
        state=rows(ExerciseResponse, "answers"),
    ),
    Route(
        "other practice clinician program",
        "GET",
        "/cases/{other_case}/program/",
        pages(other_practice_clinician=200),
    ),
    Route(
        "assign homework",
        "POST",
        "/cases/{case}/program/assign/",
        pages(clinician=TO_CLINICIAN_PAGE),
        data={"exercise_id": "gentle-start-up", "due_on": SOON, "for_role": ""},
        state=rows(Assignment, "exercise_id"),
    ),
    Route(
        "assign homework in other practice case",
        "POST",
        "/cases/{other_case}/program/assign/",
        pages(other_practice_clinician=Redirect("/cases/{other_case}/program/")),
        data={"exercise_id": "gentle-start-up", "due_on": SOON, "for_role": ""},
        state=rows(Assignment, "exercise_id"),
    ),
    Route(
        "propose stage advance (individual: carries at once)",
        "POST",
        "/cases/{solo_case}/program/propose/",
        pages(clinician=Redirect("/cases/{solo_case}/program/")),
        data={"goals_review": "Steady."},
        state=case_field("solo_case", "stage"),
    ),
    Route(
        "withdraw proposal",
        "POST",
        "/cases/{case}/program/proposals/{proposal}/withdraw/",
        pages(clinician=TO_CLINICIAN_PAGE),
        state=rows(StageProposal, "state"),
    ),
    Route(
        "withdraw proposal through another case",
        "POST",
        "/cases/{other_case}/program/proposals/{proposal}/withdraw/",
        pages(),
        state=rows(StageProposal, "state"),
    ),
    Route(
        "add case goal",
        "POST",
        "/cases/{case}/program/goals/",
        pages(clinician=TO_CLINICIAN_PAGE),
        data={"title": "Laugh together", "how_noticed": "A joke a day", "review_on": ""},
        state=rows(CaseGoal, "title"),
    ),
    Route(
        "update case goal",
        "POST",
        "/cases/{case}/program/goals/{goal}/",
        pages(clinician=TO_CLINICIAN_PAGE),
        data={"status": "progressing", "review_on": ""},
        state=rows(CaseGoal, "status"),
    ),
    Route(
        "record discernment decision",
        "POST",
        "/cases/{disc_case}/program/decision/",
        pages(clinician=Redirect("/cases/{disc_case}/program/")),
        data={"path": "committed_work", "note": "Six months", "closing_plan": ""},
        state=lambda world: list(
            Case.objects.filter(pk=world.disc_case.pk).values_list("discernment__path")
        ),
    ),
    Route(
        "comment on couple answers",
        "POST",
        "/cases/{case}/program/responses/{couple_response}/comment/",
        pages(clinician=TO_CLINICIAN_PAGE),
        data={"body": "Lovely to read."},
        state=rows(ResponseComment, "body"),
    ),
    Route(
        "comment on private answers",
        "POST",
        "/cases/{case}/program/responses/{private_response}/comment/",
        pages(),
        data={"body": "Peeking."},
        state=rows(ResponseComment, "body"),
    ),
    Route("exercise library", "GET", "/exercises/", pages(**CLINICIANS)),
    Route("one exercise", "GET", "/exercises/{exercise}/", pages(**CLINICIANS)),
    Route("an exercise not in the library", "GET", "/exercises/{missing_exercise}/", pages()),
]

API_ROUTES = [
    Route("exercises", "GET", "/api/v1/program/exercises", api(**CLINICIANS)),
    Route("program", "GET", "/api/v1/program/cases/{case}", api(**IN_CASE)),
    Route(
        "other practice program",
        "GET",
        "/api/v1/program/cases/{other_case}",
        api(other_practice_clinician=200),
    ),
    Route("responses", "GET", "/api/v1/program/cases/{case}/responses", api(**IN_CASE)),
    Route(
        "send answers",
        "POST",
        "/api/v1/program/assignments/{for_a}/response",
        api(partner_a=201),
        data={"answers": fill("telling-the-hurt", "Through the API"), "visibility": "clinician"},
        state=rows(ExerciseResponse, "author_id", "submitted_at"),
    ),
    Route(
        "send answers to both-partner homework",
        "POST",
        "/api/v1/program/assignments/{fresh}/response",
        api(partner_a=201, partner_b=201),
        data={"answers": fill("rituals-of-connection", "API words"), "visibility": "couple"},
        state=rows(ExerciseResponse, "author_id", "submitted_at"),
    ),
    Route(
        "change sent answers",
        "PUT",
        "/api/v1/program/assignments/{letter}/response",
        api(partner_a=200),
        data={"answers": fill("accountability-letter", "Changed through the API")},
        state=rows(ExerciseResponse, "answers"),
    ),
    Route(
        "change answers the partner could read",
        "PUT",
        "/api/v1/program/assignments/{together}/response",
        api(partner_a=409, partner_b=409),
        data={"answers": fill("appreciation-practice", "Too late")},
        state=rows(ExerciseResponse, "answers"),
    ),
    Route(
        "send answers wider than the exercise allows",
        "POST",
        "/api/v1/program/assignments/{plan}/response",
        api(partner_a=400, partner_b=400),
        data={"answers": fill("disclosure-conversation-plan", "x"), "visibility": "couple"},
        state=rows(ExerciseResponse, "author_id", "submitted_at", "visibility"),
    ),
    Route("daily question", "GET", "/api/v1/program/cases/{case}/daily", api(**PARTNERS)),
    Route(
        "answer the daily question",
        "POST",
        "/api/v1/program/cases/{case}/daily",
        api(partner_a=200, partner_b=200),
        data={"body": "Your laugh on the stairs", "prompt_id": "{daily_prompt}"},
        state=rows(DailyAnswer, "author_id"),
    ),
    Route(
        "answer the daily question in another practice's case",
        "POST",
        "/api/v1/program/cases/{other_case}/daily",
        api(),
        data={"body": "Sneaking in", "prompt_id": "{daily_prompt}"},
        state=rows(DailyAnswer, "author_id"),
    ),
]


@pytest.mark.parametrize(("route", "persona"), matrix(PAGE_ROUTES))
def test_page_access(
    route: Route, persona: str, world: ProgramWorld, client_for: Callable[[str], Client]
) -> None:
    response = check(route, persona, world, client_for(persona), json_body=False)  # type: ignore[arg-type]
    if response.status_code == 404:
        assert "text/html" in response["Content-Type"]
        for secret in SECRETS.values():
            assert secret not in response.content.decode()


@pytest.mark.parametrize(("route", "persona"), matrix(API_ROUTES))
def test_api_access(
    route: Route, persona: str, world: ProgramWorld, client_for: Callable[[str], Client]
) -> None:
    response = check(route, persona, world, client_for(persona), json_body=True)  # type: ignore[arg-type]
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 404:
        assert response.json() == {"detail": "Not found."}


def everything_seen_by(client: Client, world: ProgramWorld) -> str:
    urls = [
        "/program/{case}/",
        "/homework/{reveal}/",
        "/homework/{together}/",
        "/homework/{letter}/",
        "/homework/{private}/",
        "/homework/{for_a}/",
        "/cases/{case}/program/",
        "/api/v1/program/cases/{case}",
        "/api/v1/program/cases/{case}/responses",
    ]
    return "\n".join(
        client.get(url.format(**world.ids), follow=True).content.decode() for url in urls
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("secret", list(SECRETS))
def test_each_answer_reaches_exactly_its_readers(
    secret: str, persona: str, world: ProgramWorld, client_for: Callable[[str], Client]
) -> None:
    seen = everything_seen_by(client_for(persona), world)
    assert (SECRETS[secret] in seen) == (persona in READERS[secret])


def test_reveal_together_answers_reach_partner_b_after_their_own(
    world: ProgramWorld, client_for: Callable[[str], Client], partner_b: User
) -> None:
    client = client_for("partner_b")
    page = client.get(f"/homework/{world.ids['reveal']}/").content.decode()
    assert SECRETS["reveal"] not in page
    data = {**answers_for("what-trust-looks-like"), "visibility": "couple"}
    assert client.post(f"/homework/{world.ids['reveal']}/", data).status_code == 302
    page = client.get(f"/homework/{world.ids['reveal']}/").content.decode()
    assert SECRETS["reveal"] in page
    api_text = client.get(f"/api/v1/program/cases/{world.ids['case']}/responses").content
    assert SECRETS["reveal"] in api_text.decode()
