"""Every write the builder makes: create, save the draft, publish, unpublish, import."""

from __future__ import annotations

import copy

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.cases import registry as cases_registry
from cityhall.cases.references import validate_prefix
from cityhall.core import audit
from cityhall.core.models import AuditAction
from cityhall.payments.errors import FeeError
from cityhall.payments.fees import schedule_in_effect

from . import dynamic
from .definition import _CODE, SCHEMA_VERSION, DefinitionError, parse
from .models import FormService, FormVersion, ServiceStatus


def blank_definition(*, code: str, prefix: str, name_en: str, name_es: str) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "code": code,
        "prefix": prefix,
        "name_en": name_en,
        "name_es": name_es,
        "summary_en": "",
        "summary_es": "",
        "pages": [],
        "review_mode": "one_step",
        "reviewer_role": "city_admin",
        "approver_role": "city_admin",
        "target_days": 10,
        "approved_message_en": "",
        "approved_message_es": "",
        "rejected_message_en": "",
        "rejected_message_es": "",
        "document": False,
        "fee": None,
    }


# Codes the builder's own addresses use (/staff/formbuilder/builder/new/ …).
RESERVED_CODES = frozenset({"new", "import"})


def _identity_problems(raw: dict, service: FormService | None) -> list[str]:
    """The code and prefix are in every address and reference: checked on every
    save, not only at publish, so a draft can never make its own pages unreachable."""
    problems = []
    code, prefix = raw.get("code"), raw.get("prefix")
    if not isinstance(code, str) or not _CODE.match(code) or code in RESERVED_CODES:
        problems.append(
            _("The code must be 3 to 40 lower-case letters, digits or _, starting with a letter.")
        )
    try:
        validate_prefix(prefix if isinstance(prefix, str) else "")
    except ValueError:
        problems.append(_("The reference prefix must be 1 to 4 capital letters, without I or O."))
    if problems:
        return problems
    others = FormService.objects.exclude(pk=service.pk) if service else FormService.objects.all()
    if code in cases_registry.static_codes() or others.filter(code=code).exists():
        problems.append(
            _("The code “%(code)s” is already used by another service.") % {"code": code}
        )
    if prefix in cases_registry.static_prefixes() or others.filter(prefix=prefix).exists():
        problems.append(
            _("The reference prefix “%(prefix)s” is already used by another service.")
            % {"prefix": prefix}
        )
    if service and service.current_version_id and code != service.code:
        problems.append(_("A published service keeps its code: its cases use it."))
    return problems


@transaction.atomic
def create_service(*, raw: dict, actor) -> FormService:
    """A new draft; the identity (code, prefix, names) must be right from the start."""
    problems = _identity_problems(raw, None) + _shape_problems(raw)
    for name in ("code", "prefix", "name_en", "name_es"):
        if not str(raw.get(name) or "").strip():
            problems.append(_("Fill in the code, the reference prefix and both names."))
            break
    if problems:
        raise DefinitionError(problems)
    return FormService.objects.create(
        code=raw["code"],
        prefix=raw["prefix"],
        name_en=raw["name_en"],
        name_es=raw["name_es"],
        draft=raw,
        updated_by=actor,
    )


def _shape_problems(raw: dict) -> list[str]:
    """An incomplete draft is fine; one whose parts are of the wrong kind would
    break the builder's own pages, so it is refused."""
    pages, fee = raw.get("pages", []), raw.get("fee")
    lists_of_objects = isinstance(pages, list) and all(
        isinstance(page, dict)
        and isinstance(page.get("questions", []), list)
        and all(isinstance(q, dict) for q in page.get("questions", []))
        and isinstance(page.get("routes", []), list)
        for page in pages
    )
    fee_ok = fee is None or (
        isinstance(fee, dict)
        and isinstance(fee.get("items", []), list)
        and all(isinstance(item, dict) for item in fee.get("items", []))
    )
    if lists_of_objects and fee_ok:
        return []
    return [
        _(
            "Pages, questions, routes and fee items must be lists of objects, as in an "
            "exported service."
        )
    ]


