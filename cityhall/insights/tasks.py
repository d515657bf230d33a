"""Background work for insights: the rollup fold and council reports."""

from __future__ import annotations

from django_tasks import task

from . import rollups


@task()
def fold_rollups() -> int:
    """Folds cases changed since the watermark into the rollups (idempotent)."""
    return rollups.fold_new_events()


@task()
def send_survey_invitation(case_id: int) -> str:
    """Emails the satisfaction survey for a closed case, once."""
    from .survey import send_invitation

    return send_invitation(case_id)


@task()
def make_council_report(report_id: int) -> str:
    """Renders a requested council report PDF."""
    from .services import make_council_report as make

    return make(report_id)
