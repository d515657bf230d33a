"""Background work for ideas: the weekly digest email."""

from __future__ import annotations

from django_tasks import task


@task()
def weekly_digest() -> int:
    """Emails this week's digest to staff who did not opt out, once per week."""
    from .digest import send_weekly_digest

    return send_weekly_digest()
