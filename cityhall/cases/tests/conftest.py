import pytest

from cityhall.cases.workflow import APPLICANT


@pytest.fixture
def submitted_case(sample_service, db):
    from cityhall.cases import services

    case = services.open_case(
        service="sample", contact_name="Ana García", contact_email="Ana@Example.org", language="es"
    )
    services.transition_case(case=case, transition="submit", acting_as=APPLICANT)
    return case
