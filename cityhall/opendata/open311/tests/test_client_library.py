"""A real Open311 client from PyPI (`georeport`, a dev dependency) reads our
endpoints over HTTP, in JSON and in XML. It cannot post (its own README says
so; the older `open311` and `three` clients are Python 2 only), so POST is
made with a plain form post like any client's, then read back with it."""

import pytest
import requests
from georeport import GeoReport

from .conftest import GOOD, REQUEST_FIELDS, SERVICE_FIELDS


@pytest.fixture
def endpoint(live_server, streetlight, api_key, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    root = f"{live_server.url}/open311/v2"
    posted = requests.post(f"{root}/requests.json", data={**GOOD, "api_key": api_key}, timeout=30)
    assert posted.status_code == 200, posted.text
    return root, posted.json()[0]["service_request_id"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_reads_every_endpoint(endpoint, fmt):
    root, reference = endpoint
    client = GeoReport(root, output_format=fmt)

    services = client.get_service_list()
    # xmltodict gives one item as a dict, several as a list
    service = services[0] if isinstance(services, list) else services
    assert list(service) == SERVICE_FIELDS and service["service_code"] == "streetlight"

    definition = client.get_service_definition("streetlight")
    attributes = definition["attributes"]
    attributes = attributes if fmt == "json" else attributes["attribute"]
    assert [a["code"] for a in attributes] == ["pole", "problem"]

    found = client.get_service_requests(service_code="streetlight", status="open")
    found = found[0] if isinstance(found, list) else found
    assert list(found) == REQUEST_FIELDS and found["service_request_id"] == reference

    one = client.get_service_request(reference)
    assert one["service_request_id"] == reference and one["status"] == "open"
    assert "Zelda" not in str(one)

    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_requests(status="pending")
    assert refused.value.response.status_code == 400
