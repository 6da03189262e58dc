"""The report's task: its argument is the report's id, nothing else."""

from __future__ import annotations

from django_tasks import task

from retrust.reports import actions


@task()
def render_report(report_id: int) -> str:
    try:
        return actions.render_report(int(report_id))
    except Exception:
        actions.fail_stuck(int(report_id))
        raise
