"""The city's name in each language ("City of Port Alder", "Ciudad de Port Alder")."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language


def city_name(language: str | None = None) -> str:
    language = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    return settings.CITY_NAMES.get(language) or settings.CITY_NAMES[settings.LANGUAGE_CODE]