@transaction.atomic
def save_draft(*, service: FormService, raw: dict, actor) -> FormService:
    """Keeps any draft, even an incomplete one (the builder shows its problems);
    only the identity must stay unique and the parts be of the right kind."""
    problems = _identity_problems(raw, service) + _shape_problems(raw)
    if problems:
        raise DefinitionError(problems)
    service = FormService.objects.select_for_update().get(pk=service.pk)
    service.draft = raw
    service.code, service.prefix = raw.get("code", service.code), raw.get("prefix", service.prefix)
    service.name_en = raw.get("name_en") or service.name_en
    service.name_es = raw.get("name_es") or service.name_es
    service.updated_at, service.updated_by = timezone.now(), actor
    service.save()
    return service


def check_draft(service: FormService) -> list[str]:
    """Every problem that stops publishing, worded for the builder; [] when ready."""
    try:
        definition = parse(service.draft)
    except DefinitionError as error:
        return error.problems
    problems = _identity_problems(service.draft, service)
    if definition.fee:
        if schedule_in_effect(definition.fee.schedule, timezone.localdate()) is None:
            problems.append(
                _("There is no fee schedule “%(code)s” in effect today.")
                % {"code": definition.fee.schedule}
            )
        else:
            problems += _fee_rule_problems(definition)
    return problems


def _fee_rule_problems(definition) -> list[str]:
    from cityhall.payments.fees import FeeItem, estimate_fee

    try:
        estimate_fee(
            schedule=definition.fee.schedule,
            items=[
                FeeItem(
                    code=item["code"],
                    quantity=1 if item.get("quantity_from") else None,
                    value=100 if item.get("value_from") else None,
                )
                for item in definition.fee.items
            ],
        )
    except FeeError as error:
        return [_("The fee: %(error)s") % {"error": error}]
    return []


@transaction.atomic
def publish(*, service: FormService, actor) -> FormVersion:
    service = FormService.objects.select_for_update().get(pk=service.pk)
    problems = check_draft(service)
    if problems:
        raise DefinitionError(problems)
    number = (service.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = FormVersion.objects.create(
        service=service, number=number, definition=copy.deepcopy(service.draft), published_by=actor
    )
    service.current_version = version
    service.status = ServiceStatus.PUBLISHED
    service.updated_at, service.updated_by = timezone.now(), actor
    service.save()
    audit.record(
        AuditAction.SERVICE_PUBLISHED,
        actor=actor,
        object_type="formservice",
        object_id=service.code,
        payload={"version": number},
    )
    dynamic.invalidate()
    return version


@transaction.atomic
def unpublish(*, service: FormService, actor) -> FormService:
    """Off the catalogue; cases already made go on being worked."""
    service = FormService.objects.select_for_update().get(pk=service.pk)
    if service.status != ServiceStatus.PUBLISHED:
        raise DefinitionError([_("This service is not published.")])
    service.status = ServiceStatus.UNPUBLISHED
    service.updated_at, service.updated_by = timezone.now(), actor
    service.save()
    dynamic.invalidate()
    return service


@transaction.atomic
def set_open_data(*, service: FormService, publish: bool, actor) -> FormService:
    """Publish (or stop publishing) the service's monthly counts as open data."""
    service = FormService.objects.select_for_update().get(pk=service.pk)
    if service.publish_open_data != publish:
        service.publish_open_data = publish
        service.updated_at, service.updated_by = timezone.now(), actor
        service.save(update_fields=["publish_open_data", "updated_at", "updated_by"])
    return service


def export_definition(service: FormService) -> dict:
    return {**copy.deepcopy(service.draft), "schema_version": SCHEMA_VERSION}


@transaction.atomic
def import_definition(*, raw, actor) -> FormService:
    """Creates the service as a draft, or replaces the draft of the service with
    that code. The file must be a complete, valid definition."""
    definition = parse(raw)
    existing = FormService.objects.filter(code=definition.code).first()
    if existing:
        return save_draft(service=existing, raw=raw, actor=actor)
    return create_service(raw=raw, actor=actor)
