"""The program in an export and a deletion: homework, answers, goals, notes.

A copy holds the homework given to the person, their own answers (never the other partner's,
even after a reveal), the clinician's comments on their answers, their own trust goal, the
case's goals, and the appreciation notes they sent (a note they received is the other
partner's words: only that it arrived, and when).

When a partner leaves: drafts and private answers and goals go; answers and a goal shared with
the clinician alone are held with the clinical record; couple homework and notes shared with
both stay, attributed to a former partner.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from retrust.core.datarights import (
    Exporter,
    Leaving,
    Sections,
    split_by_visibility,
    visibility_shredder,
    when,
    who,
)
from retrust.core.models import CaseMember
from retrust.program.models import (
    AppreciationNote,
    Assignment,
    CaseGoal,
    ExerciseResponse,
    ResponseComment,
    TrustGoal,
)


def export(user: Any) -> Sections:
    members = dict(CaseMember.objects.filter(user=user).values_list("case_id", "role"))
    assignments = Assignment.objects.filter(case_id__in=list(members)).filter(
        Q(for_role="") | Q(for_role__in=set(members.values()))
    )
    mine = ExerciseResponse.objects.filter(author=user)
    comments = ResponseComment.objects.filter(response__in=mine)
    answers = {r.assignment_id: r for r in mine}
    return {
        "homework": [
            {
                "case": a.case_id,
                "title": a.title,
                "due": a.due_on.isoformat(),
                "your_answers": answers[a.pk].answers if a.pk in answers else None,
                "sent": when(answers[a.pk].submitted_at) if a.pk in answers else None,
                "shared_with": (
                    answers[a.pk].get_visibility_display() if a.pk in answers else None
                ),
                "clinician_comments": [
                    {"text": c.body, "written": when(c.created_at)}
                    for c in comments
                    if a.pk in answers and c.response_id == answers[a.pk].pk
                ],
            }
            for a in assignments.order_by("due_on", "id")
            if a.for_role in ("", members.get(a.case_id))
        ],
        "trust_goal": [
            {"case": g.case_id, "text": g.body, "shared_with": g.get_visibility_display()}
            for g in TrustGoal.objects.filter(author=user)
        ],
        "case_goals": [
            {
                "case": g.case_id,
                "title": g.title,
                "how_you_will_notice": g.how_noticed,
                "status": g.get_status_display(),
            }
            for g in CaseGoal.objects.filter(case_id__in=list(members)).order_by("created_at")
        ],
        "appreciation_notes": [
            {
                "from": who(n.author_id, user),
                "text": n.body if n.author_id == user.pk else None,
                "sent": when(n.created_at),
            }
            for n in AppreciationNote.objects.visible_to(user)
            .filter(case_id__in=list(members))
            .order_by("created_at", "id")
        ],
    }


def _split(leaving: Leaving) -> dict[str, dict[str, Any]]:
    return {
        "homework answers": split_by_visibility(
            ExerciseResponse.objects.all(), leaving, drafts=Q(submitted_at__isnull=True)
        ),
        "trust goals": split_by_visibility(TrustGoal.objects.all(), leaving),
        "appreciation notes": split_by_visibility(AppreciationNote.objects.all(), leaving),
    }


EXPORTER = Exporter("program", export)
SHREDDER = visibility_shredder("program", _split)
