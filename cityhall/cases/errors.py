from django.utils.translation import gettext as _


class CaseError(Exception):
    """A domain error; its message is fit to show the person who caused it."""


class IllegalTransition(CaseError):
    def __init__(self, status: str, transition: str):
        self.status, self.transition = status, transition
        super().__init__(
            _("This case has moved on since you opened it. Reload the page to see where it is now.")
        )

    @property
    def api_message(self) -> str:
        """For API clients, who have no page to reload: where the case is now."""
        return _("Not possible: the case's status is now “%(status)s”.") % {"status": self.status}


class NotAllowed(CaseError):
    def __init__(self, transition: str = ""):
        self.transition = transition
        super().__init__(_("Your role does not allow this step."))


class ReasonRequired(CaseError):
    def __init__(self):
        super().__init__(_("Give a reason for this decision."))


class AlreadyTaken(CaseError):
    def __init__(self, holder):
        self.holder = holder
        super().__init__(_("%(name)s has already taken this case.") % {"name": holder})
