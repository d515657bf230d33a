"""The content of an issued document, as plain data: rendered as PDF by pdf.py,
stored as JSON with the document, and shown again as HTML on the verification pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

SPEC_FORMAT = 1  # bump when the stored dict changes shape; from_dict reads every format

# Control characters and lone surrogates: they print as nothing, and a JSON
# column on PostgreSQL refuses NUL and lone surrogates (so the spec could not
# be stored). Tabs and line breaks stay.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _clean(value) -> str:
    return _CONTROL.sub("", "" if value is None else str(value))


def _texts(values) -> tuple[str, ...]:
    return tuple(_clean(v) for v in values)


def _clean_fields(instance, *names: str) -> None:
    for name in names:
        object.__setattr__(instance, name, _clean(getattr(instance, name)))


@dataclass(frozen=True)
class Table:
    """A table of rows under column headings, with an optional total row at the foot."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = ()
    total_row: tuple[str, ...] | None = None

    def __post_init__(self):
        columns = _texts(self.columns)
        rows = tuple(_texts(row) for row in self.rows)
        total = _texts(self.total_row) if self.total_row is not None else None
        if not columns:
            raise ValueError("a table needs at least one column")
        for row in (*rows, *([total] if total else [])):
            if len(row) != len(columns):
                raise ValueError(f"a row has {len(row)} cells for {len(columns)} columns: {row!r}")
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "total_row", total)


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()  # (label, value) rows
    table: Table | None = None

    def __post_init__(self):
        _clean_fields(self, "heading")
        object.__setattr__(self, "paragraphs", _texts(self.paragraphs))
        object.__setattr__(
            self, "facts", tuple(_texts((label, value)) for label, value in self.facts)
        )


@dataclass(frozen=True)
class Signature:
    name: str
    role: str = ""
    date_text: str = ""

    def __post_init__(self):
        _clean_fields(self, "name", "role", "date_text")


@dataclass(frozen=True)
class DocumentSpec:
    city_name: str
    title: str
    reference: str
    issued_at: datetime  # aware
    language: str
    sections: tuple[Section, ...] = ()
    signature: Signature | None = None
    verification_code: str = ""
    verification_url: str = ""

    def __post_init__(self):
        if timezone.is_naive(self.issued_at):
            raise ValueError("issued_at must be timezone-aware")
        _clean_fields(self, "city_name", "title", "reference", "language")
        _clean_fields(self, "verification_code", "verification_url")
        object.__setattr__(self, "sections", tuple(self.sections))

    def to_dict(self) -> dict:
        return {
            "format": SPEC_FORMAT,
            "city_name": self.city_name,
            "title": self.title,
            "reference": self.reference,
            "issued_at": self.issued_at.isoformat(),
            "language": self.language,
            "sections": [
                {
                    "heading": s.heading,
                    "paragraphs": list(s.paragraphs),
                    "facts": [list(fact) for fact in s.facts],
                    "table": None
                    if s.table is None
                    else {
                        "columns": list(s.table.columns),
                        "rows": [list(row) for row in s.table.rows],
                        "total_row": None if s.table.total_row is None else list(s.table.total_row),
                    },
                }
                for s in self.sections
            ],
            "signature": None
            if self.signature is None
            else {
                "name": self.signature.name,
                "role": self.signature.role,
                "date_text": self.signature.date_text,
            },
            "verification_code": self.verification_code,
            "verification_url": self.verification_url,
        }

    @classmethod
    def from_dict(cls, data: dict) -> DocumentSpec:
        signature = data.get("signature")
        return cls(
            city_name=data["city_name"],
            title=data["title"],
            reference=data["reference"],
            issued_at=datetime.fromisoformat(data["issued_at"]),
            language=data["language"],
            sections=tuple(
                Section(
                    heading=s["heading"],
                    paragraphs=s.get("paragraphs") or (),
                    facts=s.get("facts") or (),
                    table=Table(**s["table"]) if s.get("table") else None,
                )
                for s in data.get("sections") or ()
            ),
            signature=Signature(**signature) if signature else None,
            verification_code=data.get("verification_code", ""),
            verification_url=data.get("verification_url", ""),
        )


_NUMBER = re.compile(r"^[-+\u2212]?\s?[$€£¥]?\s?[-+\u2212]?\d[\d.,\s]*%?$")


def numeric_columns(table: Table) -> list[bool]:
    """Which columns hold only numbers or amounts (set flush right, in the PDF and in HTML)."""
    body = [*table.rows, *([table.total_row] if table.total_row else [])]
    if not body:
        return [False] * len(table.columns)
    return [
        any(c.strip() for c in column)
        and all(_NUMBER.match(c.strip()) for c in column if c.strip())
        for column in zip(*body, strict=True)
    ]
