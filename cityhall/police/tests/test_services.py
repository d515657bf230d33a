from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cityhall.cases.errors import IllegalTransition, NotAllowed
from cityhall.cases.models import Case, EventKind
from cityhall.cases.references import parse_reference
from cityhall.notifications.models import Notification
from cityhall.police import decisions, services
from cityhall.police.models import PoliceReport, PoliceSettings, RmsExport
from cityhall.police.selectors import flags_for, search_serial
from cityhall.police.services import ReportError

from .conftest import bike, reporter


def _draft(**changes):
    report = services.start_report(reporter=reporter(**changes), eligibility={"emergency": "no"})
    services.update_incident(
        report=report,
        kind="stolen",
        occurred_from=timezone.now() - timedelta(days=1),
        occurred_to=None,
        location="200 N Spring St",
    )
    services.update_narrative(report=report, narrative="Taken.")
    return report


def test_filed_report_is_submitted_with_tracking_number_and_acknowledged(file_report):
    report = file_report()
    case = report.case
    assert case.status == "submitted" and case.reference.startswith("LP-")
    parse_reference(case.reference)
    assert case.expected_decision_at == case.submitted_at + timedelta(days=1)
    item = report.items.get()
    assert (item.category, item.loss_type, item.serial_normalized) == ("04", "7", "WTU123G4567")
    assert report.total_value_cents == 89900
    assert report.phone == "+12135550147"
    email = Notification.objects.get(case=case)
    assert (
        email.kind == "police_received"
        and email.language == "es"
        and case.reference in email.subject
    )


def test_lost_items_have_no_nibrs_loss_type(file_report):
    report = file_report(incident_changes={"kind": "lost"})
    assert report.items.get().loss_type == ""


@pytest.mark.parametrize(
    "phone", ["(213) 555-0147", "213.555.0147", "+1 213 555 0147", "2135550147", "1-213-555-0147"]
)
def test_phone_numbers_in_any_common_format(db, phone):
    report = services.start_report(reporter=reporter(phone=phone), eligibility={})
    assert report.phone == "+12135550147"


def test_bad_phone_is_refused(db):
    with pytest.raises(ValidationError):
        services.start_report(reporter=reporter(phone="555-01"), eligibility={})
    assert not Case.objects.exists()


def test_names_with_accents_and_emoji_are_kept_exactly(file_report):
    report = file_report(reporter_changes={"first_name": "José 🚲", "last_name": "Núñez-Ibáñez"})
    report.refresh_from_db()
    assert (report.first_name, report.last_name) == ("José 🚲", "Núñez-Ibáñez")


@pytest.mark.parametrize(
    "changes",
    [
        {"occurred_from": timezone.now() + timedelta(days=1)},
        {"occurred_to": timezone.now() - timedelta(days=5)},  # before the start
        {"occurred_to": timezone.now() + timedelta(hours=2)},
        {"occurred_from": timezone.now() - timedelta(days=365 * 4)},
    ],
)
def test_impossible_dates_are_refused(file_report, changes):
    with pytest.raises(ValidationError):
        file_report(incident_changes=changes)
    assert not Case.objects.exists()


@pytest.mark.parametrize("value", [-1, 100_000_001])
def test_negative_or_absurd_values_are_refused(file_report, value):
    with pytest.raises(ValidationError):
        file_report(items=[bike(value_cents=value)])
    assert not PoliceReport.objects.exists()


def test_zero_items_cannot_be_submitted(db):
    report = _draft()
    with pytest.raises(ReportError, match="At least one item"):
        services.submit_report(report=report, declaration_accepted=True)
    assert report.case.status == "draft"


def test_fifty_items_but_not_fifty_one(db):
    report = _draft()
    for n in range(50):
        services.add_item(report=report, item=bike(serial_number=f"S{n}", value_cents=100))
    with pytest.raises(ReportError, match="at most 50"):
        services.add_item(report=report, item=bike(value_cents=100))
    assert report.items.count() == 50
    assert services.submit_report(report=report, declaration_accepted=True) is True


def test_declaration_is_required(db):
    report = _draft()
    services.add_item(report=report, item=bike())
    with pytest.raises(ReportError, match="Confirm"):
        services.submit_report(report=report, declaration_accepted=False)


def test_thefts_above_the_online_limit_must_be_reported_by_phone(db):
    settings = PoliceSettings.current()
    settings.online_value_limit_cents = 50_000
    settings.save()
    report = _draft()
    services.add_item(report=report, item=bike(value_cents=89900))
    with pytest.raises(ReportError, match="cannot be reported online"):
        services.submit_report(report=report, declaration_accepted=True)


def test_double_submit_sends_once(db):
    report = _draft()
    services.add_item(report=report, item=bike())
    assert services.submit_report(report=report, declaration_accepted=True) is True
    assert services.submit_report(report=report, declaration_accepted=True) is False
    assert Notification.objects.filter(kind="police_received").count() == 1
    assert report.case.events.filter(to_status="submitted").count() == 1


