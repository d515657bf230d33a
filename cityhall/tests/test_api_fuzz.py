"""Schemathesis against the whole OpenAPI document of /api/v1/, in process (WSGI, no server).

Every operation gets generated requests (valid and invalid ones) with a token of a
staff member who holds every role, so the authenticated endpoints are reached. The
checks: never a 5xx, every response's status code is declared for its operation,
and every body matches the declared schema. The number of examples per operation
is bounded (CITYHALL_FUZZ_EXAMPLES, default 50: about a minute on an idle two-core
machine) and derandomized, so a CI run is short and repeatable; raise it locally to
search harder.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("CITYHALL_FUZZ_EXAMPLES", "50"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _requests_share_the_test_transaction(db):
    """As Django's own test client does: the test's transaction outlives each request."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _load_schema():
    """The document /api/v1/openapi.json serves, built without a request (collection time
    has no database); requests then go to the WSGI application in process."""
    from cityhall.api import api
    from cityhall.wsgi import application

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
    loaded.app = application
    return loaded


schema = _load_schema()


@pytest.fixture
def staff_token(make_user):
    from cityhall.accounts.services import issue_api_token
    from cityhall.core.roles import STAFF_ROLES

    user = make_user("fuzz@staff.example.org", roles=sorted(STAFF_ROLES), full_name="Fuzz Staff")
    return issue_api_token(user=user, name="fuzz").raw


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_never_fails_and_matches_its_schema(case, staff_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {staff_token}"}, checks=CHECKS)
