"""Bad input not covered page by page: a double click on submit, markup in
what applicants type, and values the schema refuses."""

import pytest
from django.urls import reverse

from cityhall.payments.models import Invoice
from cityhall.permits import services
from cityhall.permits.errors import PermitError
from cityhall.permits.models import PermitApplication
from cityhall.testing import in_parallel

from .conftest import complete_application


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_make_one_invoice(types, applicant):
    application = complete_application(applicant, types["small-construction"])

    def work(_i):
        services.submit_application(
            application=PermitApplication.objects.select_related("case", "permit_type").get(
                pk=application.pk
            ),
            actor=applicant,
        )
        return "submitted"

    results, errors = in_parallel(work, 2)
    assert list(results.values()) == ["submitted"]
    assert all(isinstance(e, PermitError) for e in errors.values())
    assert Invoice.objects.count() == 1


@pytest.mark.django_db
def test_markup_is_shown_as_text_and_accents_are_kept(client, types, applicant):
    application = services.start_application(user=applicant, permit_type=types["food-truck"])
    services.save_details(
        application=application,
        description='<script>alert("x")</script> Tacos ñ 🌮',
        answers={"business_name": "Taquería Ñandú <b>", "plate": "8ABC123"},
    )
    client.force_login(applicant)
    page = client.get(reverse("permits:check", args=[application.case.reference])).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page and "Tacos ñ 🌮" in page and "Taquería Ñandú &lt;b&gt;" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answers, key",
    [
        ({"event_date": "2020-01-01"}, "event_date"),  # in the past: must be 21 days ahead
        ({"event_date": "31/12/2026"}, "event_date"),
        ({"blocks": "4"}, "blocks"),
        ({"blocks": "two"}, "blocks"),
        ({"barricades": "maybe"}, "barricades"),
    ],
)
def test_values_outside_the_schema_are_refused(types, applicant, answers, key):
    from django.core.exceptions import ValidationError

    application = services.start_application(user=applicant, permit_type=types["block-party"])
    with pytest.raises(ValidationError) as error:
        services.save_details(application=application, description="Party", answers=answers)
    assert key in error.value.message_dict


@pytest.mark.django_db
def test_a_type_the_city_closed_takes_no_new_drafts_and_fails_the_check(types, applicant):
    fence = types["residential-fence"]
    application = complete_application(applicant, fence)
    fence.active = False
    fence.save()
    application.permit_type.refresh_from_db()
    with pytest.raises(PermitError):
        services.start_application(user=applicant, permit_type=fence)
    with pytest.raises(PermitError):
        services.submit_application(application=application, actor=applicant)


@pytest.mark.django_db
def test_no_page_takes_payment_for_an_application_that_stopped_passing_its_check(
    client, types, applicant
):
    """The city closes the type after the applicant submitted, before they paid:
    the pay link on the status page (payments' own page) refuses too."""
    from cityhall.payments.errors import InvoiceNotPayable
    from cityhall.payments.selectors import invoice_token
    from cityhall.payments.services import start_checkout

    fence = types["residential-fence"]
    application = complete_application(applicant, fence)
    services.submit_application(application=application, actor=applicant)
    application.refresh_from_db()
    invoice = application.invoice
    assert invoice is not None
    fence.active = False
    fence.save()
    with pytest.raises(InvoiceNotPayable, match="needs changes before it can be paid"):
        start_checkout(invoice=invoice)
    client.force_login(applicant)
    page = client.post(reverse("payments:checkout", args=[invoice_token(invoice)]), follow=True)
    assert page.status_code == 200
    assert "needs changes before it can be paid" in page.content.decode()
    assert not invoice.payments.exists()
    fence.active = True
    fence.save()
    assert start_checkout(invoice=invoice).invoice_id == invoice.pk  # fixed: payable again
