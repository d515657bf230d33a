"""Reads shaped for the dashboards, the council report and the API.

The dashboards read from a replica when one is configured (core/replicas.py).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.cases import registry
from cityhall.cases.models import Channel
from cityhall.core.replicas import on_replica

from .charts import Chart, month_label
from .costs import CostBook
from .figures import cents
from .kpis import Ask, ServiceKpis, compute_all
from .models import CouncilReport
from .pilots import pilot_asks, verdicts

CHANNEL_LABELS = dict(Channel.choices)


def _months(results: list[ServiceKpis]):
    return [m.month for m in results[0].months] if results else []


def _channels(channel: str | None) -> list[str]:
    return [channel] if channel else list(Channel.values)


def volume_chart(results: list[ServiceKpis], channel: str | None, chart_id: str) -> Chart:
    months = _months(results)
    chart = Chart(
        chart_id,
        _("Completed transactions per month, by channel"),
        "bar",
        "count",
        [month_label(m) for m in months],
        stacked=True,
        axis_label=_("Transactions"),
    )
    for code in _channels(channel):
        totals = Counter()
        for k in results:
            for m in k.months:
                totals[m.month] += m.by_channel[code]
        chart.add(CHANNEL_LABELS[code], [totals[m] for m in months])
    return chart


def take_up_chart(results: list[ServiceKpis], chart_id: str) -> Chart:
    chart = Chart(
        chart_id,
        _("Digital take-up per month (online share of completed transactions)"),
        "line",
        "pct",
        [month_label(m) for m in _months(results)],
        axis_label=_("Percent online"),
    )
    for k in results:
        chart.add(k.name, [m.digital_take_up for m in k.months])
    return chart


def savings_chart(results: list[ServiceKpis], chart_id: str) -> Chart:
    months = _months(results)
    hard, soft = Counter(), Counter()
    for k in results:
        for m in k.months:
            hard[m.month] += cents(m.savings.hard)
            soft[m.month] += cents(m.savings.soft)
    chart = Chart(
        chart_id,
        _("Savings per month: hard (cash) and soft, shown apart"),
        "bar",
        "money",
        [month_label(m) for m in months],
        axis_label=_("Dollars"),
    )
    chart.add(_("Hard savings"), [hard[m] for m in months])
    chart.add(_("Soft savings"), [soft[m] for m in months])
    return chart


def _monthly_line(chart_id, title, unit, axis, series, k: ServiceKpis) -> Chart:
    labels = [month_label(m.month) for m in k.months]
    return Chart(chart_id, title, "line", unit, labels, axis_label=axis).add(*series)


def service_charts(k: ServiceKpis, channel: str | None) -> list[Chart]:
    months = k.months
    return [
        volume_chart([k], channel, "volume"),
        take_up_chart([k], "take-up"),
        _monthly_line(
            "decision-time",
            _("Median time to decision per month"),
            "hours",
            _("Hours"),
            (_("Median hours"), [m.median_hours for m in months]),
            k,
        ),
        _monthly_line(
            "cost",
            _("Cost per transaction per month, all channels"),
            "money",
            _("Dollars"),
            (_("Cost per transaction"), [m.cost_per_transaction_cents for m in months]),
            k,
        ),
        _monthly_line(
            "satisfaction",
            _("Satisfaction per month (1 to 5)"),
            "score",
            _("Mean answer"),
            (_("Satisfaction"), [m.satisfaction for m in months]),
            k,
        ),
        savings_chart([k], "savings"),
    ]


@on_replica
def overview(start: date, end: date, channel: str | None = None, *, store=None) -> dict:
    """Every service side by side, trends across services, and the pilots."""
    today = timezone.localdate()
    pilots, asks = pilot_asks(today=today)
    # One read of the rollups for the period and every pilot's own days.
    computed = compute_all([Ask(None, start, end, channel), *asks], store=store, today=today)
    results = computed[0]
    charts = [
        volume_chart(results, channel, "volume"),
        take_up_chart(results, "take-up"),
        savings_chart(results, "savings"),
    ]
    return {
        "results": results,
        "charts": charts,
        "pilots": verdicts(pilots, computed[1:], today),
        "hard_total": sum(cents(k.savings.hard) for k in results),
        "soft_total": sum(cents(k.savings.soft) for k in results),
    }


def cost_inputs(k: ServiceKpis) -> list[dict]:
    """The cost model of each channel in effect on the period's last day, with its unit cost."""
    book = CostBook([k.service])
    rows = []
    for code in Channel.values:
        model = book.model(k.service, code, k.end)
        if model is None:
            rows.append({"channel": CHANNEL_LABELS[code], "model": None})
            continue
        unit = book.unit(k.service, code, k.end)
        rates = {role: book.rate(role, k.end) for _s, _m, role in model.steps() if role}
        rows.append(
            {
                "channel": CHANNEL_LABELS[code],
                "model": model,
                "rates": rates,
                "staff": cents(unit.staff),
                "cash": cents(unit.cash),
                "resident": cents(unit.resident),
            }
        )
    return rows


