"""The service registry: every kind of case the city handles.

Service apps register a ServiceType from AppConfig.ready(); the cases
foundation reads it for reference prefixes, workflows, targets, queues and
links, and never imports the service app itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from .references import validate_prefix
from .workflow import Workflow


@dataclass(frozen=True)
class ServiceType:
    code: str
    name: Any  # lazy string (translated per request)
    prefix: str
    workflow: Workflow
    target_time: timedelta  # submitted → decided, shown to residents as the expected date
    staff_roles: frozenset[str]  # who works its queue and may see its cases
    supervisor_role: str | None = None  # emailed when its queue is older than the target
    staff_url_name: str | None = None  # the service's own case page (reverse with reference)
    # The service's own row of a case: Case's reverse one-to-one accessor
    # ("booking"). A case without one (history imported from an earlier
    # system, as the demo city's) is shown on the generic staff case page,
    # since the service's own page has nothing to show for it.
    record: str | None = None
    # Called by the payments foundation (in its transaction) when the case's
    # invoice is paid in full: e.g. a held booking becomes confirmed.
    on_invoice_paid: Callable[[Any], None] | None = None
    # Asked by the payments foundation before any checkout of the case's
    # invoice, from whichever page: a message when it must not be paid now
    # (a permit application that no longer passes its check), else None.
    payment_problem: Callable[[Any], str | None] | None = None


_services: dict[str, ServiceType] = {}
# Callables returning the service types defined in the database (formbuilder),
# registered at ready(); each caches its own list and knows when it is stale.
_providers: list[Callable[[], list[ServiceType]]] = []


def add_provider(provider: Callable[[], list[ServiceType]]) -> None:
    """Service types that are not known at start-up: asked on every look-up."""
    if provider not in _providers:
        _providers.append(provider)


def _dynamic() -> dict[str, ServiceType]:
    found: dict[str, ServiceType] = {}
    for provider in _providers:
        for service in provider():
            if service.code not in _services:  # a code in code always wins
                found.setdefault(service.code, service)
    return found


# Called as hook(case, event) in the closing transaction whenever a case of any
# service enters a closed state, after the workflow's own hooks. Reporting apps
# plug in here (the satisfaction survey) without the foundation knowing them.
_closed_hooks: list[Callable[[Any, Any], None]] = []


def on_case_closed(hook: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    if hook not in _closed_hooks:
        _closed_hooks.append(hook)
    return hook


def case_closed_hooks() -> tuple[Callable[[Any, Any], None], ...]:
    return tuple(_closed_hooks)


def register(service: ServiceType) -> ServiceType:
    validate_prefix(service.prefix)
    clash = next(
        (s for s in _services.values() if s.prefix == service.prefix and s.code != service.code),
        None,
    )
    if clash:
        raise ValueError(f"prefix {service.prefix} is already used by {clash.code}")
    _services[service.code] = service
    return service


def unregister(code: str) -> None:
    _services.pop(code, None)


def get(code: str) -> ServiceType:
    if code in _services:
        return _services[code]
    try:
        return _dynamic()[code]
    except KeyError:
        raise LookupError(f"no service type {code!r} is registered") from None


def static_codes() -> set[str]:
    return set(_services)


def static_prefixes() -> set[str]:
    return {s.prefix for s in _services.values()}


def all_services() -> list[ServiceType]:
    return sorted([*_services.values(), *_dynamic().values()], key=lambda s: s.code)


def visible_to(user) -> list[ServiceType]:
    if user.is_superuser:
        return all_services()
    return [s for s in all_services() if user.role_codes & s.staff_roles]
