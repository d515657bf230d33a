"""Hooks through which service apps plug into the shared pages.

Foundations never import service apps (DESIGN.md): a service app registers
its catalogue card, its staff queues and its demo data here from its
AppConfig.ready(), and the home page, staff home and `seed-demo` read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class CatalogueEntry:
    """One card on the home page: what the service is, what you need, how long."""

    code: str
    title: str
    summary: str
    you_need: tuple[str, ...]
    time_needed: str
    start_url_name: str
    order: int = 100
    start_url_args: tuple = ()

    @property
    def start_url(self) -> str:
        from django.urls import reverse

        return reverse(self.start_url_name, args=self.start_url_args)


@dataclass(frozen=True)
class StaffQueue:
    """A link on /staff/ for people holding any of `roles`."""

    title: str
    description: str
    url_name: str
    roles: frozenset[str]
    count: Callable[[], int] | None = None
    order: int = 100


@dataclass(frozen=True)
class PeriodicTask:
    """A task the worker queues every `every` (see core/scheduler.py)."""

    name: str
    every: timedelta
    task: Any  # a django_tasks Task taking no arguments


@dataclass(frozen=True)
class CasePanel:
    """A section of the resident's status page for one case, from a foundation or a
    service (invoices to pay, documents issued). `context(case)` returns the
    template's variables, or None when there is nothing to show."""

    name: str
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100


@dataclass
class Registry:
    catalogue: dict[str, CatalogueEntry] = field(default_factory=dict)
    queues: list[StaffQueue] = field(default_factory=list)
    demo_seeders: list[tuple[int, Callable, bool]] = field(default_factory=list)
    periodic: dict[str, PeriodicTask] = field(default_factory=dict)
    case_panels: dict[str, CasePanel] = field(default_factory=dict)
    # Callables returning [(name, help, label_names, [(label_values, value)])],
    # read from the database at each /metrics scrape (core/metrics.py).
    metric_sources: list[Callable[[], list]] = field(default_factory=list)
    # Callables returning CatalogueEntries defined in the database (formbuilder).
    catalogue_providers: list[Callable[[], list[CatalogueEntry]]] = field(default_factory=list)

    def add_catalogue_provider(self, provider: Callable[[], list[CatalogueEntry]]) -> None:
        if provider not in self.catalogue_providers:
            self.catalogue_providers.append(provider)

    def add_metrics(self, source: Callable[[], list]) -> None:
        if source not in self.metric_sources:
            self.metric_sources.append(source)

    def add_case_panel(self, panel: CasePanel) -> None:
        self.case_panels[panel.name] = panel

    def panels_for_case(self) -> list[CasePanel]:
        return sorted(self.case_panels.values(), key=lambda p: (p.order, p.name))

    def add_periodic(self, name: str, *, every: timedelta, task: Any) -> None:
        self.periodic[name] = PeriodicTask(name=name, every=every, task=task)

    def add_service(self, entry: CatalogueEntry) -> None:
        self.catalogue[entry.code] = entry

    def add_queue(self, queue: StaffQueue) -> None:
        self.queues.append(queue)

    def add_demo_seeder(self, seeder: Callable, *, order: int = 100, scaled: bool = False) -> None:
        """seeder(stdout) creates demo data idempotently; a `scaled` one is called
        seeder(stdout, scale=N or None) with `seed-demo --scale N` (how much history)."""
        self.demo_seeders.append((order, seeder, scaled))

    def services(self) -> list[CatalogueEntry]:
        entries = dict(self.catalogue)
        for provider in self.catalogue_providers:
            for entry in provider():
                entries.setdefault(entry.code, entry)
        return sorted(entries.values(), key=lambda e: (e.order, str(e.title)))

    def queues_for(self, user) -> list[StaffQueue]:
        everything = user.is_superuser
        return sorted(
            (q for q in self.queues if everything or user.role_codes & q.roles),
            key=lambda q: (q.order, str(q.title)),
        )


registry = Registry()
