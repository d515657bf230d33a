"""Service performance: the insights KPIs by service and month, computed the
same way as the staff dashboard (docs/insights.md)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from cityhall.insights import selectors as insights
from cityhall.opendata import registry
from cityhall.opendata.registry import Column, Dataset, Query

from .common import decimal_text, dollars, in_key_order, last_day_of, month_of, month_text

COLUMNS = (
    Column("month", "month", _("The month (YYYY-MM).")),
    Column("service", "string", _("The service's code.")),
    Column("service_name", "string", _("The service's name.")),
    Column("started", "integer", _("Transactions started in the month, every channel.")),
    Column("completed", "integer", _("Transactions completed (sent) in the month.")),
    Column(
        "completion_rate",
        "number",
        _("Completed divided by started (0 to 1, 4 decimals); empty when none started."),
    ),
    Column(
        "digital_take_up",
        "number",
        _("Share of completed transactions done online (0 to 1, 4 decimals)."),
    ),
    Column(
        "cost_per_transaction_usd",
        "number",
        _(
            "What one completed transaction cost the city, all channels, in dollars "
            "(staff time, cash costs and digital running costs); empty without a cost model."
        ),
    ),
    Column("surveys", "integer", _("Satisfaction survey answers received in the month.")),
    Column(
        "satisfaction",
        "number",
        _("Mean answer to “How satisfied were you?” (1 to 5); empty without answers."),
    ),
    Column(
        "hard_savings_usd",
        "number",
        _(
            "Cash saved by online transactions against the offline channels, less digital "
            "running costs (plus staff time when redeployed), in dollars."
        ),
    ),
    Column(
        "soft_savings_usd",
        "number",
        _("Residents' time and travel saved (and staff time not redeployed), in dollars."),
    ),
)
NAMES = tuple(c.name for c in COLUMNS)


def _rate(numerator: int, denominator: int) -> str:
    if not denominator:
        return ""
    return str((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001")))


def rows(query: Query):
    first, last = month_of(query.start), last_day_of(month_of(query.end))
    out = []
    for k in insights.kpis_for_open_data(first, last):
        for m in k.months:
            out.append(
                (
                    month_text(m.month),
                    k.service,
                    k.name,
                    m.started,
                    m.completed,
                    _rate(m.completed, m.started),
                    decimal_text(m.digital_take_up),
                    dollars(m.cost_per_transaction_cents),
                    m.surveys,
                    decimal_text(m.satisfaction),
                    dollars(insights.cents(m.savings.hard)),
                    dollars(insights.cents(m.savings.soft)),
                )
            )
    return in_key_order(out, NAMES, 2, query)


DATASET = registry.register(
    Dataset(
        slug="service-performance",
        title=_("Digital service performance"),
        description=_(
            "How each city service performs month by month: transactions started and "
            "completed, completion rate, digital take-up, cost per transaction, residents' "
            "satisfaction and the savings of the online service."
        ),
        keywords=("performance", "KPI", "digital services", "cost per transaction", "take-up"),
        columns=COLUMNS,
        key=("month", "service"),
        date_column="month",
        filterable=("service",),
        rows=rows,
        version=insights.open_data_version,
    )
)
