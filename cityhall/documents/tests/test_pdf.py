"""render_pdf read back as a person (or a phone) would: text, pages, the QR code."""

import io
import json
import re
from datetime import datetime

import pytest
from django.utils import translation
from pypdf import PdfReader

from cityhall.documents import pdf
from cityhall.documents.pdf import DocumentSpec, Section, Table, render_pdf

from .factories import make_spec, report_sections


def page_texts(data: bytes) -> list[str]:
    """Each page's text, with runs of white space (no-break spaces too) as one space."""
    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def test_everything_written_is_in_the_pdf_as_written():
    spec = make_spec()
    data = render_pdf(spec)
    assert data.startswith(b"%PDF-")
    [text] = page_texts(data)
    for expected in [
        "City of Port Alder",
        spec.title,
        "Reference",
        spec.reference,
        "Issued",
        "March 14, 2026, 10:32 a.m. PDT",  # 17:32 UTC in the city's zone
        "José Núñez",
        "<script>alert(1)</script>",  # printed literally, not taken as markup
        "1200 Harbor View Road, Apt 4B & Co.",
        "Café Münster, Straße 5 — «côté» ñandú",
        "Page 1 of 1",
        "Verify at https://services.portalder.gov/verify/ABCDE-23456/ — code ABCDE-23456",
        "Dana Whitfield",
        "Police officer, badge 2231",
    ]:
        assert expected in text, expected
    for section in spec.sections:
        assert section.heading in text
        for paragraph in section.paragraphs:
            assert paragraph in text
        for label, value in section.facts:
            assert label in text and value in text
        if section.table:
            for row in [section.table.columns, *section.table.rows, section.table.total_row]:
                for cell in row:
                    assert cell in text, cell


def test_a_long_table_runs_onto_a_second_page_with_its_header_repeated():
    rows = [[f"Item number {i}", f"SN-{i:05d}", f"${i * 10}.00"] for i in range(1, 46)]
    data = render_pdf(make_spec(sections=report_sections(rows=rows)))
    pages = page_texts(data)
    assert len(pages) == 2
    assert "Page 1 of 2" in pages[0] and "Page 2 of 2" in pages[1]
    for page in pages:
        assert "Item Serial number Value" in page  # the header row, on both pages
        assert "code ABCDE-23456" in page  # the verification code in every footer
    assert "DS-2026-00001-X" in pages[1]  # later pages say whose document they belong to
    text = " ".join(pages)
    for row in rows:
        assert " ".join(row) in text


def test_a_fact_longer_than_a_page_splits_instead_of_failing():
    long_story = " ".join(f"Sentence {i} of what happened that evening." for i in range(400))
    spec = make_spec(sections=[Section("Statement", facts=[("What happened", long_story)])])
    pages = page_texts(render_pdf(spec))
    assert len(pages) >= 3
    assert "Sentence 399 of what happened" in pages[-1]


def test_the_qr_code_reads_back_as_the_verification_url():
    import pypdfium2
    import zxingcpp

    spec = make_spec()
    document = pypdfium2.PdfDocument(render_pdf(spec))
    image = document[0].render(scale=150 / 72).to_pil()
    results = zxingcpp.read_barcodes(image)
    assert [(r.format, r.text) for r in results] == [
        (zxingcpp.BarcodeFormat.QRCode, spec.verification_url)
    ]


def test_characters_no_font_has_do_not_stop_the_document():
    odd = "Łódź Nguyễn Ελένη Дмитрий 北京 🙂 \x00\x07 tab\there \ufeff\ud800 end"
    spec = make_spec(
        title=f"Report for {odd}",
        sections=[
            Section(
                odd,
                paragraphs=[odd, "line one\nline two"],
                facts=[(odd, odd)],
                table=Table([odd, "b"], [[odd, "1"]], [odd, "2"]),
            )
        ],
    )
    [text] = page_texts(render_pdf(spec))
    assert "end" in text and "line one line two" in text
    if pdf._FALLBACK:  # DejaVu Sans present: the names come out right
        assert "Łódź Nguyễn Ελένη Дмитрий" in text


def test_the_spec_survives_json_and_back():
    spec = make_spec()
    stored = json.loads(json.dumps(spec.to_dict()))
    assert DocumentSpec.from_dict(stored) == spec


