"""Reads shaped for pages, emails and exports: signed payer links, invoice
lines, the staff lists, the daily reconciliation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import (
    CASH_KINDS,
    Invoice,
    InvoiceStatus,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
)

INVOICE_SALT = "cityhall.payments.invoice"


# ---- the payer's signed link ----------------------------------------------


def invoice_token(invoice: Invoice) -> str:
    return signing.dumps(invoice.public_id.hex, salt=INVOICE_SALT, compress=True)


def invoice_from_token(token: str) -> Invoice | None:
    try:
        public_id = signing.loads(token, salt=INVOICE_SALT)
    except signing.BadSignature:
        return None
    return Invoice.objects.select_related("case").filter(public_id=public_id).first()


def _absolute(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return settings.CITY_SITE_URL + reverse(name, kwargs=kwargs)


def pay_url(invoice: Invoice, language: str) -> str:
    return _absolute("payments:invoice", language, token=invoice_token(invoice))


def return_url(invoice: Invoice, payment: Payment, language: str) -> str:
    return _absolute(
        "payments:return", language, token=invoice_token(invoice), payment=payment.public_id
    )


# ---- what an invoice is for ----------------------------------------------


def service_name(code: str) -> str:
    from cityhall.cases import registry

    try:
        return str(registry.get(code).name)
    except LookupError:
        return code


def payer_description(invoice: Invoice, language: str) -> str:
    with translation.override(language):
        return f"{invoice.number} · {service_name(invoice.service)}"


def line_rows(invoice: Invoice, *, fee_cents: int = 0) -> list[tuple[str, int]]:
    """(label, cents) per line in the active language, details included; then the convenience fee."""
    rows = []
    for line in invoice.lines.all():
        label = line.label()
        if line.detail():
            label = f"{label} ({line.detail()})"
        rows.append((label, line.amount_cents))
    if fee_cents:
        rows.append((_("Online payment fee"), fee_cents))
    return rows


def successful_payment(invoice: Invoice) -> Payment | None:
    return invoice.payments.filter(status=PaymentStatus.SUCCEEDED).first()


# ---- staff lists -----------------------------------------------------------


@dataclass(frozen=True)
class InvoiceFilters:
    status: str = ""
    service: str = ""
    q: str = ""


def invoices_for_staff(filters: InvoiceFilters) -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("case")
    if filters.status in InvoiceStatus.values:
        invoices = invoices.filter(status=filters.status)
    if filters.service:
        invoices = invoices.filter(service=filters.service)
    q = filters.q.strip()
    if q:
        invoices = invoices.filter(
            Q(number__iexact=q) | Q(case__reference__iexact=q) | Q(case__contact_email__iexact=q)
        )
    return invoices.order_by("-created_at", "-id")


@dataclass(frozen=True)
class PaymentFilters:
    status: str = ""
    provider: str = ""
    flagged: bool = False


def payments_for_staff(filters: PaymentFilters) -> QuerySet[Payment]:
    payments = Payment.objects.select_related("invoice", "invoice__case")
    if filters.status in PaymentStatus.values:
        payments = payments.filter(status=filters.status)
    if filters.provider:
        payments = payments.filter(provider=filters.provider)
    if filters.flagged:
        payments = payments.filter(flagged_at__isnull=False)
    return payments.order_by("-created_at", "-id")


def flagged_payments() -> QuerySet[Payment]:
    return (
        Payment.objects.filter(flagged_at__isnull=False)
        .select_related("invoice", "invoice__case", "flag_resolved_by")
        .order_by(F("flag_resolved_at").asc(nulls_first=True), "-flagged_at")
    )


def unresolved_flag_count() -> int:
    return Payment.objects.filter(flagged_at__isnull=False, flag_resolved_at__isnull=True).count()


def open_invoice_count() -> int:
    return Invoice.objects.filter(status=InvoiceStatus.OPEN).count()


# ---- reconciliation ------------------------------------------------------


@dataclass
class Totals:
    currency: str
    key: str = ""
    label: str = ""
    amounts: dict[str, int] = field(default_factory=dict)
    count: int = 0

    def amount(self, kind: str) -> int:
        return self.amounts.get(kind, 0)

    @property
    def net_cents(self) -> int:
        """Money in less money out: every kind but waivers."""
        return sum(self.amounts.get(kind, 0) for kind in CASH_KINDS)

    @property
    def charges_cents(self) -> int:
        return self.amount(LedgerKind.CHARGE)

    @property
    def fees_cents(self) -> int:
        return self.amount(LedgerKind.CONVENIENCE_FEE)

    @property
    def unapplied_cents(self) -> int:
        return self.amount(LedgerKind.UNAPPLIED)

    @property
    def refunds_cents(self) -> int:
        return self.amount(LedgerKind.REFUND)

    @property
    def waived_cents(self) -> int:
        return self.amount(LedgerKind.WAIVER)

    def as_dict(self) -> dict:
        return {
            "currency": self.currency,
            "charges_cents": self.charges_cents,
            "convenience_fees_cents": self.fees_cents,
            "unapplied_cents": self.unapplied_cents,
            "refunds_cents": self.refunds_cents,
            "net_cents": self.net_cents,
            "waived_cents": self.waived_cents,
            "entries": self.count,
        }


@dataclass
class Reconciliation:
    day: date
    start: datetime
    end: datetime
    entries: list[LedgerEntry]
    by_service: list[Totals]
    by_provider: list[Totals]
    totals: list[Totals]


# The days a reconciliation may be asked for: far enough from Python's limits
# (years 1 and 9999) that the day after and before are still dates.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone)
    return start, end


def _grouped(entries: QuerySet, key: str | None) -> list[Totals]:
    fields = ["currency", "kind"] + ([key] if key else [])
    rows = (
        entries.values(*fields).annotate(total=Sum("amount_cents"), n=Count("id")).order_by(*fields)
    )
    groups: dict[tuple, Totals] = {}
    for row in rows:
        group_key = row[key] if key else ""
        totals = groups.setdefault(
            (group_key, row["currency"]), Totals(currency=row["currency"], key=group_key)
        )
        totals.amounts[row["kind"]] = row["total"]
        totals.count += row["n"]
    result = sorted(groups.values(), key=lambda t: (t.key, t.currency))
    for totals in result:
        if key == "service":
            totals.label = service_name(totals.key)
        elif key == "provider":
            totals.label = _provider_label(totals.key)
    return result


def _provider_label(name: str) -> str:
    if not name:
        return _("No provider (waivers)")
    from .providers import get_provider

    try:
        return get_provider(name).label
    except LookupError:
        return name


def reconciliation(day: date) -> Reconciliation:
    """The ledger for one day in the city's time zone, with totals by service and by provider."""
    start, end = day_bounds(day)
    entries = LedgerEntry.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    return Reconciliation(
        day=day,
        start=start,
        end=end,
        entries=list(
            entries.select_related("invoice", "invoice__case", "payment").order_by(
                "occurred_at", "id"
            )
        ),
        by_service=_grouped(entries, "service"),
        by_provider=_grouped(entries, "provider"),
        totals=_grouped(entries, None),
    )


