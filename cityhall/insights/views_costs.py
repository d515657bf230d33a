"""The cost inputs of one service, kept by the digital team and analysts
(linked from the service builder and from the service's insights page)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cityhall.cases import registry
from cityhall.cases.models import Channel
from cityhall.core.guards import role_required

from . import selectors, services_costs
from .forms_costs import CostModelForm, DigitalCostForm
from .views_staff import READERS

# Who keeps the cost inputs: the same people who read the figures they feed.
COST_EDITORS = READERS


def _initial_model(history: dict, channel: str) -> dict:
    rows = history["models"].get(channel) or []
    if not rows:
        return {"channel": channel}
    latest = rows[0]
    return {"channel": channel, **{f: getattr(latest, f) for f in services_costs.COST_MODEL_FIELDS}}


def _initial_digital(history: dict) -> dict:
    if not history["digital"]:
        return {}
    latest = history["digital"][0]
    return {f: getattr(latest, f) for f in services_costs.DIGITAL_FIELDS}


@require_http_methods(["GET", "POST"])
@role_required(*COST_EDITORS)
def costs(request, code):
    if not selectors.known_service(code):
        raise Http404
    history = selectors.cost_history(code)
    roles = selectors.rated_roles()
    channel = request.GET.get("channel")
    if channel not in Channel.values:
        channel = Channel.COUNTER
    model_form = CostModelForm(
        roles=roles, initial=_initial_model(history, channel), prefix="model"
    )
    digital_form = DigitalCostForm(initial=_initial_digital(history), prefix="digital")
    if request.method == "POST":
        if request.POST.get("part") == "digital":
            digital_form = DigitalCostForm(request.POST, prefix="digital")
            if digital_form.is_valid():
                data = digital_form.cleaned_data
                _row, created = services_costs.set_digital_cost(
                    service=code, effective_from=data["effective_from"], values=data
                )
                messages.success(
                    request,
                    _("Digital costs saved.") if created else _("Digital costs corrected."),
                )
                return redirect(reverse("insights:costs", args=[code]) + "#digital")
        else:
            model_form = CostModelForm(request.POST, roles=roles, prefix="model")
            if model_form.is_valid():
                data = model_form.cleaned_data
                _row, created = services_costs.set_cost_model(
                    service=code,
                    channel=data["channel"],
                    effective_from=data["effective_from"],
                    values=data,
                )
                messages.success(
                    request,
                    _("Cost model saved.") if created else _("Cost model corrected."),
                )
                return redirect(
                    reverse("insights:costs", args=[code]) + f"?channel={data['channel']}#model"
                )
    return render(
        request,
        "insights/costs.html",
        {
            "code": code,
            "service_name": registry.get(code).name,
            "channel": channel,
            "channels": Channel.choices,
            "history": history,
            "model_history": [
                (label, history["models"][value])
                for value, label in Channel.choices
                if history["models"].get(value)
            ],
            "model_form": model_form,
            "digital_form": digital_form,
            "roles": roles,
        },
    )
