import hashlib
import io
import re
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from pypdf import PdfReader

from cityhall.cases.models import CaseEvent, EventKind
from cityhall.documents import codes, services
from cityhall.documents.errors import CorrectionReasonRequired, NotCurrentVersion, OtherCase
from cityhall.documents.models import Document
from cityhall.documents.pdf import DocumentSpec

from .factories import report_sections

CODE = re.compile(r"[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{5}-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{5}")


def correct(document, *, case=None, reason="Serial number of the laptop was wrong.", **extra):
    return services.issue_document(
        case=case or document.case,
        kind=document.kind,
        title=document.title,
        sections=report_sections(name="José Núñez Ortega"),
        supersedes=document,
        correction_reason=reason,
        **extra,
    )


def pdf_text(data: bytes) -> str:
    return " ".join(
        re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages
    )


def test_issue_stores_the_pdf_its_fingerprint_and_the_content(issued, case, officer):
    document = Document.objects.get(pk=issued.pk)
    assert CODE.fullmatch(document.verification_code)
    assert re.fullmatch(r"documents/\d{4}/[0-9a-f]{32}\.pdf", document.file.name)
    with document.file.open("rb") as f:
        data = f.read()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert len(data) == document.size
    assert (document.case, document.kind, document.language) == (case, "police_report", "en")
    assert document.issued_by == officer and document.is_current
    assert document.current_version() == document

    spec = DocumentSpec.from_dict(document.spec)
    assert spec.reference == case.reference
    assert spec.city_name == "City of Port Alder"
    assert spec.issued_at == document.issued_at
    assert spec.verification_code == document.verification_code
    assert spec.verification_url == (
        f"https://services.portalder.gov/verify/{document.verification_code}/"
    )
    text = pdf_text(data)
    assert case.reference in text and document.verification_code in text
    assert "José Núñez" in text


def test_issue_writes_a_public_timeline_event(issued, case, officer):
    event = CaseEvent.objects.filter(case=case, kind=EventKind.DOCUMENT).get()
    assert event.public and event.actor == officer
    assert event.payload == {
        "document": issued.pk,
        "code": issued.verification_code,
        "kind": "police_report",
    }


def test_the_verification_address_is_the_english_one_whatever_the_language(case):
    case.language = "es"
    document = services.issue_document(
        case=case, kind="police_report", title="Informe", sections=report_sections()
    )
    assert document.language == "es"
    assert document.spec["verification_url"].endswith(f"/verify/{document.verification_code}/")
    assert "/es/" not in document.spec["verification_url"]


def test_a_code_collision_draws_another_code(case, issued, monkeypatch):
    taken = issued.verification_code
    drawn = iter([taken, taken, "ZZZZZ-22222"])
    monkeypatch.setattr(services, "generate_code", lambda: next(drawn))
    document = services.issue_document(
        case=case, kind="police_report", title="Again", sections=report_sections()
    )
    assert document.verification_code == "ZZZZZ-22222"


def test_codes_are_normalised_from_what_people_type():
    assert codes.normalize_code(" abcde 23456 ") == "ABCDE-23456"
    # An en dash, as a phone keyboard types it.
    assert codes.normalize_code("abcde\u201323456") == "ABCDE-23456"
    assert codes.normalize_code("ABCDE23456") == "ABCDE-23456"
    for bad in ["", "ABCDE-2345", "ABCDO-23456", "ABCDE-234561", "ABCD1-23456"]:
        with pytest.raises(codes.InvalidCode):
            codes.normalize_code(bad)
    assert CODE.fullmatch(codes.generate_code())


def test_verify_upload_wants_the_same_bytes(issued):
    with issued.file.open("rb") as f:
        data = f.read()
    assert services.verify_upload(document=issued, data=data)
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    assert not services.verify_upload(document=issued, data=bytes(changed))
    assert not services.verify_upload(document=issued, data=data + b"\n")
    assert not services.verify_upload(document=issued, data=b"")


def test_a_correction_is_a_new_version_and_the_old_one_stays(issued, officer):
    new = correct(issued, issued_by=officer)
    old = Document.objects.get(pk=issued.pk)
    assert new.pk != old.pk and new.supersedes == old
    assert new.verification_code != old.verification_code
    assert not old.is_current and new.is_current
    assert old.current_version() == new
    assert old.sha256 == issued.sha256  # the old file and row are untouched
    assert new.correction_reason == "Serial number of the laptop was wrong."
    event = CaseEvent.objects.filter(kind=EventKind.DOCUMENT).last()
    assert event.payload["supersedes"] == old.verification_code
    assert event.reason == new.correction_reason

    newest = correct(new, reason="Address too.")
    assert Document.objects.get(pk=issued.pk).current_version() == newest


def test_correcting_a_version_that_was_already_corrected_is_refused(issued):
    correct(issued)
    documents, events = Document.objects.count(), CaseEvent.objects.count()
    with pytest.raises(NotCurrentVersion):
        correct(issued)
    assert (Document.objects.count(), CaseEvent.objects.count()) == (documents, events)


def test_a_correction_must_stay_on_its_case_and_say_why(issued, doc_service):
    from cityhall.cases import services as case_services

    other = case_services.open_case(service="doc_sample", contact_name="Someone else")
    with pytest.raises(OtherCase):
        correct(issued, case=other)
    with pytest.raises(CorrectionReasonRequired):
        correct(issued, reason="  ")
    assert Document.objects.count() == 1


def test_the_database_keeps_versions_a_single_chain(issued):
    correct(issued)
    fork = Document.objects.get(supersedes=issued)
    fork.pk = None
    fork.verification_code = "ZZZZZ-33333"
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save()


def test_control_characters_are_dropped_so_any_database_can_store_the_content(case):
    sections = report_sections(name="Ana\x00 García\ud800")
    document = services.issue_document(
        case=case, kind="police_report", title="Report\x07", sections=sections
    )
    document.refresh_from_db()
    assert document.spec["title"] == "Report"
    assert document.spec["sections"][0]["facts"][0] == ["Reported by", "Ana García"]


@pytest.mark.django_db(transaction=True)
def test_two_people_correcting_the_same_version_at_once_one_wins(issued):
    """Parallel connections (real ones on PostgreSQL) correct the same version at once."""
    count = 4
    outcomes: list[str] = []
    barrier = threading.Barrier(count)
    lock = threading.Lock()

    def attempt():
        try:
            barrier.wait()
            correct(issued)
            outcome = "corrected"
        except NotCurrentVersion:
            outcome = "refused"
        except BaseException as error:  # reported below
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["corrected"] + ["refused"] * (count - 1)
    assert Document.objects.filter(supersedes=issued).count() == 1
    assert Document.objects.count() == 2
