"""The one place reservations read the time from (tests move it; see tests/conftest.py)."""

from django.utils import timezone


def now():
    return timezone.now()