def test_sent_reports_cannot_be_changed(file_report):
    report = file_report()
    with pytest.raises(ReportError):
        services.update_narrative(report=report, narrative="changed")
    with pytest.raises(ReportError):
        services.add_item(report=report, item=bike())


def test_approval_gives_a_permanent_number_and_queues_pdf_email_and_export(file_report, officer):
    from django_tasks_db.models import DBTaskResult

    report = file_report()
    number = decisions.approve_report(report=report, officer=officer)
    assert number.startswith("PD-") and parse_reference(number)
    case = Case.objects.get(pk=report.case_id)
    assert case.status == "approved" and case.decided_by == officer
    assert RmsExport.objects.filter(report=report).exists()
    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert "cityhall.police.tasks.issue_approved_report" in queued
    # No records system configured: nothing to send, and the timeline says so.
    assert "cityhall.police.tasks.export_to_rms" not in queued
    assert report.case.events.filter(
        kind=EventKind.EXPORT, payload__outcome__startswith="skipped"
    ).exists()
    with pytest.raises(IllegalTransition):
        decisions.approve_report(report=report, officer=officer)
    assert PoliceReport.objects.get(pk=report.pk).report_number == number


def test_issuing_the_approved_report_pdf_and_email(file_report, officer):
    from io import BytesIO

    from pypdf import PdfReader

    from cityhall.police.tasks import issue_approved_report

    report = file_report(reporter_changes={"language": "en"})
    decisions.approve_report(report=report, officer=officer)
    assert issue_approved_report.call(report.pk) == "issued"
    assert issue_approved_report.call(report.pk) == "already issued"
    email = Notification.objects.get(kind="police_approved")
    assert email.status == "delivered"  # sent straight away by the task (memory backend)
    [attachment] = email.attachments.all()
    from django.core.files.storage import default_storage

    with default_storage.open(attachment.storage_name, "rb") as handle:
        pages = PdfReader(BytesIO(handle.read())).pages
        text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    for expected in [
        report.report_number,
        "Ana García",
        "WTU 123 G4567",
        "$899.00",
        "Officer Dana Reyes",
        report.case.reference,
    ]:
        assert expected in text


def test_reviewer_cannot_approve_above_the_supervisor_limit(file_report, officer, supervisor):
    settings = PoliceSettings.current()
    settings.supervisor_review_above_cents = 50_000
    settings.save()
    report = file_report()
    with pytest.raises(ReportError, match="supervisor"):
        decisions.approve_report(report=report, officer=officer)
    decisions.refer_to_supervisor(report=report, officer=officer, note="Expensive bike")
    assert Case.objects.get(pk=report.case_id).status == "supervisor_review"
    decisions.approve_report(report=report, officer=supervisor)
    assert Case.objects.get(pk=report.case_id).status == "approved"


def test_reject_with_reason_and_private_note(file_report, officer, rejection_reason):
    report = file_report()
    decisions.reject_report(
        report=report, officer=officer, reason=rejection_reason, note="Happened in Glendale"
    )
    case = Case.objects.get(pk=report.case_id)
    assert case.status == "rejected"
    email = Notification.objects.get(kind="police_rejected")
    assert "Fuera de nuestra jurisdicción" in email.body_text  # the resident's language
    assert "Comuníquese con la policía" in email.body_text
    assert "Glendale" not in email.body_text  # the note is private


def test_request_information_amend_and_resubmit(file_report, officer):
    report = file_report()
    decisions.request_information(
        report=report, officer=officer, message="What colour is the bike?"
    )
    case = Case.objects.get(pk=report.case_id)
    assert case.status == "info_requested" and case.deadline_at
    email = Notification.objects.get(kind="police_info_requested")
    assert "What colour is the bike?" in email.body_text and "/amend/" in email.body_text
    report.refresh_from_db()
    services.update_narrative(report=report, narrative="Taken from the rack. It is red.")
    assert services.submit_report(report=report, declaration_accepted=True) is True
    assert Case.objects.get(pk=report.case_id).status == "submitted"
    assert Notification.objects.filter(kind="police_resubmitted").count() == 1


def test_no_answer_reminds_then_closes(file_report, officer):
    from cityhall.cases.services import process_deadlines

    report = file_report()
    decisions.request_information(report=report, officer=officer, message="Serial number?")
    deadline = Case.objects.get(pk=report.case_id).deadline_at
    process_deadlines(now=deadline - timedelta(days=2))
    assert Notification.objects.filter(kind="police_info_reminder").count() == 1
    process_deadlines(now=deadline + timedelta(minutes=1))
    assert Case.objects.get(pk=report.case_id).status == "expired"
    assert Notification.objects.filter(kind="police_expired").count() == 1