@on_replica
def service_detail(code: str, start: date, end: date, channel: str | None = None) -> dict:
    today = timezone.localdate()
    pilots, asks = pilot_asks([code], today=today)
    computed = compute_all([Ask((code,), start, end, channel), *asks], today=today)
    k = computed[0][0]
    book = CostBook([code])
    return {
        "k": k,
        "charts": service_charts(k, channel),
        "inputs": cost_inputs(k),
        "digital": book.digital(code, k.end) or book.latest_digital(code),
        "weights": [(CHANNEL_LABELS.get(c, c), w) for c, w in k.weights.items()],
        "pilots": verdicts(pilots, computed[1:], today),
    }


def known_service(code: str) -> bool:
    try:
        registry.get(code)
    except LookupError:
        return False
    return True


def recent_reports(limit: int = 10):
    return CouncilReport.objects.select_related("requested_by")[:limit]


# ---- for other reporting apps (ideas): read through these, not the models ----


def staff_rates_on(day: date) -> dict[str, int]:
    """{role: loaded hourly rate in cents} in effect on this day (the cost models' roles)."""
    book = CostBook([])
    return {role: rate for role in sorted(book.rates) if (rate := book.rate(role, day)) is not None}


def pilots_of(code: str):
    """The pilots of one service, newest first."""
    from .models import Pilot

    return Pilot.objects.filter(service=code).order_by("-starts_on", "pk")


@on_replica
def service_value(code: str, start: date, end: date | None = None) -> ServiceKpis | None:
    """One service's KPIs from `start` to `end` (default today): savings (in the period,
    to date, projected per year), digital take-up, satisfaction. None before `start`."""
    from .kpis import service_kpis

    today = timezone.localdate()
    end = min(end or today, today)
    if start > end or not known_service(code):
        return None
    return service_kpis(code, start=start, end=end, histograms=False, today=today)


# ---- the cost editor ----------------------------------------------------------


def rated_roles() -> list[str]:
    """The staff roles that have an hourly rate: the ones a cost model can price."""
    from .models import StaffRate

    return sorted(set(StaffRate.objects.values_list("role", flat=True)))


def cost_history(code: str) -> dict:
    """A service's dated cost rows, newest first: {'models': {channel: [rows]}, 'digital': [rows]}."""
    from .models import CostModel, DigitalServiceCost

    models: dict[str, list] = {channel: [] for channel in Channel.values}
    for row in CostModel.objects.filter(service=code).order_by("channel", "-effective_from"):
        models.setdefault(row.channel, []).append(row)
    digital = list(DigitalServiceCost.objects.filter(service=code).order_by("-effective_from"))
    return {"models": models, "digital": digital}


# ---- for opendata: the published KPIs and when their inputs last changed ------


def kpis_for_open_data(start: date, end: date) -> list[ServiceKpis]:
    """Every service's KPIs month by month from start to end (capped at today)."""
    from .kpis import compute

    today = timezone.localdate()
    end = min(end, today)
    if start > end:
        return []
    return compute(start=start, end=end, histograms=False, today=today)


def open_data_version():
    """(last change, token): the rollups' watermark, the cost inputs and the survey
    answers, and today (running costs accrue by the day). A few indexed reads."""
    from django.db.models import Count, Max

    from .models import CostModel, DigitalServiceCost, RollupState, StaffRate, SurveyResponse

    state = RollupState.objects.aggregate(changed=Max("updated_at"), last=Max("last_event_id"))
    parts = [state["changed"], state["last"], timezone.localdate()]
    changed = state["changed"]
    for model in (CostModel, DigitalServiceCost, StaffRate):
        # Rows are corrected in place (the cost inputs page): their last change counts.
        found = model.objects.aggregate(last=Max("pk"), n=Count("pk"), at=Max("updated_at"))
        parts += [found["last"], found["n"], found["at"]]
        if found["at"] and (changed is None or found["at"] > changed):
            changed = found["at"]
    found = SurveyResponse.objects.aggregate(last=Max("pk"), n=Count("pk"))
    parts += [found["last"], found["n"]]
    return changed, "|".join(str(p) for p in parts)
