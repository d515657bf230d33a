"""Reads for the transparency page and the dataset pages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.insights import selectors as insights

from . import exports, registry
from .registry import Dataset, Query

SUMMARY_SECONDS = 300
HEADLINE_MONTHS = 12


@dataclass
class Summary:
    """What a dataset holds over its default range, for the pages. Rows are
    counted for the small aggregated datasets only; a row-per-record dataset
    (permits) is only asked for its first row, whatever its size."""

    rows: int | None
    withheld: int  # rows with figures suppressed
    empty: bool

    @property
    def all_withheld(self) -> bool:
        return bool(self.rows) and self.withheld == self.rows


def default_query(dataset: Dataset) -> Query:
    query, _limit = exports.parse_query(dataset, {}, paged=False)
    return query


def _count(dataset: Dataset) -> tuple:
    rows = iter(dataset.rows(default_query(dataset)))
    if dataset.key == dataset.column_names[:1]:  # one row per record: do not read them all
        first = next(rows, None)
        close = getattr(rows, "close", None)
        if close:
            close()
        return None, 0, first is None
    names = dataset.column_names
    flag = names.index("suppressed") if "suppressed" in names else None
    count = withheld = 0
    for row in rows:
        count += 1
        withheld += flag is not None and row[flag] == "yes"
    return count, withheld, count == 0


def summary(dataset: Dataset) -> Summary:
    """Cached per source version (and day), so the pages do not recompute it."""
    _changed, token = dataset.version()
    digest = hashlib.sha256(f"{token}|{registry.min_cell()}".encode()).hexdigest()[:16]
    key = f"opendata:summary:{dataset.slug}:{digest}:{timezone.localdate()}"
    found = cache.get(key)
    if found is None:
        found = _count(dataset)
        cache.set(key, found, SUMMARY_SECONDS)
    return Summary(*found)


def datasets_with_summaries() -> list[tuple[Dataset, Summary]]:
    return [(d, summary(d)) for d in registry.all_datasets()]


def _months_back(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def _per_service_chart(results, chart_id, title, unit, axis, value):
    labels = [insights.month_label(m.month) for m in results[0].months] if results else []
    chart = insights.Chart(chart_id, title, "line", unit, labels, axis_label=axis)
    for k in results:
        chart.add(k.name, [value(m) for m in k.months])
    return chart


def transparency() -> dict:
    """The last twelve months, every service: headline numbers, a table per
    service and charts, each chart with the same figures in a table."""
    today = timezone.localdate()
    start = _months_back(today, HEADLINE_MONTHS)
    results = insights.kpis_for_open_data(start, today)
    completed = sum(k.completed for k in results)
    online = sum(k.online_completed for k in results)
    everywhere = sum(k.all_completed for k in results)
    surveys = sum(k.counts["surveys"] for k in results)
    satisfaction_sum = sum(k.counts["satisfaction_sum"] for k in results)
    charts = [
        insights.volume_chart(results, None, "volume"),
        insights.take_up_chart(results, "take-up"),
        _per_service_chart(
            results,
            "cost",
            _("Cost per transaction per month, by service"),
            "money",
            _("Dollars"),
            lambda m: m.cost_per_transaction_cents,
        ),
        _per_service_chart(
            results,
            "satisfaction",
            _("Satisfaction per month, by service (1 to 5)"),
            "score",
            _("Mean answer"),
            lambda m: m.satisfaction,
        ),
        insights.savings_chart(results, "savings"),
    ]
    return {
        "start": start,
        "end": today,
        "results": results,
        "completed": completed,
        "take_up": (online / everywhere) if everywhere else None,
        "satisfaction": (satisfaction_sum / surveys) if surveys else None,
        "hard_savings": sum(insights.cents(k.savings.hard) for k in results),
        "charts": charts,
        "has_figures": completed > 0,
    }
