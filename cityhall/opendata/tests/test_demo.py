"""The demo city gives the transparency page real numbers, and no dataset
output holds a demo resident's name, email, phone or address."""

import io
import re

import pytest
from django.core.management import call_command

from cityhall.accounts.models import User
from cityhall.cases.models import Case
from cityhall.opendata import registry
from cityhall.police.models import PoliceReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet", "--scale", "600", stdout=io.StringIO())


def personal_data() -> set[str]:
    found = set()
    for report in PoliceReport.objects.all():
        found |= {report.first_name, report.last_name, report.email, report.phone, report.address}
    for case in Case.objects.exclude(contact_name="Demo history"):
        found |= {case.contact_name, case.contact_email, case.contact_phone}
    for user in User.objects.all():
        found |= {user.email, getattr(user, "full_name", "")}
    return {value for value in found if value and len(value) > 3}


def test_the_demo_transparency_page_has_real_numbers_and_no_personal_data(client, demo_city):
    page = client.get("/transparency/").content.decode()
    headlines = re.findall(r'font-heading-xl margin-y-1">([^<]*)', page)
    assert len(headlines) == 4 and headlines[0] not in ("0", "—"), headlines
    assert 'data-testid="services-table"' in page and "<canvas" in page
    private = personal_data()
    assert "ana.garcia@example.org" in private  # the check below has something to find
    for value in private:
        assert value not in page, value


def test_no_dataset_output_holds_personal_data(client, demo_city):
    private = personal_data()
    outputs = [client.get("/data.json").content.decode()]
    for dataset in registry.all_datasets():
        csv_text = b"".join(client.get(f"/data/{dataset.slug}.csv").streaming_content).decode()
        outputs += [csv_text, client.get(f"/data/{dataset.slug}.json").content.decode()]
        assert csv_text.count("\n") >= 1
    text = "\n".join(outputs)
    performance = client.get("/data/service-performance.json", {"limit": "10000"}).json()["data"]
    services = {r["service"] for r in performance if r["completed"]}
    assert {"police_report", "permit", "facility_booking", "streetlight"} <= services
    assert any(r["cost_per_transaction_usd"] for r in performance)
    units = client.get("/data/facility-utilization.json").json()["data"]
    assert units and all(r["open_hours"] >= r["booked_hours"] for r in units)
    assert "service-requests-streetlight" in text  # the demo marks one formbuilder service
    for value in private:
        assert value not in text, value
