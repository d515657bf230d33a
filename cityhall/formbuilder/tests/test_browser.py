"""The whole life of a service in headless Chromium, with axe-core on every page:
the digital team builds a three-page service with a conditional page and a fee
in the builder, previews and publishes it; a resident completes it in Spanish
and pays in the sandbox checkout; staff approve; the resident gets the PDF."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from cityhall.formbuilder.models import FormService, ServiceStatus, Submission
from cityhall.insights.models import CostModel, StaffRate
from cityhall.payments.models_fees import FeeRule, FeeSchedule, RuleKind
from cityhall.testing import assert_accessible, current_totp, pay_in_sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
BUILDER = "/staff/formbuilder/builder/"


@pytest.fixture(autouse=True)
def _site(settings, live_server):
    settings.CITY_SITE_URL = live_server.url
    settings.CITYHALL_PAYMENT_PROVIDER = "sandbox"
    settings.CITYHALL_CONVENIENCE_FEE_CENTS = 0
    settings.CITYHALL_CONVENIENCE_FEE_BPS = 0


@pytest.fixture
def schedule(db):
    schedule = FeeSchedule.objects.create(
        code="test-trees", name_en="Trees", name_es="Árboles", effective_from=date(2020, 1, 1)
    )
    FeeRule.objects.create(
        schedule=schedule,
        code="per_tree",
        label_en="Tree removal",
        label_es="Retiro de árbol",
        kind=RuleKind.PER_UNIT,
        resident_cents=4000,
        position=1,
    )


def submit(page):
    page.locator("main form.usa-form button[type=submit]").last.click()


def sign_in_staff(page, make_user):
    user = make_user("team@staff.example.org", roles=["digital_team", "city_admin"], password=PASSWORD)  # fmt: skip
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(page.base + BUILDER)
    page.fill("[name=username]", user.email)
    page.fill("[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/two-factor/"))
    page.fill("[name=code]", current_totp(device))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(BUILDER))


def add_question(page, n: int, i: int, *, key, type_, en, es, required=True, **more):
    page.goto(page.base + BUILDER + f"tree_removal/pages/{n}/")
    page.fill(f"[name=q-{i}-key]", key)
    page.select_option(f"[name=q-{i}-type]", type_)
    page.fill(f"[name=q-{i}-label_en]", en)
    page.fill(f"[name=q-{i}-label_es]", es)
    if required:
        page.locator(f"label[for=id_q-{i}-required]").click()
    for name, value in more.items():
        page.fill(f"[name=q-{i}-{name}]", value)
    submit(page)
    page.wait_for_url(re.compile(f"/pages/{n}/$"))


def build_service(page):
    page.goto(page.base + BUILDER)
    assert_accessible(page, "builder-index")
    page.goto(page.base + BUILDER + "new/")
    assert_accessible(page, "builder-create")
    page.fill("[name=code]", "tree_removal")
    page.fill("[name=prefix]", "TR")
    page.fill("[name=name_en]", "Remove or prune a street tree")
    page.fill("[name=name_es]", "Quitar o podar un árbol de la calle")
    submit(page)
    page.wait_for_url(re.compile("/tree_removal/$"))
    assert_accessible(page, "builder-service-new")

    # Page 1: a choice. A bad options line is shown next to it, what was typed kept.
    page.goto(page.base + BUILDER + "tree_removal/pages/1/")
    assert_accessible(page, "builder-page-new")
    for name, value in {"key": "what", "title_en": "What", "title_es": "Qué"}.items():
        page.fill(f"[name={name}]", value)
    page.fill("[name=q-0-key]", "kind")
    page.select_option("[name=q-0-type]", "choice")
    page.fill("[name=q-0-label_en]", "What should we do?")
    page.fill("[name=q-0-label_es]", "¿Qué debemos hacer?")
    page.fill("[name=q-0-choices]", "remove | Remove it")
    submit(page)
    page.locator("#id_q-0-choices_error").wait_for()
    assert page.input_value("[name=q-0-choices]") == "remove | Remove it"
    assert_accessible(page, "builder-page-errors")
    page.fill("[name=q-0-choices]", "remove | Remove it | Quitarlo\nprune | Prune it | Podarlo")
    page.locator("label[for=id_q-0-required]").click()
    submit(page)
    page.wait_for_url(re.compile("/pages/1/$"))
    assert_accessible(page, "builder-page-saved")

    # Page 2 only when removing; page 3 a declaration.
    page.goto(page.base + BUILDER + "tree_removal/pages/2/")
    for name, value in {"key": "removal", "title_en": "Removal", "title_es": "Retiro",
                        "show_if_question": "kind", "show_if_equals": "remove"}.items():  # fmt: skip
        page.fill(f"[name={name}]", value)
    submit(page)  # a page without questions is kept, and its problem listed
    page.wait_for_url(re.compile("/pages/2/$"))
    assert "has no questions" in page.inner_text("main")
    add_question(page, 2, 0, key="trees", type_="integer", en="How many trees?",
                 es="¿Cuántos árboles?", min="1", max="5")  # fmt: skip
    page.goto(page.base + BUILDER + "tree_removal/pages/3/")
    for name, value in {"key": "declare", "title_en": "Declaration", "title_es": "Declaración"}.items():  # fmt: skip
        page.fill(f"[name={name}]", value)
    submit(page)
    page.wait_for_url(re.compile("/pages/3/$"))
    add_question(page, 3, 0, key="owner", type_="declaration", en="I own the land.",
                 es="Soy dueño del terreno.")  # fmt: skip

    page.goto(page.base + BUILDER + "tree_removal/")
    settings = {
        "summary_en": "Ask the city to remove or prune a tree.",
        "summary_es": "Pida a la ciudad quitar o podar un árbol.",
        "target_days": "15",
        "approved_message_en": "Approved: the crew will come.",
        "approved_message_es": "Aprobado: vendrá el equipo.",
        "rejected_message_en": "Not approved.",
        "rejected_message_es": "No aprobado.",
        "document_title_en": "Tree work order",
        "document_title_es": "Orden de trabajo de árbol",
        "fee_schedule": "test-trees",
        "fee_items": "per_tree | trees",
    }
    for name, value in settings.items():
        page.fill(f"[name={name}]", value)
    page.locator("label[for=id_document]").click()
    submit(page)
    page.wait_for_url(re.compile("/tree_removal/$"))
    assert "The draft is ready to publish" in page.inner_text("main")
    assert_accessible(page, "builder-service-ready")

    page.goto(page.base + "/es" + BUILDER + "tree_removal/preview/what/")
    assert "Podarlo" in page.inner_text("main")
    assert_accessible(page, "builder-preview-es")
    page.goto(page.base + BUILDER + "tree_removal/json/")
    assert_accessible(page, "builder-json")
    page.goto(page.base + BUILDER + "import/")
    assert_accessible(page, "builder-import")
    page.goto(page.base + BUILDER + "tree_removal/")
    page.locator("form[action$='/publish/'] button").click()
    page.wait_for_url(re.compile("/tree_removal/$"))
    assert FormService.objects.get(code="tree_removal").status == ServiceStatus.PUBLISHED
    assert_accessible(page, "builder-published")
    enter_cost_inputs(page)


def enter_cost_inputs(page):
    """The builder leads to the service's cost model, which insights reads."""
    StaffRate.objects.create(role="arborist", hourly_cents=4500, effective_from=date(2020, 1, 1))
    page.locator("a[href$='/staff/insights/services/tree_removal/costs/']").click()
    page.wait_for_url(re.compile("/tree_removal/costs/$"))
    assert_accessible(page, "builder-costs")
    page.fill("[name=model-effective_from]", "2026-01-01")
    page.fill("[name=model-review_minutes]", "25")
    page.fill("[name=model-postage_cents]", "forty cents")
    page.locator("form:has([name=part][value=model]) button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert page.input_value("[name=model-review_minutes]") == "25"
    assert_accessible(page, "builder-costs-errors")
    page.select_option("[name=model-review_role]", "arborist")
    page.fill("[name=model-postage_cents]", "0.73")
    page.locator("form:has([name=part][value=model]) button[type=submit]").click()
    page.wait_for_url(re.compile("channel=counter"))
    model = CostModel.objects.get(service="tree_removal", channel="counter")
    assert (model.review_minutes, model.review_role, model.postage_cents) == (25, "arborist", 73)


def resident_applies_in_spanish_and_pays(page):
    page.goto(page.base + "/es/services/tree_removal/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page, "es-start")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/page/what/"))
    assert_accessible(page, "es-what")
    page.locator("label[for=id_kind_0]").click()
    page.locator("button[name=continue]").click()
    page.wait_for_url(re.compile("/page/removal/"))  # the conditional page is shown
    page.fill("[name=trees]", "9")
    page.locator("button[name=continue]").click()
    page.locator("#error-summary").wait_for()
    assert page.input_value("[name=trees]") == "9"
    assert_accessible(page, "es-removal-errors")
    page.fill("[name=trees]", "2")
    page.locator("button[name=continue]").click()
    page.wait_for_url(re.compile("/page/declare/"))
    page.locator("label[for=id_owner]").click()
    page.locator("button[name=continue]").click()
    page.wait_for_url(re.compile("/contact/"))
    assert_accessible(page, "es-contact")
    page.fill("[name=name]", "Ana García")
    page.fill("[name=email]", "ana@example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/check/"))
    assert "$80.00" in page.inner_text("main")
    assert_accessible(page, "es-check")
    page.locator("[data-prevent-double-submit]").click()
    page.wait_for_url(re.compile("/sent/"))
    assert_accessible(page, "es-sent")
    page.locator("form[action$='/pay/'] button").click()
    pay_in_sandbox(page)
    assert_accessible(page, "es-paid")


