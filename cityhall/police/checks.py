from django.conf import settings
from django.core.checks import Error, register


@register()
def rms_configuration(app_configs, **kwargs):
    """A records-system URL without a secret would send police reports unsigned."""
    if settings.CITYHALL_RMS_URL and not settings.CITYHALL_RMS_SECRET:
        return [
            Error(
                "CITYHALL_RMS_URL is set but CITYHALL_RMS_SECRET is empty.",
                hint="Set CITYHALL_RMS_SECRET to the secret shared with the records system.",
                id="cityhall.police.E001",
            )
        ]
    return []
