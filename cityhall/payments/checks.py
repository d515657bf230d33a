"""`cityhall check --deploy`: a live installation must not take payments in the sandbox."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def sandbox_payments_in_production(app_configs, **kwargs):
    if settings.CITYHALL_PAYMENT_PROVIDER == "sandbox" and not settings.DEBUG:
        return [
            Warning(
                "Payments go to the built-in sandbox: residents' test cards 'pay' real fees.",
                hint="Set CITYHALL_PAYMENT_PROVIDER=stripe with CITYHALL_STRIPE_SECRET_KEY and "
                "CITYHALL_STRIPE_WEBHOOK_SECRET (docs/payments.md).",
                id="cityhall.W001",
            )
        ]
    return []