CSV_COLUMNS = [
    "record",
    "date",
    "occurred_at",
    "kind",
    "service",
    "provider",
    "provider_reference",
    "settlement_date",
    "invoice",
    "case",
    "currency",
    "amount_cents",
    "amount",
]
TOTAL_KINDS = [*LedgerKind.values, "net_cash"]


def _dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def reconciliation_rows(report: Reconciliation):
    """CSV rows: every entry, then totals by service, by provider and for the day,
    one row per kind and one `net_cash` row (money in less money out)."""
    yield CSV_COLUMNS
    day = report.day.isoformat()
    zone = timezone.get_default_timezone()
    for entry in report.entries:
        yield [
            "entry",
            day,
            entry.occurred_at.astimezone(zone).isoformat(),
            entry.kind,
            entry.service,
            entry.provider,
            entry.provider_reference,
            entry.settlement_date.isoformat() if entry.settlement_date else "",
            entry.invoice.number,
            entry.invoice.case.reference,
            entry.currency,
            entry.amount_cents,
            _dollars(entry.amount_cents),
        ]
    for record, groups, column in (
        ("service_total", report.by_service, "service"),
        ("provider_total", report.by_provider, "provider"),
        ("day_total", report.totals, None),
    ):
        for totals in groups:
            for kind in TOTAL_KINDS:
                cents = totals.net_cents if kind == "net_cash" else totals.amounts.get(kind)
                if cents is None:
                    continue
                row = dict.fromkeys(CSV_COLUMNS, "")
                row.update(
                    record=record,
                    date=day,
                    kind=kind,
                    currency=totals.currency,
                    amount_cents=cents,
                    amount=_dollars(cents),
                )
                if column:
                    row[column] = totals.key
                yield [row[c] for c in CSV_COLUMNS]


# ---- the resident's status page -------------------------------------------


def case_payments_panel(case) -> dict | None:
    """The case's invoices for its status page: pay links for open ones, receipts for paid ones."""
    invoices = list(
        Invoice.objects.filter(case=case)
        .prefetch_related("payments")
        .order_by("-created_at", "-id")
    )
    if not invoices:
        return None
    rows = []
    for invoice in invoices:
        paid = next(
            (p for p in invoice.payments.all() if p.status == PaymentStatus.SUCCEEDED), None
        )
        rows.append({"invoice": invoice, "token": invoice_token(invoice), "payment": paid})
    return {"invoices": rows}


def case_documents_panel(case) -> dict | None:
    documents = list(case.documents.all())
    return {"documents": documents} if documents else None