def test_build_publish_apply_in_spanish_pay_approve_and_get_the_pdf(
    page, browser, live_server, make_user, schedule
):
    sign_in_staff(page, make_user)
    build_service(page)

    resident = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    resident.base = live_server.url
    resident_applies_in_spanish_and_pays(resident)
    submission = Submission.objects.select_related("case").get()
    assert submission.case.status == "submitted" and submission.case.language == "es"
    assert submission.answers["trees"] == 2 and submission.fee_cents == 8000

    reference = submission.case.reference
    page.goto(page.base + f"/staff/formbuilder/cases/{reference}/")
    assert_accessible(page, "staff-case")
    page.locator("button[name=transition][value=approve]").click()
    page.wait_for_url(re.compile(f"/cases/{reference}/$"))
    submission.case.refresh_from_db()
    assert submission.case.status == "approved"

    mail.outbox.clear()
    call_command(
        "db_worker", batch=True, reload=False, startup_delay=False, verbosity=0, queue_name="*"
    )
    to_ana = [m for m in mail.outbox if m.to == ["ana@example.org"]]  # the receipt, too
    [email] = [m for m in to_ana if "Aprobado: vendrá el equipo." in m.body]
    _name, content, kind = email.attachments[0]
    assert kind == "application/pdf"
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages
    )
    for expected in (reference, "Orden de trabajo de árbol", "Quitarlo", "Soy dueño del terreno."):
        assert expected in text, expected
