"""Small input rules for contacts (the phone rules are shared: `cases.questions_extra`)."""

from cityhall.cases.questions_extra import clean_phone, show_phone

__all__ = ["clean_phone", "show_phone"]
