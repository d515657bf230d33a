"""The approved report's PDF and email (one worker task): rendered before its
transaction, few statements, and never twice however often the task runs."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityhall.documents import services as documents
from cityhall.documents.models import Document
from cityhall.notifications.models import Notification
from cityhall.police import decisions, services
from cityhall.police.tasks import issue_approved_report
from cityhall.testing import in_parallel

from .conftest import bike, incident, reporter

# Measured at 18 (BEGIN and COMMIT, or the test's savepoints, included): the
# report and its items; then, in one transaction, the lock, the "already
# issued?" check, the document (its savepoint: a verification code drawn twice
# is drawn again), its timeline row, the email (written already claimed for
# this task) and its attachment; then, in one transaction, "delivered" and its
# timeline row.
ISSUE_MAX_STATEMENTS = 18


def _approved(officer, n=0):
    report = services.file_report(
        reporter=reporter(email=f"r{n}@example.org"),
        incident=incident(),
        items=[bike(serial_number=f"SN-{n}-{k}", value_cents=9_900) for k in range(5)],
        declaration_accepted=True,
    )
    decisions.approve_report(report=report, officer=officer)
    return report


def test_issuing_takes_a_bounded_number_of_statements(officer):
    issue_approved_report.call(_approved(officer, 0).pk)  # the first draws on cold caches
    report = _approved(officer, 1)
    with CaptureQueriesContext(connection) as queries:
        assert issue_approved_report.call(report.pk) == "issued"
    statements = [q["sql"] for q in queries.captured_queries]
    listing = "\n".join(s[:120] for s in statements)
    assert len(statements) <= ISSUE_MAX_STATEMENTS, f"{len(statements)} statements:\n{listing}"
    assert Notification.objects.get(case=report.case, kind="police_approved").status == (
        "delivered"
    )


def test_the_pdf_is_rendered_before_the_transaction_opens(officer, monkeypatch):
    report = _approved(officer)
    outside = len(connection.atomic_blocks)
    depths = []
    render = documents.render_pdf

    def watched(spec):
        depths.append(len(connection.atomic_blocks))
        return render(spec)

    monkeypatch.setattr(documents, "render_pdf", watched)
    assert issue_approved_report.call(report.pk) == "issued"
    assert depths == [outside]


@pytest.mark.django_db(transaction=True)
def test_the_task_run_twice_at_once_issues_and_sends_once(make_user):
    officer = make_user("officer@staff.example.org", roles=["police_reviewer"])
    report = _approved(officer)
    mail.outbox = []

    results, errors = in_parallel(lambda _i: issue_approved_report.call(report.pk), 2)

    assert not errors, errors
    assert sorted(results.values()) == ["already issued", "issued"]
    assert Document.objects.filter(case=report.case).count() == 1
    assert Notification.objects.filter(case=report.case, kind="police_approved").count() == 1
    pdf_name = f"police-report-{report.report_number}.pdf"
    sent = [m for m in mail.outbox if any(a[0] == pdf_name for a in m.attachments)]
    assert len(sent) == 1


def test_a_pdf_lost_from_storage_is_a_404_for_the_officer_not_a_500(officer, staff_client, caplog):
    from django.core.files.storage import default_storage
    from django.urls import reverse

    report = _approved(officer, 3)
    issue_approved_report.call(report.pk)
    document = Document.objects.get(case=report.case)
    default_storage.delete(document.file.name)  # a restore without the media folder, say
    client, _user = staff_client("police_reviewer", email="second@staff.example.org")
    url = reverse(
        "police:document",
        kwargs={"reference": report.case.reference, "code": document.verification_code},
    )
    response = client.get(url)
    assert response.status_code == 404
    assert "a stored file is missing" in caplog.text
