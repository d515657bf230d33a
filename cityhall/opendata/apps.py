from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    name = "cityhall.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self):
        from cityhall.core.registry import registry

        from .demo import seed

        # After the formbuilder services exist (60), before the history (900).
        registry.add_demo_seeder(seed, order=70)
