from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormbuilderConfig(AppConfig):
    name = "cityhall.formbuilder"
    label = "formbuilder"
    verbose_name = _("Services built without code")

    def ready(self):
        from cityhall.cases import registry as cases_registry
        from cityhall.core.registry import StaffQueue, registry
        from cityhall.documents.kinds import register_kind

        from . import dynamic
        from .demo import seed
        from .roles import BUILDERS
        from .tasks import purge_drafts

        # Published services are service types and catalogue cards, read from the
        # database (see dynamic.py and docs/decisions/0009-formbuilder-services.md).
        cases_registry.add_provider(dynamic.service_types)
        registry.add_catalogue_provider(dynamic.catalogue_entries)
        register_kind("formbuilder", _("Decision document"))
        registry.add_demo_seeder(seed, order=60)
        registry.add_periodic("formbuilder.purge", every=timedelta(hours=24), task=purge_drafts)
        registry.add_queue(
            StaffQueue(
                title=_("Service builder"),
                description=_(
                    "Build, preview and publish online services without code; "
                    "import and export their definitions."
                ),
                url_name="formbuilder:builder",
                roles=BUILDERS,
                order=90,
            )
        )
