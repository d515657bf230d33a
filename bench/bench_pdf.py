"""How many one-page documents render_pdf makes per second on one core.

    .venv/bin/python bench/bench_pdf.py [N]

A police-report-like document (ten facts, a five-row items table, a
signature, the QR code), rendered N times (500 by default) after a warm-up,
each with its own verification code. Prints documents/second, mean and p95
milliseconds per document, and the machine.
"""

from __future__ import annotations

import os
import platform
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityhall.settings")

import django

django.setup()

from cityhall.documents.pdf import DocumentSpec, Section, Signature, Table, render_pdf  # noqa: E402

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def police_report(number: int) -> DocumentSpec:
    code = "".join(secrets.choice(ALPHABET) for _ in range(10))
    code = f"{code[:5]}-{code[5:]}"
    return DocumentSpec(
        city_name="City of Port Alder",
        title="Police report: lost or stolen property",
        reference=f"LP-2026-{number:05d}-K",
        issued_at=datetime(2026, 3, 14, 17, 32, tzinfo=UTC),
        language="en",
        sections=[
            Section(
                heading="Report",
                paragraphs=[
                    "This report records property the person below told the Port Alder Police "
                    "Department was lost or stolen. Give the reference to your insurer."
                ],
                facts=[
                    ("Reported by", "José Núñez"),
                    ("Address", "1200 Harbor View Road, Apt 4B, Port Alder"),
                    ("Phone", "+1 555 201 4477"),
                    ("Email", "jose.nunez@example.org"),
                    ("What happened", "Stolen"),
                    ("When", "March 12, 2026, between 6 p.m. and 7 p.m."),
                    ("Where", "Parking lot of Bayside Market, 88 Quay Street"),
                    ("Description", "Car window broken; a backpack taken from the back seat."),
                    ("Suspect seen", "No"),
                    ("Reviewed by", "Officer Dana Whitfield, badge 2231"),
                ],
            ),
            Section(
                heading="Property",
                table=Table(
                    columns=["Item", "Make and model", "Serial number", "Value"],
                    rows=[
                        ["Laptop", "Lenovo ThinkPad T14", "PF-3KX9Q2", "$1,250.00"],
                        ["Phone", "Apple iPhone 15", "F2LZK8Q1N7", "$899.00"],
                        ["Backpack", "Osprey Daylite", "", "$65.00"],
                        ["Headphones", "Sony WH-1000XM5", "5563912", "$399.00"],
                        ["Wallet", "Leather, brown", "", "$40.00"],
                    ],
                    total_row=["Total", "", "", "$2,653.00"],
                ),
            ),
        ],
        signature=Signature(
            name="Dana Whitfield", role="Police officer, badge 2231", date_text="March 14, 2026"
        ),
        verification_code=code,
        verification_url=f"https://services.portalder.gov/verify/{code}/",
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    specs = [police_report(i) for i in range(n)]
    for spec in specs[:20]:  # warm: imports, fonts, translation catalogues
        render_pdf(spec)
    timings = []
    sizes = []
    started = time.perf_counter()
    for spec in specs:
        t0 = time.perf_counter()
        sizes.append(len(render_pdf(spec)))
        timings.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
    print(f"documents:        {n} (one page each, {statistics.mean(sizes) / 1024:.1f} KiB mean)")
    print(f"documents/second: {n / elapsed:.0f}")
    print(f"mean ms/document: {statistics.mean(timings) * 1000:.2f}")
    print(f"p95 ms/document:  {p95 * 1000:.2f}")
    print(
        f"machine:          {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )


if __name__ == "__main__":
    main()
