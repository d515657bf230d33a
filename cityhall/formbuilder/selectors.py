"""Reads for pages, emails, documents and later reporting (Open311, insights)."""

from __future__ import annotations

from cityhall.cases.questions import display_answer

from .definition import Definition, DefinitionError, parse
from .models import FormService, FormVersion, ServiceStatus, Submission
from .routing import path

_parsed: dict[tuple, Definition] = {}


def definition_of_version(version: FormVersion) -> Definition:
    """A published version never changes, so its parsed form is cached; the key
    has the publication time too, as ids repeat after a restore (and in tests)."""
    key = (version.pk, version.published_at)
    if key not in _parsed:
        if len(_parsed) > 256:
            _parsed.clear()
        _parsed[key] = parse(version.definition)
    return _parsed[key]


def definition_of_case(case) -> Definition:
    return definition_of_version(Submission.objects.get(case=case).version)


def published_service(code: str) -> tuple[FormService, Definition] | None:
    service = (
        FormService.objects.filter(code=code, status=ServiceStatus.PUBLISHED)
        .select_related("current_version")
        .first()
    )
    if service is None or service.current_version is None:
        return None
    return service, definition_of_version(service.current_version)


def answer_rows(definition: Definition, answers: dict, language: str | None = None) -> list[dict]:
    """Page by page, the questions the resident went through and what they answered,
    worded as in the version they used."""
    rows = []
    for page in path(definition, answers):
        for question in page.questions:
            rows.append(
                {
                    "page": page,
                    "question": question,
                    "label": question.label(language),
                    "answer": display_answer(question, answers.get(question.key), language),
                }
            )
    return rows


def published_services() -> list[tuple[FormService, Definition]]:
    """Every published service with its current definition, by name (one query);
    a version that no longer parses is left out, as in the catalogue."""
    found = []
    rows = FormService.objects.filter(
        status=ServiceStatus.PUBLISHED, current_version__isnull=False
    ).select_related("current_version")
    for service in rows:
        try:
            found.append((service, definition_of_version(service.current_version)))
        except DefinitionError:
            continue
    return found


def sent_submissions(codes):
    """Submissions of these services that were sent (drafts and unpaid ones never),
    newest first, with their case and version in the same query."""
    return (
        Submission.objects.filter(case__service__in=list(codes), case__submitted_at__isnull=False)
        .select_related("case", "version")
        .order_by("-case__submitted_at", "-case_id")
    )


_OPEN311_LISTS = {
    "yesno": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
    "declaration": [{"key": "yes", "name": "Yes"}],
}


def open311_attributes(code: str) -> list[dict] | None:
    """A published service's questions as Open311 GeoReport v2 `attributes`
    (see cityhall/opendata/open311). None when not published. File questions
    are left out: GeoReport v2 has no way to send a file."""
    found = published_service(code)
    if found is None:
        return None
    _service, definition = found
    datatype = {
        "integer": "number",
        "number": "number",
        "money": "number",
        "date": "datetime",
        "time": "string",
        "choice": "singlevaluelist",
        "multichoice": "multivaluelist",
        "yesno": "singlevaluelist",
        "declaration": "singlevaluelist",
        "textarea": "text",
        "address": "text",
    }
    attributes = []
    order = 0
    for page in definition.pages:
        for q in page.questions:
            if q.type == "file":
                continue
            order += 1
            attributes.append(
                {
                    "variable": True,
                    "code": q.key,
                    "datatype": datatype.get(q.type, "string"),
                    "required": q.required,
                    "datatype_description": q.help_en,
                    "order": order,
                    "description": q.label_en,
                    "values": _OPEN311_LISTS.get(q.type)
                    or [{"key": v, "name": en} for v, en, _es in q.choices],
                }
            )
    return attributes


# ---- for opendata: counts only, never answers ---------------------------------


def open_data_services() -> list[FormService]:
    """The services the digital team marked for open data (published or not:
    their past cases still count)."""
    return list(FormService.objects.filter(publish_open_data=True).order_by("code"))


def monthly_status_counts(code: str, first, last) -> list[tuple]:
    """(case id, local month, status) of the service's sent cases between two aware
    moments; the id only groups, callers never publish it."""
    from django.db.models.functions import TruncMonth

    from cityhall.cases.models import Case

    return list(
        Case.objects.filter(service=code, submitted_at__gte=first, submitted_at__lt=last)
        .annotate(month=TruncMonth("submitted_at"))
        .values_list("pk", "month", "status")
        .order_by("month", "status", "pk")
    )


def open_data_version(code: str):
    from django.db.models import Count, Max

    from cityhall.cases.models import Case

    found = Case.objects.filter(service=code).aggregate(
        changed=Max("status_changed_at"), n=Count("pk")
    )
    return found["changed"], f"{found['changed']}|{found['n']}"
