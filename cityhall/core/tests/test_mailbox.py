import pytest
from django.core.mail import EmailMultiAlternatives, get_connection


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.EMAIL_MAILBOX_DIR = tmp_path / "mailbox"
    settings.DEBUG = True
    return get_connection("cityhall.core.mailbox.MailboxBackend")


def _send(connection, to="ana@example.org", subject="Your report LP-2026-00427-K"):
    message = EmailMultiAlternatives(
        subject,
        "Plain body https://example.org/track",
        "city@example.org",
        [to],
        connection=connection,
    )
    message.attach_alternative("<p>HTML <b>body</b></p>", "text/html")
    message.attach("report.pdf", b"%PDF-1.4 fake", "application/pdf")
    message.send()


def test_mailbox_lists_and_shows_messages(staff_client, mailbox):
    client, _ = staff_client("city_admin")
    _send(mailbox)
    _send(mailbox, to="other@example.org", subject="Other")
    listing = client.get("/dev/mailbox/").content.decode()
    assert "Your report LP-2026-00427-K" in listing and "Other" in listing
    filtered = client.get("/dev/mailbox/?to=ana@").content.decode()
    assert "Other</a>" not in filtered

    from cityhall.core.mailbox import list_messages

    item = list_messages(to="ana@example.org")[0]
    detail = client.get(f"/dev/mailbox/{item.id}/").content.decode()
    assert "Plain body" in detail
    assert "&lt;p&gt;HTML &lt;b&gt;body&lt;/b&gt;&lt;/p&gt;" in detail  # escaped inside srcdoc
    assert "report.pdf" in detail
    attachment = client.get(f"/dev/mailbox/{item.id}/attachments/0")
    assert attachment.content == b"%PDF-1.4 fake"
    assert attachment["Content-Type"] == "application/pdf"


def test_mailbox_is_for_staff_and_hidden_when_debug_is_off(
    client, resident, staff_client, mailbox, settings
):
    _send(mailbox)
    assert client.get("/dev/mailbox/").status_code == 302  # sign in first
    client.force_login(resident)
    assert client.get("/dev/mailbox/").status_code == 403
    staff, _ = staff_client("analyst")
    assert staff.get("/dev/mailbox/").status_code == 200
    settings.DEBUG = False
    assert staff.get("/dev/mailbox/").status_code == 404


def test_mailbox_rejects_path_tricks(staff_client, mailbox):
    client, _ = staff_client("city_admin")
    assert client.get("/dev/mailbox/..%2Fsecret_key/").status_code == 404
    assert client.get("/dev/mailbox/nope/attachments/0").status_code == 404
