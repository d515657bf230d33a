"""Document content for tests: a police-report-like spec with the awkward bits residents type."""

from datetime import UTC, datetime

from cityhall.documents.pdf import DocumentSpec, Section, Signature, Table


def report_sections(*, name="José Núñez", rows=None) -> list[Section]:
    """A police-report-like document: facts, a paragraph, an items table with a total."""
    return [
        Section(
            heading="Report",
            paragraphs=["Property reported lost or stolen. Give the reference to your insurer."],
            facts=[
                ("Reported by", name),
                ("Address", "1200 Harbor View Road, Apt 4B & Co."),
                ("What happened", "Stolen"),
                ("Description", "<script>alert(1)</script>"),
                ("Where", "Café Münster, Straße 5 — «côté» ñandú"),
            ],
        ),
        Section(
            heading="Property",
            table=Table(
                columns=["Item", "Serial number", "Value"],
                rows=rows
                or [
                    ["Laptop", "PF-3KX9Q2", "$1,250.00"],
                    ["Bicicleta niño", "", "$180.00"],
                ],
                total_row=["Total", "", "$1,430.00"],
            ),
        ),
    ]


def make_spec(**overrides) -> DocumentSpec:
    values = {
        "city_name": "City of Port Alder",
        "title": "Police report: lost or stolen property",
        "reference": "DS-2026-00001-X",
        "issued_at": datetime(2026, 3, 14, 17, 32, tzinfo=UTC),
        "language": "en",
        "sections": report_sections(),
        "signature": Signature("Dana Whitfield", "Police officer, badge 2231", "March 14, 2026"),
        "verification_code": "ABCDE-23456",
        "verification_url": "https://services.portalder.gov/verify/ABCDE-23456/",
    }
    values.update(overrides)
    return DocumentSpec(**values)
