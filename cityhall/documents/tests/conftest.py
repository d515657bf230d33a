from datetime import timedelta

import pytest
from django.utils.translation import gettext_lazy as _

from cityhall.cases import registry
from cityhall.cases.workflow import APPLICANT, State, Transition, Workflow
from cityhall.documents.pdf import Signature

from .factories import report_sections

OFFICERS = frozenset({"police_reviewer"})


def build_doc_workflow() -> Workflow:
    return Workflow.build(
        initial="draft",
        states=[
            State("draft", _("Draft")),
            State("submitted", _("Submitted"), submitted=True, awaiting_staff=True),
            State("accepted", _("Accepted"), decided=True, closed=True),
        ],
        transitions=[
            Transition("submit", ("draft",), "submitted", _("Submit"), frozenset({APPLICANT})),
            Transition("accept", ("submitted",), "accepted", _("Accept"), OFFICERS),
        ],
    )


@pytest.fixture
def doc_service():
    service = registry.register(
        registry.ServiceType(
            code="doc_sample",
            name=_("Sample report"),
            prefix="DS",
            workflow=build_doc_workflow(),
            target_time=timedelta(days=3),
            staff_roles=OFFICERS,
        )
    )
    yield service
    registry.unregister("doc_sample")


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Files in a folder of the test's own; the look-up limit starts from zero."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CITY_SITE_URL = "https://services.portalder.gov"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def case(doc_service, db):
    from cityhall.cases import services

    case = services.open_case(
        service="doc_sample", contact_name="José Núñez", contact_email="jose@example.org"
    )
    services.transition_case(case=case, transition="submit", acting_as=APPLICANT)
    return case


@pytest.fixture
def officer(make_user):
    return make_user(
        "whitfield@staff.example.org", roles=["police_reviewer"], full_name="Dana Whitfield"
    )


@pytest.fixture
def issued(case, officer):
    from cityhall.documents import services

    return services.issue_document(
        case=case,
        kind="police_report",
        title="Police report: lost or stolen property",
        sections=report_sections(),
        signature=Signature("Dana Whitfield", "Police officer", "March 14, 2026"),
        issued_by=officer,
    )