def test_only_police_roles_decide(file_report, make_user):
    clerk = make_user("clerk@staff.example.org", roles=["finance_clerk"])
    report = file_report()
    with pytest.raises(NotAllowed):
        decisions.approve_report(report=report, officer=clerk)
    assert Case.objects.get(pk=report.case_id).status == "submitted"


def test_officer_recodes_categories_before_approval(file_report, officer):
    report = file_report()
    item = report.items.get()
    assert decisions.recode_items(report=report, officer=officer, categories={item.pk: "76"}) == 1
    item.refresh_from_db()
    assert item.category == "76"
    assert report.case.events.filter(
        kind=EventKind.AMENDED, payload__categories__isnull=False
    ).exists()
    with pytest.raises(ReportError):
        decisions.recode_items(report=report, officer=officer, categories={item.pk: "99"})


def test_counter_reports_are_recorded_as_such(file_report, officer):
    report = file_report(channel="counter", recorded_by=officer)
    assert (report.case.channel, report.case.recorded_by) == ("counter", officer)
    assert report.case.status == "submitted"


def test_flags_duplicate_serial_stolen_and_high_value(file_report, officer):
    settings = PoliceSettings.current()
    settings.high_value_flag_cents = 50_000
    settings.save()
    first = file_report(items=[bike(value_cents=10_000)])
    decisions.approve_report(report=first, officer=officer)
    second = file_report(
        reporter_changes={"email": "other@example.org", "phone": "(310) 555-0100"},
        items=[
            bike(serial_number="wtu-123-g4567", value_cents=1_000),
            bike(serial_number="X1", value_cents=60_000),
        ],
    )
    third = file_report(
        reporter_changes={"phone": "(415) 555-0101"},
        items=[bike(serial_number="ZZ9", value_cents=100)],
    )
    flags = flags_for([second, third])
    assert flags[second.pk].serial_reported_stolen == [first.case.reference]
    assert first.case.reference in flags[second.pk].possible_duplicate
    assert flags[second.pk].high_value
    assert first.case.reference in flags[third.pk].possible_duplicate  # same email
    assert not flags[third.pk].serial_reported_stolen
    assert not flags[third.pk].high_value


def test_serial_search_ignores_spaces_dashes_and_case(file_report):
    report = file_report()
    for typed in ["WTU 123 G4567", "wtu123g4567", "WTU-123-G4567", " wtu 123-g4567 "]:
        assert [i.report_id for i in search_serial(typed)] == [report.pk]
    assert not list(search_serial("WTU123"))
    assert not list(search_serial("---"))


def test_sweeper_requeues_an_approval_whose_pdf_task_was_lost(file_report, officer):
    from django_tasks_db.models import DBTaskResult

    from cityhall.police.tasks import issue_approved_report, sweep_approved_reports

    report = file_report()
    decisions.approve_report(report=report, officer=officer)
    DBTaskResult.objects.all().delete()  # the PDF task was lost
    assert sweep_approved_reports.call() == {"documents": 0, "exports": 0}  # too recent to judge
    Case.objects.filter(pk=report.case_id).update(decided_at=timezone.now() - timedelta(minutes=11))
    assert sweep_approved_reports.call()["documents"] == 1
    assert DBTaskResult.objects.filter(task_path__endswith="issue_approved_report").count() == 1
    issue_approved_report.call(report.pk)
    assert sweep_approved_reports.call()["documents"] == 0


def test_rms_url_without_a_secret_is_a_configuration_error(settings):
    from cityhall.police.checks import rms_configuration

    settings.CITYHALL_RMS_URL = "https://rms.example.org/intake"
    settings.CITYHALL_RMS_SECRET = ""
    assert [e.id for e in rms_configuration(None)] == ["cityhall.police.E001"]
    settings.CITYHALL_RMS_SECRET = "s3cret"
    assert rms_configuration(None) == []


def test_the_access_log_outlives_a_purged_report(file_report, officer, settings):
    from cityhall.cases.models import PersonalDataView
    from cityhall.cases.services import record_personal_data_view

    report = file_report()
    record_personal_data_view(case=report.case, viewer=officer, what="police report")
    reference = report.case.reference
    report.case.delete()
    view = PersonalDataView.objects.get()
    assert (view.case, view.case_reference, view.viewer) == (None, reference, officer)


def test_serial_search_puts_exact_matches_first(file_report):
    loose = file_report(items=[bike(serial_number="wtu-123-g4567")])
    exact = file_report(reporter_changes={"email": "b@example.org", "phone": "(310) 555-0100"})
    assert [i.report_id for i in search_serial("WTU 123 G4567")] == [exact.pk, loose.pk]
    assert [i.report_id for i in search_serial("wtu-123-g4567")] == [loose.pk, exact.pk]
