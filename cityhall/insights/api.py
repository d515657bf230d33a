"""/api/v1/insights/: the KPIs of every service, with their inputs.

Analysts and the digital team (city administrators) only: 401 without a
valid token, 403 for other roles. Periods are local days, `from` and `to`
inclusive (default: the last twelve whole months and this month so far).
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from cityhall.api import ApiDomainError, token_auth, with_errors
from cityhall.cases.models import Channel
from cityhall.core.roles import ANALYST, CITY_ADMIN, DIGITAL_TEAM

from . import selectors
from .costs import CostBook
from .figures import cents
from .forms import resolve_period
from .kpis import Ask, ServiceKpis, compute, compute_all
from .pilots import pilot_asks, verdicts
from .schemas import ServiceDetailOut, ServiceKpisOut

router = Router(tags=["insights"], auth=token_auth)
READERS = frozenset({ANALYST, CITY_ADMIN, DIGITAL_TEAM})  # as the pages (views_staff)
FROM = Query(None, alias="from", description="First local day, e.g. 2026-01-01")
TO = Query(None, alias="to", description="Last local day, inclusive")
CHANNEL = Query(None, description="online, counter, phone or mail (default: all)")


def _reader(request: HttpRequest):
    user = request.auth
    if not (user.is_superuser or user.role_codes & READERS):
        raise ApiDomainError(403, "forbidden", "Insights are for analysts and the digital team.")
    return user


def _period(start: date | None, end: date | None, channel: str | None):
    start, end, problem = resolve_period(start, end)
    if problem:
        raise ApiDomainError(
            422, "validation_error", "Some fields are missing or invalid.", {"to": [problem]}
        )
    if channel and channel not in Channel.values:
        raise ApiDomainError(
            422,
            "validation_error",
            "Some fields are missing or invalid.",
            {"channel": [f"One of {', '.join(Channel.values)}."]},
        )
    return start, end, channel or None


def _number(value):
    return None if value is None else float(value)


def summary(k: ServiceKpis) -> dict:
    return {
        "code": k.service,
        "name": k.name,
        "period": {"start": k.start, "end": k.end, "channel": k.channel},
        "started": k.started,
        "completed": k.completed,
        "completion_rate": _number(k.completion_rate),
        "digital_take_up": _number(k.digital_take_up),
        "median_hours_to_decision": k.median_hours,
        "p90_hours_to_decision": k.p90_hours,
        "decided_within_target": _number(k.within_target_share),
        "cost_per_transaction": k.cost_per_transaction_cents,
        "satisfaction": _number(k.satisfaction),
        "trust": _number(k.trust),
        "hard_savings": cents(k.savings.hard),
        "soft_savings": cents(k.savings.soft),
        "hard_savings_to_date": cents(k.savings_to_date.hard),
        "soft_savings_to_date": cents(k.savings_to_date.soft),
        "build_cost": k.build_cost_cents,
        "roi": _number(k.roi),
        "payback_months": k.payback_months,
        "payback_projected": k.payback_projected,
        "projected_annual_hard_savings": k.projected_annual_hard_cents,
        "projected_annual_soft_savings": k.projected_annual_soft_cents,
    }


def _inputs(k: ServiceKpis) -> dict:
    book = CostBook([k.service])
    models = [book.model(k.service, c, k.end) for c in Channel.values]
    digital = book.digital(k.service, k.end) or book.latest_digital(k.service)
    roles = sorted({role for m in models if m for _s, _min, role in m.steps() if role})
    return {
        "counts": {
            "started": k.started,
            "completed": k.completed,
            "online_completed_all_channels": k.online_completed,
            "completed_all_channels": k.all_completed,
            "decided": k.counts["decided"],
            "decided_within_target": k.counts["within_target"],
            "target_hours": k.target_hours,
            "surveys": k.counts["surveys"],
            "satisfaction_sum": k.counts["satisfaction_sum"],
            "satisfied": k.counts["satisfied"],
            "trust_sum": k.counts["trust_sum"],
            "trusting": k.counts["trusting"],
            "decision_hours_histogram": {str(h): n for h, n in sorted(k.hist.items()) if n},
        },
        "channels": [c.as_dict() for c in k.channels.values()],
        "savings": k.savings.as_dict(),
        "savings_to_date": k.savings_to_date.as_dict(),
        "baseline_weights": {c: float(w) for c, w in k.weights.items()},
        "baseline_from": k.weights_from,
        "digital_service": digital,
        "cost_models": [m for m in models if m],
        "staff_rates": {role: book.rate(role, k.end) for role in roles},
        "missing_rates": k.missing_rates,
    }


@router.get(
    "/services", response=with_errors(list[ServiceKpisOut]), summary="KPIs of every service"
)
def list_services(
    request,
    start: date | None = FROM,
    end: date | None = TO,
    channel: str | None = CHANNEL,
):
    _reader(request)
    start, end, channel = _period(start, end, channel)
    return [summary(k) for k in compute(None, start=start, end=end, channel=channel)]


@router.get(
    "/services/{code}",
    response=with_errors(ServiceDetailOut),
    summary="One service's KPIs with every input, by month",
)
def service_detail(
    request,
    code: str,
    start: date | None = FROM,
    end: date | None = TO,
    channel: str | None = CHANNEL,
):
    _reader(request)
    if not selectors.known_service(code):
        raise ApiDomainError(404, "not_found", "Not found.")
    start, end, channel = _period(start, end, channel)
    today = timezone.localdate()
    pilots, asks = pilot_asks([code], today=today)
    computed = compute_all([Ask((code,), start, end, channel), *asks], today=today)
    [k] = computed[0]
    return {
        **summary(k),
        "inputs": _inputs(k),
        "months": [m.as_dict() for m in k.months],
        "pilots": [p.as_dict() for p in verdicts(pilots, computed[1:], today)],
    }
