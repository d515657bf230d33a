"""Password rules after NIST SP 800-63B (rev. 4): length, not composition.

A password that is the only factor (a resident's) must be at least 15
characters; one used with a second factor (staff, who must use TOTP) at least
8. Any characters are allowed, spaces included, up to 128; common and
breached-style passwords are refused by Django's CommonPasswordValidator.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SINGLE_FACTOR_MIN = 15
MULTI_FACTOR_MIN = 8
MAXIMUM = 128


class LengthValidator:
    def validate(self, password, user=None):
        minimum = self.minimum_for(user)
        if len(password) < minimum:
            raise ValidationError(
                ngettext(
                    "Use at least %(min)d character. A few words in a row are easy to remember.",
                    "Use at least %(min)d characters. A few words in a row are easy to remember.",
                    minimum,
                )
                % {"min": minimum},
                code="password_too_short",
            )
        if len(password) > MAXIMUM:
            raise ValidationError(
                _("Use at most %(max)d characters.") % {"max": MAXIMUM},
                code="password_too_long",
            )

    @staticmethod
    def minimum_for(user) -> int:
        if user is not None and getattr(user, "pk", None) and user.is_city_staff:
            return MULTI_FACTOR_MIN
        return SINGLE_FACTOR_MIN

    def get_help_text(self):
        return _(
            "At least %(min)d characters; a few unrelated words in a row work well. No other rules."
        ) % {"min": SINGLE_FACTOR_MIN}


SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


def is_predictable(password: str) -> bool:
    """A short unit repeated (aaaa…, passwordpassword, abcabc…) or a run of a
    keyboard or alphabet sequence: long, yet guessed at once."""
    text = password.lower()
    if len(set(text)) <= 2:
        return True
    for size in range(1, len(text) // 2 + 1):
        unit = text[:size]
        if (unit * (len(text) // size + 1))[: len(text)] == text:
            return True
    return any(text in seq * 3 or text in (seq * 3)[::-1] for seq in SEQUENCES)


class RepetitionValidator:
    """Refuses repetitive and sequential passwords, which length alone allows."""

    def validate(self, password, user=None):
        if password and is_predictable(password):
            raise ValidationError(
                _("This password repeats the same characters. Choose something less predictable."),
                code="password_repetitive",
            )

    def get_help_text(self):
        return ""
