"""The open datasets: what each one is (for the catalogue and its data
dictionary) and how its rows are read. Sources are the other apps' selectors
only (DESIGN.md: reporting apps read via selectors)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LICENCE = "https://creativecommons.org/publicdomain/zero/1.0/"
MONTHLY, DAILY = "R/P1M", "R/P1D"
FREQUENCY_LABELS = {MONTHLY: _("Monthly"), DAILY: _("Daily (as permits change)")}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string, integer, number, date, month (YYYY-MM), url
    meaning: Promise | str


@dataclass(frozen=True)
class Query:
    """What a download asks for: the days (inclusive, on the dataset's date
    column), exact values of some columns, and the key of the last row already
    sent (keyset pagination)."""

    start: date
    end: date
    filters: dict[str, str] = field(default_factory=dict)
    after: tuple | None = None


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Promise | str
    description: Promise | str
    keywords: tuple[str, ...]
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns rows are ordered by (unique per row): the cursor
    date_column: str  # start/end filter on it
    filterable: tuple[str, ...]
    rows: Callable[[Query], Iterator[tuple]]  # tuples in column order, in key order
    version: Callable[[], tuple[datetime | None, str]]  # (last change, cheap token)
    default_months: int = 24  # the range when a download gives none
    periodicity: str = MONTHLY
    suppressed: bool = False  # small-count suppression applies (suppression.py)
    theme: str = "Government"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def key_positions(self) -> tuple[int, ...]:
        names = self.column_names
        return tuple(names.index(k) for k in self.key)

    def type_of(self, name: str) -> str:
        return next(c.type for c in self.columns if c.name == name)


_static: dict[str, Dataset] = {}
_dynamic: list[Callable[[], list[Dataset]]] = []


def register(dataset: Dataset) -> Dataset:
    _static[dataset.slug] = dataset
    return dataset


def register_source(source: Callable[[], list[Dataset]]) -> None:
    """Datasets that come and go with data (the formbuilder services marked public)."""
    _dynamic.append(source)


def all_datasets() -> list[Dataset]:
    _load()
    found = dict(_static)
    for source in _dynamic:
        for dataset in source():
            found.setdefault(dataset.slug, dataset)
    return list(found.values())


def get(slug: str) -> Dataset:
    """The dataset, or LookupError."""
    for dataset in all_datasets():
        if dataset.slug == slug:
            return dataset
    raise LookupError(slug)


def min_cell() -> int:
    return max(1, int(getattr(settings, "CITYHALL_OPEN_DATA_MIN_CELL", 5)))


def _load() -> None:
    from . import datasets  # noqa: F401  (registers on import)
