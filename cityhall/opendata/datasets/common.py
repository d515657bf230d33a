"""Helpers the dataset modules share: months, money and the key filter."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_between(start: date, end: date) -> list[date]:
    months, month = [], month_of(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def last_day_of(month: date) -> date:
    return next_month(month) - timedelta(days=1)


def month_text(month: date) -> str:
    return month.isoformat()[:7]


def dollars(cents) -> str:
    """Open data readers want dollars: cents as a decimal string with two places."""
    if cents is None:
        return ""
    return f"{Decimal(int(cents)) / 100:.2f}"


def decimal_text(value) -> str:
    return "" if value is None else str(value)


def local_day(moment) -> date:
    return timezone.localtime(moment).date()


def after_key(rows, key_positions, after):
    """Rows past the cursor (rows already in key order): keyset, never an offset."""
    for row in rows:
        if after is None or tuple(row[i] for i in key_positions) > after:
            yield row


def matches(row: tuple, names: tuple[str, ...], filters: dict[str, str]) -> bool:
    return all(str(row[names.index(name)]) == value for name, value in filters.items())


def in_key_order(rows: list[tuple], names: tuple[str, ...], key_size: int, query):
    """The rows of a small aggregated dataset as a download wants them: sorted by
    their key (the first key_size columns), filtered, after the query's cursor."""
    rows = sorted(rows, key=lambda r: r[:key_size])
    kept = [r for r in rows if matches(r, names, query.filters)]
    return after_key(kept, tuple(range(key_size)), query.after)
