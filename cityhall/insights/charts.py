"""Charts for the dashboards and the council report: one description, drawn by
Chart.js on the page (with the same numbers in a table beside it) and by
reportlab in the PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils import formats

from cityhall.core.money import format_cents

COLOURS = ["#005ea2", "#b50909", "#008817", "#c05600", "#4c3d9b", "#936f38", "#1a4480"]


def month_label(month) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def show(value, unit: str) -> str:
    """A figure as people read it: 12,345 · 45.0% · $1,234.56 · 30 h · 4.20."""
    if value is None:
        return "—"
    if isinstance(value, Fraction):  # display only: the figure itself stays exact
        value = Decimal(value.numerator) / Decimal(value.denominator)
    if unit == "pct":
        return f"{Decimal(value) * 100:.1f}%"
    if unit == "money":
        return format_cents(int(value))
    if unit == "hours":
        return f"{int(value)} h"
    if unit == "score":
        return f"{Decimal(value):.2f}"
    return f"{int(value):,}"


def plot_value(value, unit: str):
    """The number Chart.js and reportlab draw (dollars, percent points)."""
    if value is None:
        return None
    if unit == "pct":
        return round(float(value) * 100, 2)
    if unit == "money":
        return round(int(value) / 100, 2)
    return float(value)


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # "bar" or "line"
    unit: str  # "count", "pct", "money", "hours", "score"
    labels: list[str]
    series: list[tuple[str, list]] = field(default_factory=list)
    stacked: bool = False
    axis_label: str = ""

    def add(self, label: str, values: list) -> Chart:
        self.series.append((str(label), list(values)))
        return self

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"

    @property
    def empty(self) -> bool:
        return not self.labels or all(v is None for _l, vs in self.series for v in vs)

    def config(self) -> dict:
        """The Chart.js data (charts.js adds the options)."""
        return {
            "type": self.kind,
            "stacked": self.stacked,
            "unit": self.unit,
            "axis": str(self.axis_label),
            "labels": self.labels,
            "datasets": [
                {
                    "label": label,
                    "data": [plot_value(v, self.unit) for v in values],
                    "backgroundColor": COLOURS[i % len(COLOURS)],
                    "borderColor": COLOURS[i % len(COLOURS)],
                }
                for i, (label, values) in enumerate(self.series)
            ],
        }

    def table(self) -> dict:
        """The same numbers as rows: one per label, one column per series."""
        return {
            "headers": [label for label, _v in self.series],
            "rows": [
                (label, [show(values[i], self.unit) for _s, values in self.series])
                for i, label in enumerate(self.labels)
            ],
        }
