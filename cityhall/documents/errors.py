from django.utils.translation import gettext as _


class DocumentError(Exception):
    """A domain error; its message is fit to show the person who caused it."""


class CorrectionRefused(DocumentError):
    pass


class NotCurrentVersion(CorrectionRefused):
    def __init__(self):
        super().__init__(
            _("This version has already been corrected. Correct the current version instead.")
        )


class OtherCase(CorrectionRefused):
    def __init__(self):
        super().__init__(
            _("A correction must belong to the same case as the document it corrects.")
        )


class CorrectionReasonRequired(CorrectionRefused):
    def __init__(self):
        super().__init__(_("Say what was corrected and why."))