def test_a_spec_refuses_naive_times_and_ragged_tables():
    with pytest.raises(ValueError, match="timezone-aware"):
        make_spec(issued_at=datetime(2026, 3, 14, 10, 32))  # noqa: DTZ001
    with pytest.raises(ValueError, match="cells"):
        Table(columns=["a", "b"], rows=[["only one"]])


def test_spanish_document_dates_follow_the_language():
    spec = make_spec(language="es")
    [text] = page_texts(render_pdf(spec))
    # Django's own Spanish catalogue formats the date; CityHall's labels are
    # checked in the next test.
    assert "14 de marzo de 2026" in text
    assert translation.get_language() == "en"  # the override did not leak


def test_spanish_document_labels():
    msgid = "Page %(page)s of %(pages)s"
    with translation.override("es"):
        if translation.gettext(msgid) == msgid:
            pytest.skip("the Spanish catalogue has no entry for the PDF labels yet")
    [text] = page_texts(render_pdf(make_spec(language="es")))
    assert "Página 1 de 1" in text


def _items_table(columns, rows, total=None):
    return Table(columns=tuple(columns), rows=tuple(tuple(r) for r in rows), total_row=total)


def test_no_column_is_narrower_than_its_longest_word():
    """The Spanish items table once broke "Descripción" after the ó and the total
    "$495.00" after the 0: columns were sized by counting characters."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    table = _items_table(
        ("#", "Categoría", "Descripción", "Marca y modelo", "Número de serie", "Cant.", "Valor"),
        [
            (
                "1",
                "75 Teléfono, reloj inteligente u otro aparato",
                "Item 1",
                "Acme",
                "AP-0-0",
                "1",
                "$99.00",
            ),
            ("2", "25 Bolsa, cartera o billetera", "Bici", "Trek", "WTU123G4567", "1", "$1,250.00"),
        ],
        total=("", "", "", "", "", "Total", "$1,349.00"),
    )
    widths = pdf._column_widths(table)
    assert sum(widths) == pytest.approx(pdf.FRAME_WIDTH)
    for index, width in enumerate(widths):
        cells = [(table.columns[index], pdf.BOLD), (table.total_row[index], pdf.BOLD)]
        cells += [(row[index], pdf.REGULAR) for row in table.rows]
        longest = max(
            stringWidth(word, font, pdf.CELL.fontSize)
            for text, font in cells
            for word in text.split() or [""]
        )
        assert width - 2 * pdf.ITEMS_PADDING >= longest, table.columns[index]


def test_words_wider_than_the_page_together_share_it_in_proportion():
    word = "W" * 40
    table = _items_table([f"{word}{n}" for n in range(6)], [[word] * 6])
    widths = pdf._column_widths(table)
    assert sum(widths) == pytest.approx(pdf.FRAME_WIDTH)
    assert max(widths) == pytest.approx(min(widths))
    render_pdf(make_spec(sections=(Section(heading="Wide", table=table),)))  # still renders


def test_the_spare_room_goes_to_the_column_that_would_wrap():
    long_text = "a description long enough to need more than its share of the page " * 2
    table = _items_table(("#", "Description", "Value"), [("1", long_text, "$5.00")])
    widths = pdf._column_widths(table)
    assert widths[1] > widths[0] + widths[2]


def test_headings_too_long_for_one_line_wrap_and_keep_every_word():
    """Short headings are drawn as one string; longer ones become Paragraphs."""
    words = " ".join(f"word{n}" for n in range(60))
    spec = make_spec(
        title=f"Title {words}",
        sections=(Section(heading=f"Heading {words}", paragraphs=(f"Body {words}", "Short line")),),
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(spec))).pages)
    flat = " ".join(text.split())
    for n in range(60):
        assert (
            flat.count(f"word{n} ") + flat.count(f"word{n}\n") >= 3 or flat.count(f"word{n}") >= 3
        ), n
    assert "Short line" in flat
    long_line = pdf._Line(f"Heading {words}", pdf.H2, bold=True)
    _width, height = long_line.wrap(pdf.FRAME_WIDTH, 500)
    assert height > pdf.H2.leading  # wrapped onto several lines
    short = pdf._Line("Property", pdf.H2, bold=True)
    assert short.wrap(pdf.FRAME_WIDTH, 500) == (pdf.FRAME_WIDTH, pdf.H2.leading)
