from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from .city import city_name


def city(request):
    user = getattr(request, "user", None)
    current = get_language() or settings.LANGUAGE_CODE
    other = "es" if current == "en" else "en"
    return {
        "CITY_NAME": city_name(current),
        "DEBUG": settings.DEBUG,
        "is_city_staff": bool(user and user.is_authenticated and user.is_city_staff),
        "other_language": other,
        "other_language_name": "Español" if other == "es" else "English",
        "other_language_url": translate_url(request.get_full_path(), other),
    }
