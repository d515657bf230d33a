"""The permits dataset through the views (keyset pages in SQL, filters, dates)
and a formbuilder service's counts (suppressed)."""

import csv
import io
from datetime import date, timedelta

import pytest

from cityhall.cases.models import Case
from cityhall.formbuilder.models import FormService
from cityhall.opendata import registry
from cityhall.opendata.registry import Query
from cityhall.permits.demo import create_types
from cityhall.permits.models import Contact, Permit, PermitApplication

from .conftest import moment

pytestmark = pytest.mark.django_db


@pytest.fixture
def permits():
    """Seven issued permits, one a day from 2026-03-01, fences and building alternately;
    the applicant's name, email and phone are on the case and the contact."""
    types = create_types()
    made = []
    for n in range(7):
        kind = types["residential-fence"] if n % 2 == 0 else types["small-construction"]
        issued = moment(2026, 3, 1 + n)
        case = Case.objects.create(
            reference=f"PM-2026-{n:05d}-X",
            service="permit",
            channel="online",
            status="issued",
            contact_name="Wanda Private",
            contact_email="wanda@example.org",
            contact_phone="+12135550123",
            submitted_at=issued - timedelta(days=3),
        )
        application = PermitApplication.objects.create(
            case=case,
            permit_type=kind,
            description="New fence",
            answers={"valuation": 1234500},
            street=f"{200 + n} N Harbor Blvd",
            zip_code="90731",
            city="Port Alder",
            state="CA",
        )
        Contact.objects.create(
            application=application,
            role="contractor",
            name="Wanda Private",
            company="Fences Co",
            email="wanda@example.org",
            licence_number="C-1",
        )
        made.append(
            Permit.objects.create(
                application=application,
                number=f"PMT-2026-{n:05d}-A",
                issued_at=issued,
                valid_from=issued.date(),
                valid_until=issued.date() + timedelta(days=365),
            )
        )
    return made


def test_json_pages_of_permits_follow_the_keyset_to_the_end(client, permits):
    numbers, url, params = [], "/data/permits-issued.json", {"limit": "3"}
    for _ in range(4):
        page = client.get(url, params).json()
        numbers += [r["PermitNum"] for r in page["data"]]
        if not page["next"]:
            break
        url, params = page["next"], None
    assert numbers == [p.number for p in permits]  # each once, in order
    record = client.get("/data/permits-issued.json", {"limit": "1"}).json()["data"][0]
    assert record["EstProjectCost"] == 12345.0 and record["IssuedDate"] == "2026-03-01"


def test_permits_filter_by_issued_dates_and_fields(client, permits):
    def numbers(**params):
        response = client.get("/data/permits-issued.csv", params)
        text = b"".join(response.streaming_content).decode()
        return [r["PermitNum"] for r in csv.DictReader(io.StringIO(text))]

    assert numbers(start="2026-03-02", end="2026-03-03") == [permits[1].number, permits[2].number]
    assert numbers(PermitType="Fence") == [p.number for p in permits[::2]]
    assert numbers(StatusCurrent="Issued") == [p.number for p in permits]
    assert numbers(StatusCurrent="Completed") == []


def test_permits_never_carry_the_applicants_details(client, permits):
    text = b"".join(client.get("/data/permits-issued.csv").streaming_content).decode()
    assert permits[0].number in text and "Fences Co" in text
    for private in ("Wanda", "wanda@example.org", "+12135550123", "555"):
        assert private not in text, private


def test_a_public_formbuilder_service_is_counted_by_month_and_status(db):
    service = FormService.objects.create(
        code="streetlight",
        prefix="SL",
        name_en="Streetlights",
        name_es="Faroles",
        publish_open_data=True,
    )
    plan = {"approved": 9, "rejected": 2, "submitted": 6}
    for status, n in plan.items():
        for i in range(n):
            Case.objects.create(
                reference=f"SL-{status}-{i}",
                service="streetlight",
                channel="online",
                status=status,
                contact_name="Private Person",
                submitted_at=moment(2026, 2),
            )
    Case.objects.create(  # a draft never sent is not counted
        reference="SL-draft",
        service="streetlight",
        channel="online",
        status="draft",
    )
    dataset = registry.get("service-requests-streetlight")
    rows = {r[1]: r for r in dataset.rows(Query(date(2026, 1, 1), date(2026, 12, 31)))}
    assert rows["ALL"][2:] == (17, "no")
    # 2 rejected is below 5: withheld with the next smallest (6 submitted).
    assert rows["rejected"][2:] == ("", "yes") and rows["submitted"][2:] == ("", "yes")
    assert rows["approved"][2:] == (9, "no")
    service.publish_open_data = False
    service.save()
    with pytest.raises(LookupError):
        registry.get("service-requests-streetlight")
