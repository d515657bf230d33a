"""Demo: the digital team has marked the streetlight service's counts as open
data, so the demo city shows a formbuilder dataset (its history comes from the
insights demo)."""

from __future__ import annotations

from cityhall.formbuilder import services_builder
from cityhall.formbuilder.models import FormService

DEMO_PUBLIC_SERVICES = ("streetlight",)


def seed(stdout=None) -> None:
    marked = []
    for service in FormService.objects.filter(code__in=DEMO_PUBLIC_SERVICES):
        if not service.publish_open_data:
            services_builder.set_open_data(service=service, publish=True, actor=None)
            marked.append(service.code)
    if stdout is not None and marked:
        stdout.write(f"Open data: counts of {', '.join(marked)} published.\n")
