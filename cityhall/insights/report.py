"""The council report: the KPIs for a period as a PDF, with charts drawn by
reportlab.graphics and each chart's numbers in a table under it."""

from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab import platypus
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch

from cityhall.core.city import city_name

from .charts import COLOURS, Chart, plot_value, show
from .figures import cents
from .selectors import overview

PAGE = landscape(LETTER)
STYLES = getSampleStyleSheet()
SMALL = STYLES["BodyText"].clone("small", fontSize=8, leading=10)
HEADER = STYLES["BodyText"].clone("header", fontName="Helvetica-Bold", fontSize=7, leading=8.5)
GRID = platypus.TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe1e2")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#a9aeb1")),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _p(text, style=None):
    return platypus.Paragraph(escape(str(text)), style or STYLES["BodyText"])


def _table(header, rows, widths=None):
    data = [[_p(h, HEADER) for h in header]]
    data += [[c if isinstance(c, platypus.Flowable) else str(c) for c in row] for row in rows]
    table = platypus.Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(GRID)
    return table


def draw_chart(chart: Chart, width: float = 9.5 * inch, height: float = 2.6 * inch) -> Drawing:
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, chart.title, fontName="Helvetica-Bold", fontSize=10))
    # Series with no figure at all are left out (the table shows their dashes);
    # a line needs two points, so a series with only one is drawn as bars.
    series = [
        (label, [plot_value(v, chart.unit) for v in values])
        for label, values in chart.series
        if any(v is not None for v in values)
    ]
    kind = chart.kind
    if kind == "line" and any(sum(v is not None for v in vs) < 2 for _l, vs in series):
        kind = "bar"
    blank = 0 if kind == "bar" else None  # lines leave a gap, never a false zero
    data = [tuple(blank if v is None else v for v in values) for _label, values in series]
    plot = VerticalBarChart() if kind == "bar" else HorizontalLineChart()
    plot.x, plot.y = 50, 45
    plot.width, plot.height = width - 200, height - 80
    plot.data = data or [(0,)]
    plot.categoryAxis.categoryNames = chart.labels or [""]
    plot.categoryAxis.labels.angle = 45 if len(chart.labels) > 8 else 0
    plot.categoryAxis.labels.boxAnchor = "ne" if len(chart.labels) > 8 else "n"
    plot.categoryAxis.labels.fontSize = 6
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.forceZero = True
    if kind == "bar":
        plot.categoryAxis.style = "stacked" if chart.stacked else "parallel"
        for i in range(len(data)):
            plot.bars[i].fillColor = colors.HexColor(_colour(i))
            plot.bars[i].strokeColor = None
    else:
        for i in range(len(data)):
            plot.lines[i].strokeColor = colors.HexColor(_colour(i))
            plot.lines[i].strokeWidth = 1.5
    drawing.add(plot)
    legend = Legend()
    legend.x, legend.y = width - 140, height - 30
    legend.fontSize = 7
    legend.alignment = "right"
    legend.columnMaximum = 8
    legend.colorNamePairs = [
        (colors.HexColor(_colour(i)), label[:28]) for i, (label, _v) in enumerate(series)
    ]
    drawing.add(legend)
    return drawing


def _colour(i: int) -> str:
    return COLOURS[i % len(COLOURS)]


def _chart_table(chart: Chart):
    table = chart.table()
    return _table(
        [_("Month"), *table["headers"]], [[label, *cells] for label, cells in table["rows"]]
    )


def _summary_rows(results):
    for k in results:
        yield [
            platypus.Paragraph(escape(k.name), SMALL),
            show(k.completed, "count"),
            show(k.completion_rate, "pct"),
            show(k.digital_take_up, "pct"),
            show(k.median_hours, "hours"),
            show(k.within_target_share, "pct"),
            show(k.cost_per_transaction_cents, "money"),
            show(k.satisfaction, "score"),
            show(cents(k.savings.hard), "money"),
            show(cents(k.savings.soft), "money"),
            show(k.roi, "pct"),
            "—" if k.payback_months is None else str(k.payback_months),
        ]


def build_story(start: date, end: date, language: str, *, store=None) -> list:
    data = overview(start, end, store=store)
    results = data["results"]
    story = [
        _p(
            _("%(city)s: digital services, performance and value") % {"city": city_name(language)},
            STYLES["Title"],
        ),
        _p(
            _("Council report for %(start)s to %(end)s. Prepared %(today)s.")
            % {
                "start": formats.date_format(start, "DATE_FORMAT"),
                "end": formats.date_format(end, "DATE_FORMAT"),
                "today": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
            }
        ),
        _p(
            _(
                "Hard savings are cash the city no longer spends (materials, fees, and staff time "
                "only where it was redeployed), less the digital services' running costs. Soft "
                "savings are residents' time and travel and staff time not redeployed. The two "
                "are never added together. Definitions: docs/insights.md."
            ),
            SMALL,
        ),
        _p(
            _("Hard savings in the period: %(hard)s. Soft savings in the period: %(soft)s.")
            % {"hard": show(data["hard_total"], "money"), "soft": show(data["soft_total"], "money")}
        ),
        platypus.Spacer(1, 8),
        _table(
            [
                _("Service"),
                _("Completed"),
                _("Completion rate"),
                _("Digital take-up"),
                _("Median time to decision"),
                _("Decided within target"),
                _("Cost per transaction"),
                _("Satisfaction"),
                _("Hard savings"),
                _("Soft savings"),
                _("ROI to date"),
                _("Payback month"),
            ],
            list(_summary_rows(results)),
            widths=[1.5 * inch] + [0.75 * inch] * 11,
        ),
    ]
    for chart in data["charts"]:
        story += [
            platypus.Spacer(1, 14),
            platypus.KeepTogether([draw_chart(chart), platypus.Spacer(1, 6), _chart_table(chart)]),
        ]
    story += [platypus.PageBreak(), _p(_("Pilots"), STYLES["Heading2"])]
    pilot_rows = []
    for result in data["pilots"]:
        targets = "; ".join(f"{c.label}: {c.actual} ({c.target})" for c in result.checks)
        pilot_rows.append(
            [
                platypus.Paragraph(
                    escape(result.kpis.name if result.kpis else result.pilot.service), SMALL
                ),
                "{} – {}".format(
                    formats.date_format(result.pilot.starts_on, "SHORT_DATE_FORMAT"),
                    formats.date_format(result.pilot.ends_on, "SHORT_DATE_FORMAT"),
                ),
                platypus.Paragraph(escape(targets or "—"), SMALL),
                str(result.verdict_label)
                + (f" ({_('provisional')})" if result.provisional else ""),
            ]
        )
    if pilot_rows:
        story.append(
            _table(
                [_("Service"), _("Dates"), _("Targets: actual (target)"), _("Verdict")],
                pilot_rows,
                widths=[1.6 * inch, 1.8 * inch, 4.6 * inch, 1.5 * inch],
            )
        )
    else:
        story.append(_p(_("No pilots recorded.")))
    return story


def render_council_report(start: date, end: date, language: str = "en", *, store=None) -> bytes:
    with translation.override(language):
        buffer = io.BytesIO()
        document = platypus.SimpleDocTemplate(
            buffer,
            pagesize=PAGE,
            leftMargin=0.5 * inch,
            rightMargin=0.5 * inch,
            topMargin=0.5 * inch,
            bottomMargin=0.5 * inch,
            title=_("Council report"),
            lang=language,
        )
        document.build(build_story(start, end, language, store=store))
        return buffer.getvalue()
