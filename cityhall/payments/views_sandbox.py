"""The sandbox provider's hosted checkout page (/pay/sandbox/<session>/).

It stands where Stripe's page would: CityHall's payment code reaches it only
by redirect and hears back only through the signed webhook. Marked TEST on
every screen; it accepts the test cards only and keeps none of what is typed.
"""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import SandboxCardForm
from .ledger import format_money
from .models_sandbox import SandboxSession
from .providers import sandbox


@never_cache
@require_http_methods(["GET", "POST"])
def checkout_page(request, session_id):
    session = sandbox.open_session(session_id)
    if session is None:
        raise Http404
    form = SandboxCardForm(request.POST if request.method == "POST" else None)
    if (
        session.status == SandboxSession.Status.OPEN
        and request.method == "POST"
        and form.is_valid()
    ):
        attempt = sandbox.pay(session_id=session.id, card_number=form.cleaned_data["card_number"])
        if attempt.outcome == sandbox.INSUFFICIENT_FUNDS:
            form.add_error(
                "card_number",
                _("The bank declined this card: insufficient funds. Try another card."),
            )
        elif attempt.redirect_url:
            return HttpResponseRedirect(attempt.redirect_url)
        session.refresh_from_db()
    return render(
        request,
        "payments/sandbox_checkout.html",
        {
            "session": session,
            "form": form,
            "is_open": session.status == SandboxSession.Status.OPEN,
            "amount": format_money(session.amount_cents, session.currency),
            "lines": [
                (line["label"], format_money(line["amount_cents"], session.currency))
                for line in session.lines
            ],
            "test_cards": [
                ("4242 4242 4242 4242", _("Payment succeeds")),
                ("4000 0000 0000 0002", _("Card declined")),
                ("4000 0000 0000 9995", _("Insufficient funds: try another card")),
            ],
        },
    )
