"""Issued documents as PDF: one seam, `render_pdf(spec) -> bytes`, on reportlab platypus.

The content is plain data (`DocumentSpec`), stored with the document so the
same content can be shown again as accessible HTML. Everything that does not
depend on the document (styles, table styles, fonts) is built once at import:
a one-page document then takes a few milliseconds.

Text is escaped for reportlab's paragraph markup, so what a resident typed
(`<`, `&`, emoji) is printed as typed. The built-in Helvetica covers Western
European text (é ñ ü € “ ”); other characters (ł, ễ, Cyrillic, Greek) use
DejaVu Sans when the machine has it (Debian's fonts-dejavu-core), embedded
only in documents that need it; a character neither font has prints as a box,
it never stops the document.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab import platypus, rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from .spec import DocumentSpec, Section, Signature, Table, numeric_columns

__all__ = ["DocumentSpec", "Section", "Signature", "Table", "render_pdf"]

# Binary streams: smaller files and less work than ASCII85 (reportlab's default,
# from the days of 7-bit mail). Nothing else in CityHall writes PDFs with reportlab.
rl_config.useA85 = 0

# ---- fonts and text --------------------------------------------------------

REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
_FALLBACK_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)


def _register_fallback_fonts() -> dict[bool, str]:
    """{bold?: font name} for characters Helvetica lacks; empty when DejaVu Sans is missing."""
    for folder in _FALLBACK_CANDIDATES:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            try:
                pdfmetrics.registerFont(TTFont("CityHallFallback", str(regular)))
                pdfmetrics.registerFont(TTFont("CityHallFallback-Bold", str(bold)))
            except (TTFError, OSError):
                continue
            return {False: "CityHallFallback", True: "CityHallFallback-Bold"}
    return {}


_FALLBACK = _register_fallback_fonts()
# Helvetica is set in WinAnsi (cp1252): every character it can print.
_HELVETICA_CHARS = "".join(
    sorted(set(bytes(range(0x20, 0x100)).decode("cp1252", "ignore")) - {"\x7f"})
)
_OUTSIDE_HELVETICA = re.compile("[^\n" + re.escape(_HELVETICA_CHARS) + "]+")
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff]")


def _markup(text, *, bold: bool = False) -> str:
    """Paragraph markup for plain text: escaped, line breaks kept, fallback font where needed."""
    text = _UNPRINTABLE.sub(
        "", str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    )
    text = escape(text)
    if _FALLBACK:
        font = _FALLBACK[bold]
        text = _OUTSIDE_HELVETICA.sub(lambda m: f'<font name="{font}">{m.group()}</font>', text)
    return text.replace("\n", "<br/>")


def _one_line(text, style: ParagraphStyle, width: float) -> str | None:
    """The text as one line of Helvetica that fits `width`, or None when it
    needs a Paragraph (too long, a line break, a character only the fallback
    font has)."""
    plain = _UNPRINTABLE.sub("", str(text).replace("\t", " ")).strip()
    if "\n" in plain or "\r" in plain or _OUTSIDE_HELVETICA.search(plain):
        return None
    return plain if stringWidth(plain, style.fontName, style.fontSize) <= width else None


class _Line(platypus.Flowable):
    """Text in a paragraph style, drawn as one string when it fits the width.

    A reportlab Paragraph parses its markup, breaks lines and draws fragment by
    fragment: a third of a one-page document's time for headings, names and
    dates that are one short line each. This draws such a line directly, where
    a Paragraph would put it (first baseline one font size below the top); text
    that is too long, spans lines or needs the fallback font is handed to a
    Paragraph, so it looks and wraps as before.
    """

    def __init__(self, text, style: ParagraphStyle, *, bold: bool = False):
        super().__init__()
        self.text, self.style, self.bold = str(text), style, bold
        self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter
        self._plain: str | None = None
        self._paragraph = None

    def _as_paragraph(self) -> platypus.Paragraph:
        if self._paragraph is None:
            self._paragraph = platypus.Paragraph(_markup(self.text, bold=self.bold), self.style)
        return self._paragraph

    def wrap(self, available_width, available_height):
        self._plain = _one_line(self.text, self.style, available_width)
        if self._plain is not None:
            self._paragraph = None
            self.width, self.height = available_width, self.style.leading
            return self.width, self.height
        return self._as_paragraph().wrap(available_width, available_height)

    def split(self, available_width, available_height):
        if _one_line(self.text, self.style, available_width) is not None:
            return []  # one line: it moves to the next frame whole
        return self._as_paragraph().split(available_width, available_height)

    def draw(self):
        if self._paragraph is not None:
            self._paragraph.drawOn(self.canv, 0, 0)
            return
        _draw_string(self.canv, self._plain, self.style, 0, self.height, self.width)


def _draw_string(canvas, text: str, style: ParagraphStyle, x: float, top: float, width: float):
    """One line of plain text whose box starts at `top`, as a Paragraph would set it."""
    canvas.setFont(style.fontName, style.fontSize)
    canvas.setFillColor(style.textColor)
    baseline = top - style.fontSize
    if style.alignment == TA_RIGHT:
        canvas.drawRightString(x + width, baseline, text)
    else:
        canvas.drawString(x, baseline, text)


# ---- layout ----------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN = 0.75 * inch
TOP_MARGIN = 0.6 * inch
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
QR_SIZE = 78  # points, quiet zone included: about 1.1 inch, easy for a phone
VERIFY_WIDTH = 190

INK = colors.HexColor("#1b1b1b")
ACCENT = colors.HexColor("#162e51")  # USWDS primary-darker, as on the website
MUTED = colors.HexColor("#565c65")
RULE = colors.HexColor("#a9aeb1")
SHADE = colors.HexColor("#eff0f1")

BODY = ParagraphStyle(
    "body", fontName=REGULAR, fontSize=10, leading=13.5, textColor=INK, spaceAfter=6
)
CITY = ParagraphStyle("city", fontName=BOLD, fontSize=17, leading=21, textColor=ACCENT)
VERIFY = ParagraphStyle(
    "verify", fontName=REGULAR, fontSize=7.5, leading=9.5, textColor=MUTED, alignment=TA_RIGHT
)
TITLE = ParagraphStyle(
    "title", fontName=BOLD, fontSize=18, leading=22, textColor=INK, spaceBefore=12, spaceAfter=6
)
H2 = ParagraphStyle(
    "h2",
    fontName=BOLD,
    fontSize=12,
    leading=15,
    textColor=ACCENT,
    spaceBefore=12,
    spaceAfter=5,
)
# A heading goes to the next page when less than this is left below it (a
# heading with a few lines under it); keepWithNext would instead carry a long
# table whole to the next page and leave a gap.
HEADING_ROOM = 80
CELL = ParagraphStyle("cell", fontName=REGULAR, fontSize=9.5, leading=12, textColor=INK)
CELL_BOLD = ParagraphStyle("cell-bold", parent=CELL, fontName=BOLD)
CELL_RIGHT = ParagraphStyle("cell-right", parent=CELL, alignment=TA_RIGHT)
CELL_BOLD_RIGHT = ParagraphStyle("cell-bold-right", parent=CELL_BOLD, alignment=TA_RIGHT)
LABEL = ParagraphStyle("label", parent=CELL, fontName=BOLD, textColor=MUTED)
SIGN_NAME = ParagraphStyle("sign-name", parent=BODY, fontName=BOLD, spaceAfter=0)
SIGN_LINE = ParagraphStyle("sign-line", parent=BODY, spaceAfter=0)
FURNITURE = ParagraphStyle("furniture", fontName=REGULAR, fontSize=7.5, leading=9, textColor=MUTED)
FURNITURE_RIGHT = ParagraphStyle("furniture-right", parent=FURNITURE, alignment=TA_RIGHT)

_NO_PADDING = [
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 0),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
]
LETTERHEAD_STYLE = platypus.TableStyle(
    [
        *_NO_PADDING,
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("RIGHTPADDING", (1, 0), (1, 0), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LINEBELOW", (0, 0), (-1, 0), 1.5, ACCENT),
    ]
)
META_STYLE = platypus.TableStyle(
    [
        *_NO_PADDING,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        # Fonts for cells given as plain strings (see _cell); Paragraphs bring their own.
        ("FONT", (0, 0), (0, -1), BOLD, LABEL.fontSize, LABEL.leading),
        ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
        ("FONT", (1, 0), (1, -1), REGULAR, CELL.fontSize, CELL.leading),
        ("TEXTCOLOR", (1, 0), (1, -1), INK),
    ]
)
FACTS_PADDING = 8
ITEMS_PADDING = 5
FACTS_STYLE = platypus.TableStyle(
    [
        # Fonts for cells given as plain strings (see _cell); Paragraphs bring their own.
        ("FONT", (0, 0), (0, -1), BOLD, LABEL.fontSize, LABEL.leading),
        ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
        ("FONT", (1, 0), (1, -1), REGULAR, CELL.fontSize, CELL.leading),
        ("TEXTCOLOR", (1, 0), (1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), FACTS_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
    ]
)
ITEMS_STYLE = [
    ("FONT", (0, 0), (-1, -1), REGULAR, CELL.fontSize, CELL.leading),
    ("FONT", (0, 0), (-1, 0), BOLD, CELL.fontSize, CELL.leading),
    ("TEXTCOLOR", (0, 0), (-1, -1), INK),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), ITEMS_PADDING),
    ("RIGHTPADDING", (0, 0), (-1, -1), ITEMS_PADDING),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
    ("LINEBELOW", (0, 0), (-1, 0), 1, INK),
    ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE),
]


QR_MASK = 6


class _QrCode(platypus.Flowable):
    """The verification URL as a QR code, with the standard quiet zone of four modules.

    Encoded with segno (as the website's QR codes are; reportlab's own encoder
    takes about three times as long) and drawn as one path of integer
    rectangles in module units, instead of one rectangle call per module.
    """

    def __init__(self, data: str, size: float):
        super().__init__()
        self.matrix = segno.make(
            data, error="m", micro=False, boost_error=False, mask=QR_MASK
        ).matrix
        self.size = size

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        # One module is one unit: the path is integers, written as one literal.
        unit = self.size / (len(self.matrix) + 8)
        ops = []
        for y, row in enumerate(self.matrix):
            x, width = 0, len(row)
            while x < width:
                if row[x]:
                    start = x
                    while x < width and row[x]:
                        x += 1
                    ops.append(f"{start} {-y - 1} {x - start} 1 re")
                else:
                    x += 1
        canvas = self.canv
        canvas.saveState()
        canvas.transform(unit, 0, 0, unit, 4 * unit, self.size - 4 * unit)
        canvas.setFillColor(colors.black)
        canvas.addLiteral("\n".join(ops) + "\nf")
        canvas.restoreState()


@dataclass(frozen=True)
class _Labels:
    reference: str
    issued: str
    issued_text: str
    verify: str  # "Verify at %(url)s — code %(code)s", translated
    page: str  # "Page %(page)s of %(pages)s", filled in once the page count is known


def _labels(spec: DocumentSpec) -> _Labels:
    issued = timezone.localtime(spec.issued_at, timezone.get_default_timezone())
    return _Labels(
        reference=_("Reference"),
        issued=_("Issued"),
        issued_text=f"{formats.date_format(issued, 'DATETIME_FORMAT')} {issued.tzname()}",
        verify=_("Verify at %(url)s — code %(code)s"),
        page=_("Page %(page)s of %(pages)s"),
    )


def _verify_markup(spec: DocumentSpec, labels: _Labels) -> str:
    # A no-break space keeps "— code" together when the line breaks after the URL.
    template = _markup(labels.verify).replace("— ", "—\u00a0")
    code = f"<b>{_markup(spec.verification_code, bold=True)}</b>"
    return template % {"url": _markup(spec.verification_url), "code": code}


def _letterhead(spec: DocumentSpec, labels: _Labels) -> platypus.Table:
    verify = platypus.Paragraph(_verify_markup(spec, labels), VERIFY)
    cells = [
        [
            _Line(spec.city_name, CITY, bold=True),
            verify,
            _QrCode(spec.verification_url, QR_SIZE),
        ]
    ]
    widths = [FRAME_WIDTH - VERIFY_WIDTH - QR_SIZE, VERIFY_WIDTH, QR_SIZE]
    return platypus.Table(cells, colWidths=widths, style=LETTERHEAD_STYLE)


def _meta(spec: DocumentSpec, labels: _Labels) -> platypus.Table:
    widths = [FRAME_WIDTH * 0.2, FRAME_WIDTH * 0.8]
    rows = [
        [_cell(labels.reference, LABEL, widths[0]), _cell(spec.reference, CELL, widths[1])],
        [_cell(labels.issued, LABEL, widths[0]), _cell(labels.issued_text, CELL, widths[1])],
    ]
    return platypus.Table(rows, colWidths=widths, style=META_STYLE, hAlign="LEFT")


def _cell(text: str, style: ParagraphStyle, room: float):
    """A plain string when the text fits on one line in Helvetica, else a wrapping Paragraph.

    Plain strings are drawn directly, several times faster than a Paragraph is
    parsed, wrapped and drawn; the table style gives them the same font.
    """
    plain = _one_line(text, style, room)
    if plain is not None:
        return plain
    return platypus.Paragraph(_markup(text, bold=style.fontName == BOLD), style)


def _facts(facts) -> platypus.Table:
    widths = [FRAME_WIDTH * 0.32, FRAME_WIDTH * 0.68]
    rows = [
        [
            _cell(label, LABEL, widths[0] - FACTS_PADDING),
            _cell(value, CELL, widths[1] - FACTS_PADDING),
        ]
        for label, value in facts
    ]
    return platypus.Table(rows, colWidths=widths, style=FACTS_STYLE, splitInRow=1, hAlign="LEFT")


def _column_widths(table: Table) -> list[float]:
    """Column widths from the printed text, as a browser lays out a table.

    Each column gets at least its longest word (so no word, header or amount
    is ever broken inside: "Descripción", "$1,250.00"), measured in the font
    it is printed in; the room left goes to the columns whose text would
    otherwise wrap, in proportion to what they lack, each up to its longest
    line. Only when the longest words alone are wider than the page are the
    columns narrowed below them, in proportion.
    """
    bold_rows = [table.columns, *([table.total_row] if table.total_row else [])]
    lines = [(row, True) for row in bold_rows] + [(row, False) for row in table.rows]
    padding, size = 2 * ITEMS_PADDING, CELL.fontSize
    least, most = [], []
    for index in range(len(table.columns)):
        word = line = 0.0
        for row, bold in lines:
            font = BOLD if bold else REGULAR
            text = str(row[index])
            word = max(word, *(stringWidth(w, font, size) for w in text.split()), 0.0)
            line = max(line, stringWidth(text, font, size))
        least.append(word + padding + 1)  # 1 point of slack against rounding
        most.append(max(line + padding + 1, least[-1]))
    if sum(least) >= FRAME_WIDTH:
        return [FRAME_WIDTH * w / sum(least) for w in least]
    if sum(most) <= FRAME_WIDTH:
        # Everything fits on one line: the spare room goes to the widest columns.
        spare = FRAME_WIDTH - sum(most)
        return [w + spare * w / sum(most) for w in most]
    wanting = [m - w for m, w in zip(most, least, strict=True)]
    spare = FRAME_WIDTH - sum(least)
    return [w + spare * want / sum(wanting) for w, want in zip(least, wanting, strict=True)]


def _items(table: Table) -> platypus.Table:
    numeric = numeric_columns(table)

    widths = _column_widths(table)

    def row(cells, bold):
        return [
            _cell(
                cell,
                (CELL_BOLD_RIGHT if right else CELL_BOLD)
                if bold
                else (CELL_RIGHT if right else CELL),
                width - 2 * ITEMS_PADDING,
            )
            for cell, right, width in zip(cells, numeric, widths, strict=True)
        ]

    data = [row(table.columns, True), *(row(r, False) for r in table.rows)]
    style = [
        *ITEMS_STYLE,
        *(("ALIGN", (i, 0), (i, -1), "RIGHT") for i, right in enumerate(numeric) if right),
    ]
    if table.total_row:
        data.append(row(table.total_row, True))
        style += [
            ("LINEABOVE", (0, -1), (-1, -1), 1, INK),
            ("FONT", (0, -1), (-1, -1), BOLD, CELL.fontSize, CELL.leading),
        ]
    return platypus.Table(
        data, colWidths=widths, style=style, repeatRows=1, splitInRow=1, hAlign="LEFT"
    )


def _signature(signature: Signature) -> platypus.KeepTogether:
    parts = [
        platypus.Spacer(1, 14),
        platypus.HRFlowable(width=200, thickness=0.75, color=INK, hAlign="LEFT", spaceAfter=4),
        _Line(signature.name, SIGN_NAME, bold=True),
    ]
    if signature.role:
        parts.append(_Line(signature.role, SIGN_LINE))
    if signature.date_text:
        parts.append(_Line(signature.date_text, SIGN_LINE))
    return platypus.KeepTogether(parts)


def _story(spec: DocumentSpec, labels: _Labels) -> list:
    story = [
        _letterhead(spec, labels),
        _Line(spec.title, TITLE, bold=True),
        _meta(spec, labels),
    ]
    for section in spec.sections:
        story.append(platypus.CondPageBreak(HEADING_ROOM))
        story.append(_Line(section.heading, H2, bold=True))
        story.extend(_Line(text, BODY) for text in section.paragraphs)
        if section.facts:
            story.append(_facts(section.facts))
        if section.table is not None:
            if section.facts:
                story.append(platypus.Spacer(1, 10))
            story.append(_items(section.table))
    if spec.signature is not None:
        story.append(_signature(spec.signature))
    return story


# ---- page furniture: running header, footer, "Page X of Y" -----------------


def _draw_text(
    canvas: Canvas, markup: str, style: ParagraphStyle, x: float, y: float, width: float
) -> None:
    paragraph = platypus.Paragraph(markup, style)
    _, height = paragraph.wrapOn(canvas, width, 100)
    paragraph.drawOn(canvas, x, y - height)


def _draw_line(
    canvas: Canvas, text: str, style: ParagraphStyle, x: float, y: float, width: float
) -> None:
    """Plain text below `y`: one string when it fits, else as a Paragraph."""
    plain = _one_line(text, style, width)
    if plain is not None:
        _draw_string(canvas, plain, style, x, y, width)
    else:
        _draw_text(canvas, _markup(text, bold=style.fontName == BOLD), style, x, y, width)


def _furniture(
    canvas: Canvas, page: int, pages: int, *, spec: DocumentSpec, labels: _Labels
) -> None:
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    if page > 1:  # the letterhead is on page 1; later pages say whose document they belong to
        top = PAGE_HEIGHT - TOP_MARGIN + 24
        # Bold, as before: the city's name in the furniture's size.
        _draw_text(
            canvas, _markup(spec.city_name, bold=True), FURNITURE, MARGIN, top, FRAME_WIDTH / 2
        )
        _draw_line(
            canvas, spec.reference, FURNITURE_RIGHT, MARGIN + FRAME_WIDTH / 2, top, FRAME_WIDTH / 2
        )
        canvas.line(MARGIN, top - 13, PAGE_WIDTH - MARGIN, top - 13)
    bottom = MARGIN - 18
    canvas.line(MARGIN, bottom, PAGE_WIDTH - MARGIN, bottom)
    _draw_text(
        canvas, _verify_markup(spec, labels), FURNITURE, MARGIN, bottom - 5, FRAME_WIDTH - 90
    )
    number = labels.page % {"page": page, "pages": pages}
    _draw_line(canvas, number, FURNITURE_RIGHT, PAGE_WIDTH - MARGIN - 90, bottom - 5, 90)
    canvas.restoreState()


class _NumberedCanvas(Canvas):
    """Holds each page back until the end, when the page count is known."""

    def __init__(self, *args, furniture, **kwargs):
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._furniture(self, number, total)
            super().showPage()
        super().save()


# ReportLab keeps state in its modules (font subsets, the paragraph parser) and
# its authors call it unsafe on threads: one document at a time per process.
# Rendering is all processor work, which Python's interpreter lock would
# serialize anyway, so a worker running tasks on threads (core/worker.py)
# loses nothing by it; web processes run one request at a time.
_RENDERING = threading.Lock()


def render_pdf(spec: DocumentSpec) -> bytes:
    """The document as PDF bytes, its labels and dates in `spec.language`."""
    with _RENDERING:
        return _render_pdf(spec)


def _render_pdf(spec: DocumentSpec) -> bytes:
    out = io.BytesIO()
    with translation.override(spec.language):
        labels = _labels(spec)
        frame = platypus.Frame(
            MARGIN,
            MARGIN,
            FRAME_WIDTH,
            PAGE_HEIGHT - MARGIN - TOP_MARGIN,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc = platypus.BaseDocTemplate(
            out,
            pagesize=LETTER,
            pageTemplates=[platypus.PageTemplate("page", frames=[frame])],
            title=_UNPRINTABLE.sub("", spec.title),
            author=_UNPRINTABLE.sub("", spec.city_name),
            subject=_UNPRINTABLE.sub("", spec.reference),
            creator="CityHall",
            lang=spec.language,
        )
        furniture = functools.partial(_furniture, spec=spec, labels=labels)
        doc.build(
            _story(spec, labels),
            canvasmaker=functools.partial(_NumberedCanvas, furniture=furniture),
        )
    return out.getvalue()
