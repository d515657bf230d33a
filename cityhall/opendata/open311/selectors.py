"""GET requests: the filters, and each request's public fields.

What a request shows is decided field by field (docs/open311.md): never the
resident's name, email, phone or account; never a free-text answer; the
address only where the service's definition marks its address question as a
public place; the description only from fixed options the service marks
public. Each request is shown with the definition of the version it was made
with, so a later change to the "open311" section never uncovers old answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core import signing
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from cityhall.cases.questions import display_answer
from cityhall.formbuilder.selectors import definition_of_version, sent_submissions
from cityhall.formbuilder.workflow import APPROVED

from . import catalogue
from .render import Open311Error

MAX_REQUESTS = 1000
WINDOW = timedelta(days=90)
STATUSES = ("open", "closed")
SIGNING_SALT = "cityhall.open311.request"
FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


@dataclass(frozen=True)
class RequestQuery:
    ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()


def _listed(raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def _moment(params, name: str) -> datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None and parse_date(raw) is not None:
            moment = datetime.combine(parse_date(raw), time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(
            400,
            _("%(name)s must be a date and time like 2026-01-31T00:00:00Z.") % {"name": name},
        )
    if timezone.is_naive(moment):  # the spec wants a zone; without one, the city's
        moment = timezone.make_aware(moment)
    return moment


def parse_query(params) -> RequestQuery:
    """The filters of GET requests, or Open311Error(400) naming what is wrong."""
    ids = _listed(params.get("service_request_id", ""))
    if ids:  # the spec: the ids override every other filter
        if len(ids) > MAX_REQUESTS:
            raise Open311Error(400, _("Ask for %(n)d requests at most.") % {"n": MAX_REQUESTS})
        return RequestQuery(ids=tuple(i.upper() for i in ids))
    statuses = tuple(s.lower() for s in _listed(params.get("status", "")))
    wrong = [s for s in statuses if s not in STATUSES]
    if wrong:
        raise Open311Error(400, _("status must be open or closed (or both, comma separated)."))
    start, end = _moment(params, "start_date"), _moment(params, "end_date")
    try:
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - WINDOW
        if end is None:
            end = min(start + WINDOW, max(start, timezone.now()))  # a future start: none yet
    except OverflowError:  # 90 days before year 1 or after year 9999
        raise Open311Error(400, _("start_date and end_date must be real dates.")) from None
    if start > end:
        raise Open311Error(400, _("start_date must be before end_date."))
    if end - start > WINDOW:
        raise Open311Error(400, _("start_date and end_date may be 90 days apart at most."))
    return RequestQuery(
        codes=_listed(params.get("service_code", "")), start=start, end=end, statuses=statuses
    )


def find_requests(query: RequestQuery) -> list[dict]:
    codes = catalogue.listed_codes()
    if query.codes:
        codes = [c for c in codes if c in query.codes]
    rows = sent_submissions(codes)
    if query.ids:
        rows = rows.filter(case__reference__in=query.ids)
    else:
        rows = rows.filter(case__submitted_at__gte=query.start, case__submitted_at__lte=query.end)
        if set(query.statuses) == {"open"}:
            rows = rows.filter(case__closed_at__isnull=True)
        elif set(query.statuses) == {"closed"}:
            rows = rows.filter(case__closed_at__isnull=False)
    return [request_record(s) for s in rows[:MAX_REQUESTS]]


def find_request(reference: str) -> dict | None:
    found = find_requests(RequestQuery(ids=(reference.strip().upper(),)))
    return found[0] if found else None


def _when(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def request_record(submission) -> dict:
    """The spec's fields of one request, in its order; what is not published is null."""
    case, definition = submission.case, definition_of_version(submission.version)
    about = catalogue.exposure(definition)
    state = case.state
    if state.closed:
        # The service's own wording of the decision, the same for everyone; a
        # reviewer's reason may name the resident, so it is never shown here.
        message = "approved_message" if case.status == APPROVED else "rejected_message"
        notes = definition.text(message) or str(state.resident_label)
    else:
        notes = str(state.resident_label)
    answers = submission.answers
    described = [
        f"{q.label()}: {display_answer(q, answers[q.key])}"
        for q in (definition.questions[k] for k in about.public)
        if answers.get(q.key) not in (None, "", [])
    ]
    record = dict.fromkeys(FIELDS)
    record.update(
        service_request_id=case.reference,
        status="closed" if state.closed else "open",
        status_notes=notes,
        service_name=definition.name(),
        service_code=definition.code,
        description="; ".join(described) or None,
        agency_responsible=catalogue.agency(definition),
        service_notice=catalogue.service_notice(definition),
        requested_datetime=_when(case.submitted_at),
        updated_datetime=_when(case.status_changed_at),
        expected_datetime=_when(case.expected_decision_at),
        address=(answers.get(about.public_address) or None) if about.public_address else None,
    )
    return record


def request_token(case) -> str:
    """What POST answers as `token`: it names the request without being guessable."""
    return signing.dumps(case.pk, salt=SIGNING_SALT)


def find_token(token: str) -> dict | None:
    try:
        case_pk = signing.loads(token, salt=SIGNING_SALT)
    except signing.BadSignature:
        return None
    rows = sent_submissions(catalogue.listed_codes()).filter(case_id=case_pk)
    submission = rows.first()
    if submission is None:
        return None
    return {"service_request_id": submission.case.reference, "token": token}
