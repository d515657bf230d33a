"""The answer types the journey test does not reach: a declaration (its wording
and its message), a time and a file upload, through the resident's pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfWriter

from cityhall.formbuilder import services_builder
from cityhall.formbuilder.models import Submission
from cityhall.formbuilder.testing import definition, q

pytestmark = pytest.mark.django_db

WORDING_EN = "I declare the answers are true and the light is on public land."
WORDING_ES = "Declaro que las respuestas son verdaderas y el farol está en terreno público."


def _es(message: str) -> str:
    with translation.override("es"):
        return gettext(message)


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def started(make_user):
    pages = [
        {
            "key": "when",
            "title_en": "When",
            "title_es": "Cuándo",
            "questions": [
                q("noticed", "time"),
                q("photo", "file", file_types=["pdf"], label_en="Plan", label_es="Plano"),
            ],
        },
        {
            "key": "declare",
            "title_en": "Declaration",
            "title_es": "Declaración",
            "questions": [q("truth", "declaration", label_en=WORDING_EN, label_es=WORDING_ES)],
        },
    ]
    maker = make_user("maker@staff.example.org", roles=["digital_team"])
    service = services_builder.create_service(
        raw=definition(pages=pages, document=False), actor=maker
    )
    services_builder.publish(service=service, actor=maker)
    resident = Client()
    base = resident.post("/es/services/streetlight/")["Location"].rsplit("page/", 1)[0]
    return resident, base


def test_time_and_file_answers_are_checked_and_kept(started):
    resident, base = started
    not_a_pdf = SimpleUploadedFile("plan.pdf", b"hello, not a pdf", "application/pdf")
    bad = resident.post(base + "page/when/", {"noticed": "25:99", "photo": not_a_pdf})
    body = bad.content.decode()
    assert bad.status_code == 200 and "error-summary" in body
    assert _es("Enter a time like 14:30.") in body
    assert 'value="25:99"' in body  # what was typed stays
    assert Submission.objects.get().answers.get("photo") is None
    assert Submission.objects.get().answers.get("noticed") is None

    plan = SimpleUploadedFile("plano.pdf", _pdf(), "application/pdf")
    response = resident.post(base + "page/when/", {"noticed": "21:45", "photo": plan})
    assert response.status_code == 302 and response["Location"].endswith("/page/declare/")
    answers = Submission.objects.get().answers
    assert answers["noticed"] == "21:45"
    assert answers["photo"]["name"] == "plano.pdf"
    submission = Submission.objects.get()
    assert submission.case.attachments.filter(purpose="photo").count() == 1
    # Going back without choosing the file again keeps the file already sent.
    again = resident.post(base + "page/when/", {"noticed": "21:50"})
    assert again.status_code == 302
    assert Submission.objects.get().answers["photo"]["name"] == "plano.pdf"


def test_the_declaration_shows_its_wording_and_asks_to_tick_it(started):
    resident, base = started
    resident.post(
        base + "page/when/",
        {"noticed": "08:00", "photo": SimpleUploadedFile("p.pdf", _pdf(), "application/pdf")},
    )
    page = resident.get(base + "page/declare/").content.decode()
    assert WORDING_ES in page and WORDING_EN not in page
    unticked = resident.post(base + "page/declare/", {}).content.decode()
    assert _es("Tick the box to confirm.") in unticked
    assert _es("Answer this question.") not in unticked
    assert resident.post(base + "page/declare/", {"truth": "on"}).status_code == 302
    resident.post(base + "contact/", {"name": "Ana", "email": "ana@example.org"})
    check = resident.get(base + "check/").content.decode()
    assert WORDING_ES in check and "08:00" in check and "p.pdf" in check
    assert Submission.objects.get().answers["truth"] == "yes"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            _pdf() + b"%<script>alert(1)</script>",
            "plan.pdf",
            "%(name)s has web page code in it. Save it again as a plain PDF.",
        ),
        (b"<svg onload='alert(1)'/>", "plan.pdf", "%(name)s is not %(kinds)s."),
        (  # the disk is full
            None,
            "plan.pdf",
            "The city could not store %(name)s just now (no space left). Try again later.",
        ),
    ],
)
def test_hostile_files_and_a_full_disk_get_a_message_with_the_time_kept(
    started, monkeypatch, data, name, message
):
    from cityhall.cases.models import Attachment
    from cityhall.cases.testing import simulate_full_disk

    resident, base = started
    if data is None:
        simulate_full_disk(monkeypatch)
        data = _pdf()
    upload = SimpleUploadedFile(name, data, "application/pdf")
    response = resident.post(base + "page/when/", {"noticed": "07:15", "photo": upload})
    body = response.content.decode()
    expected = _es(message) % {"name": name, "kinds": _es("a PDF")}  # the resident reads Spanish
    assert response.status_code == 200 and expected in body
    assert 'value="07:15"' in body
    assert Submission.objects.get().answers.get("photo") is None
    assert not Attachment.objects.exists()
