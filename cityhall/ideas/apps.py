from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "cityhall.ideas"
    label = "ideas"
    verbose_name = _("Staff ideas")

    def ready(self):
        from cityhall.core.registry import StaffQueue, registry
        from cityhall.core.roles import STAFF_ROLES

        from . import tasks
        from .demo import seed
        from .selectors import unanswered_count
        from .services import TRIAGERS

        registry.add_queue(
            StaffQueue(
                title=_("Ideas: what should we digitize?"),
                description=_(
                    "Propose a manual task to put online, see its estimated saving, "
                    "support colleagues' ideas and follow the city's answers."
                ),
                url_name="ideas:list",
                roles=STAFF_ROLES,
                order=60,
            )
        )
        registry.add_queue(
            StaffQueue(
                title=_("Ideas to answer"),
                description=_("The digital team's queue: every idea gets an answer on time."),
                url_name="ideas:queue",
                roles=frozenset(TRIAGERS),
                count=unanswered_count,
                order=61,
            )
        )
        registry.add_periodic("ideas.digest", every=timedelta(days=7), task=tasks.weekly_digest)
        registry.add_demo_seeder(seed, order=950)
