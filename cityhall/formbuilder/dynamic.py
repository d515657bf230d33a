"""Published services as registered service types and catalogue cards, at run time.

The cases registry and the catalogue ask `service_types()` / `catalogue_entries()`
(hooks added in apps.ready). Both come from one cache, rebuilt when the
catalogue token in the database (`CatalogueState`) differs from the one it was
built from: publishing in one web process is seen by every other process on its
next look-up, at the cost of one small query per look-up.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.core.signals import request_finished, request_started
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

from cityhall.cases.registry import ServiceType
from cityhall.core.registry import CatalogueEntry

from .definition import Definition, DefinitionError, parse
from .models import CatalogueState, FormService, ServiceStatus

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_cache: dict = {"token": object(), "types": [], "entries": []}
# Inside a web request the token is read once (request_started resets this);
# outside requests (the worker, commands) on every look-up.
_request = threading.local()


def _request_started(**kwargs) -> None:
    _request.checked = False


def _request_finished(**kwargs) -> None:
    _request.checked = None


request_started.connect(_request_started, dispatch_uid="formbuilder.catalogue.started")
request_finished.connect(_request_finished, dispatch_uid="formbuilder.catalogue.finished")


class Bilingual:
    """A name typed by staff in both languages, shown in the request's language."""

    def __init__(self, en: str, es: str):
        self.en, self.es = en, es

    def __str__(self):
        from cityhall.cases.questions import spanish

        return self.es if spanish(None) else self.en


def _token():
    return CatalogueState.objects.filter(pk=1).values_list("token", flat=True).first()


def service_type(definition: Definition) -> ServiceType:
    from .services import on_invoice_paid
    from .workflow import build_workflow

    return ServiceType(
        code=definition.code,
        name=Bilingual(definition.name_en, definition.name_es),
        prefix=definition.prefix,
        workflow=build_workflow(
            review_mode=definition.review_mode,
            reviewer_role=definition.reviewer_role,
            approver_role=definition.approver_role,
        ),
        target_time=timedelta(days=definition.target_days),
        staff_roles=frozenset({definition.reviewer_role, definition.approver_role}),
        supervisor_role="city_admin",
        staff_url_name="formbuilder:staff-case",
        record="formbuilder",
        on_invoice_paid=on_invoice_paid,
    )


def _entry(definition: Definition) -> CatalogueEntry:
    return CatalogueEntry(
        code=definition.code,
        title=Bilingual(definition.name_en, definition.name_es),
        summary=Bilingual(definition.summary_en, definition.summary_es),
        you_need=(_("An email address, to hear the decision"),),
        time_needed=_("About 5 minutes."),
        start_url_name="formbuilder:start",
        start_url_args=(definition.code,),
        order=200,
    )


def _refresh() -> dict:
    if getattr(_request, "checked", None):
        return _cache
    if getattr(_request, "checked", None) is False:
        _request.checked = True
    try:
        token = _token()
    except DatabaseError:  # before migrations: no dynamic services yet
        return {"types": [], "entries": []}
    if token == _cache["token"]:
        return _cache
    with _lock:
        # Every service ever published keeps its type (its cases still need it);
        # only the published ones are in the catalogue.
        rows = FormService.objects.filter(current_version__isnull=False).select_related(
            "current_version"
        )
        types, entries = [], []
        for row in rows:
            try:
                definition = parse(row.current_version.definition)
            except DefinitionError:
                # A version published under older rules: one service missing from
                # the catalogue (and said loudly) rather than every page failing.
                logger.exception("Published service %s no longer parses", row.code)
                continue
            types.append(service_type(definition))
            if row.status == ServiceStatus.PUBLISHED:
                entries.append(_entry(definition))
        _cache.update(token=token, types=types, entries=entries)
    return _cache


def service_types() -> list[ServiceType]:
    return _refresh()["types"]


def catalogue_entries() -> list[CatalogueEntry]:
    return _refresh()["entries"]


def invalidate() -> None:
    """Called in the publishing transaction: a new token for every process."""
    import uuid

    from django.utils import timezone

    CatalogueState.objects.update_or_create(
        pk=1, defaults={"token": uuid.uuid4(), "changed_at": timezone.now()}
    )
    _cache["token"] = object()
    _request.checked = getattr(_request, "checked", None) and False
