"""A small service type for tests of the shared foundations (not a real service)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from . import registry
from .workflow import APPLICANT, SYSTEM, State, Transition, Workflow

REVIEWERS = frozenset({"permit_reviewer"})


def build_sample_workflow() -> Workflow:
    return Workflow.build(
        initial="draft",
        states=[
            State("draft", _("Draft")),
            State("submitted", _("Submitted"), _("Received"), submitted=True, awaiting_staff=True),
            State(
                "info_requested",
                _("More information requested"),
                deadline=timedelta(days=15),
                timeout_transition="expire",
                reminder_before=timedelta(days=3),
            ),
            State("approved", _("Approved"), decided=True, closed=True),
            State("rejected", _("Rejected"), decided=True, closed=True),
            State("expired", _("Closed: no answer"), closed=True),
        ],
        transitions=[
            Transition(
                "submit",
                ("draft",),
                "submitted",
                _("Submit"),
                frozenset({APPLICANT, "permit_reviewer"}),
            ),
            Transition("approve", ("submitted",), "approved", _("Approve"), REVIEWERS),
            Transition(
                "reject", ("submitted",), "rejected", _("Reject"), REVIEWERS, reason_required=True
            ),
            Transition(
                "request_info",
                ("submitted",),
                "info_requested",
                _("Ask for more information"),
                REVIEWERS,
                reason_required=True,
            ),
            Transition(
                "resubmit",
                ("info_requested",),
                "submitted",
                _("Send the answer"),
                frozenset({APPLICANT}),
            ),
            Transition(
                "expire", ("info_requested",), "expired", _("Close: no answer"), frozenset({SYSTEM})
            ),
        ],
    )


def register_sample_service(code: str = "sample", prefix: str = "SP") -> registry.ServiceType:
    return registry.register(
        registry.ServiceType(
            code=code,
            name=_("Sample permit"),
            prefix=prefix,
            workflow=build_sample_workflow(),
            target_time=timedelta(days=5),
            staff_roles=REVIEWERS,
            supervisor_role="city_admin",
        )
    )


def simulate_full_disk(monkeypatch) -> list[str]:
    """Makes the file storage write part of each file, then fail as a full disk does
    (ENOSPC). Returns the names it was asked to write."""
    import errno
    from pathlib import Path

    from django.core.files.storage import FileSystemStorage

    written: list[str] = []

    def save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read()[:10])  # half a file on disk
        written.append(name)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", save)
    return written
