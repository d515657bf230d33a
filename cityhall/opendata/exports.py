"""Downloads: reading a download's query string, the CSV stream, the JSON pages
with an opaque keyset cursor, and the validators (ETag, Last-Modified).
docs/opendata.md describes the parameters."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from datetime import date
from itertools import islice

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityhall.core.replicas import on_replica, replica_reads

from . import registry
from .registry import Dataset, Query

RESERVED = ("start", "end", "cursor", "limit")
JSON_PAGE, JSON_MAX_PAGE = 1000, 10000
CSV_CHUNK = 2000  # rows per piece sent (and per fetch from the database)
MAX_YEARS = 20


class BadQuery(ValueError):
    """A download's query string that cannot be answered: the message says why."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


def _day(params, name: str) -> date | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 else _bad_day(name, text)
    except ValueError:
        return _bad_day(name, text)


def _bad_day(name: str, text: str):
    raise BadQuery(
        _("%(name)s must be a date as YYYY-MM-DD, like 2026-01-31 (got “%(text)s”).")
        % {"name": name, "text": text[:40]},
        name,
    )


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def encode_cursor(key: tuple) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(dataset: Dataset, text: str) -> tuple:
    types = [dataset.type_of(name) for name in dataset.key]
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        values = None
    ok = (
        isinstance(values, list)
        and len(values) == len(types)
        and all(
            isinstance(v, int) and not isinstance(v, bool) if t == "integer" else isinstance(v, str)
            for v, t in zip(values, types, strict=False)
        )
    )
    if not ok:
        raise BadQuery(
            _("The cursor is not one this dataset gave: start again without a cursor."), "cursor"
        )
    return tuple(values)


def parse_query(dataset: Dataset, params, *, paged: bool) -> tuple[Query, int]:
    """(the Query, the JSON page size) from a query string, or BadQuery."""
    allowed = set(RESERVED if paged else RESERVED[:2]) | set(dataset.filterable)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise BadQuery(
            _("Unknown field “%(name)s”. You can filter on: %(fields)s.")
            % {
                "name": unknown[0][:60],
                "fields": ", ".join([*RESERVED[:2], *dataset.filterable]),
            },
            unknown[0][:60],
        )
    today = timezone.localdate()
    end = _day(params, "end") or today
    start = _day(params, "start") or _months_back(end, dataset.default_months - 1)
    if start > end:
        raise BadQuery(_("start must be on or before end."), "start")
    if (end - start).days > MAX_YEARS * 366:
        raise BadQuery(
            _("Ask for at most %(years)d years at a time.") % {"years": MAX_YEARS}, "start"
        )
    filters = {}
    for name in dataset.filterable:
        if name in params:
            value = params.get(name).strip()
            if dataset.type_of(name) == "integer" and not value.isdigit():
                raise BadQuery(_("%(name)s must be a whole number.") % {"name": name}, name)
            filters[name] = value
    after = None
    if paged and params.get("cursor"):
        after = decode_cursor(dataset, params.get("cursor"))
    limit = JSON_PAGE
    if paged and params.get("limit"):
        text = params.get("limit").strip()
        if not text.isdigit() or not 1 <= int(text) <= JSON_MAX_PAGE:
            raise BadQuery(
                _("limit must be a whole number from 1 to %(max)d.") % {"max": JSON_MAX_PAGE},
                "limit",
            )
        limit = int(text)
    return Query(start=start, end=end, filters=filters, after=after), limit


def validators(dataset: Dataset, kind: str, params) -> tuple[str, object]:
    """(ETag, last change) of one download: the source data's cheap version, the
    query, the threshold and the language (titles are translated)."""
    changed, token = dataset.version()
    query = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    parts = [dataset.slug, kind, query, token, str(registry.min_cell())]
    parts.append(translation.get_language() or settings.LANGUAGE_CODE)
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f'"{digest}"', changed


class _Buffer(io.StringIO):
    def take(self) -> str:
        text = self.getvalue()
        self.seek(0)
        self.truncate()
        return text


def csv_chunks(dataset: Dataset, query: Query):
    """The CSV, a few thousand rows at a time: memory stays flat whatever the count.
    Read from a replica when the city has one (core/replicas.py): the rows are
    read while the response streams, after the view has returned, so the
    generator itself holds the replica block."""
    with replica_reads():
        yield from _csv_chunks(dataset, query)


def _csv_chunks(dataset: Dataset, query: Query):
    buffer = _Buffer()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(dataset.column_names)
    yield buffer.take()
    rows = iter(dataset.rows(query))
    while True:
        chunk = list(islice(rows, CSV_CHUNK))
        if not chunk:
            return
        writer.writerows(map(_spreadsheet_safe, chunk))
        yield buffer.take()


_FORMULA_STARTS = frozenset("=+-@\t\r")


def _spreadsheet_safe(row):
    """A text cell a spreadsheet would run as a formula (a contractor named
    "=HYPERLINK(...)") starts with an apostrophe, as OWASP advises for CSV; numbers,
    and text that is a negative number, are left alone."""
    if not any(type(v) is str and v and v[0] in _FORMULA_STARTS for v in row):
        return row
    return [
        "'" + v if type(v) is str and v and v[0] in _FORMULA_STARTS and not _is_number(v) else v
        for v in row
    ]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _typed(value, kind: str):
    if kind in ("integer", "number"):
        if value == "" or value is None:
            return None
        if kind == "integer":
            return int(value)
        return float(value)
    return value


@on_replica
def json_page(dataset: Dataset, query: Query, limit: int) -> tuple[list[dict], tuple | None]:
    """One page of rows as objects, and the key to continue after (None at the end)."""
    names = dataset.column_names
    kinds = [dataset.type_of(n) for n in names]
    rows = iter(dataset.rows(query))
    try:
        page = list(islice(rows, limit + 1))
    finally:
        close = getattr(rows, "close", None)
        if close:
            close()  # ends the database cursor of a large dataset early
    more = len(page) > limit
    page = page[:limit]
    positions = dataset.key_positions()
    after = tuple(page[-1][i] for i in positions) if more and page else None
    records = [{n: _typed(v, k) for n, v, k in zip(names, row, kinds, strict=True)} for row in page]
    return records, after
