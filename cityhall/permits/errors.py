"""Permit domain errors: each message is fit to show the person who caused it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cityhall.cases.errors import CaseError


class PermitError(CaseError):
    """`field` names the input the message belongs to (a form field or an API path)."""

    code = "invalid"

    def __init__(self, message, field: str | None = None):
        self.field = field
        super().__init__(message)


class TooManyDrafts(PermitError):
    code = "rate_limited"

    def __init__(self):
        super().__init__(_("You started many applications in the last hour. Finish one first."))


class NotEditable(PermitError):
    code = "not_editable"

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "This application was already sent, so it cannot be changed. "
                "If the city asks for corrections you can upload new versions then."
            )
        )


class HasProblems(PermitError):
    """The pre-submission check found problems: nothing is submitted or charged."""

    code = "has_problems"

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(
            _("Fix these %(count)d problems before you pay or submit.")
            % {"count": len(self.problems)}
            if len(self.problems) > 1
            else _("Fix this problem before you pay or submit.")
        )


class NotYourDepartment(PermitError):
    code = "forbidden"

    def __init__(self):
        super().__init__(_("This review step belongs to another department."))
