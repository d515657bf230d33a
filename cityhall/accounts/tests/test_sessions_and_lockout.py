from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cityhall.accounts.middleware import LAST_SEEN_KEY


def _age_session(client, minutes):
    session = client.session
    session[LAST_SEEN_KEY] = (timezone.now() - timedelta(minutes=minutes)).timestamp()
    session.save()


def test_staff_session_ends_after_30_idle_minutes(staff_client):
    client, _user = staff_client("police_reviewer")
    assert client.get("/staff/").status_code == 200
    _age_session(client, 29)
    assert client.get("/staff/").status_code == 200
    _age_session(client, 31)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_resident_sessions_are_not_cut_at_30_minutes(client, resident):
    client.force_login(resident)
    _age_session(client, 120)
    assert client.get(reverse("accounts:account")).status_code == 200


def test_repeated_failures_lock_the_account(client, make_user):
    make_user("target@example.org", roles=["resident"], password="the right passphrase here")
    for _ in range(5):
        response = client.post(
            reverse("accounts:login"), {"username": "target@example.org", "password": "guess"}
        )
    assert response.status_code == 429
    response = client.post(
        reverse("accounts:login"),
        {"username": "target@example.org", "password": "the right passphrase here"},
    )
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_wrong_password_message_keeps_the_email(client, make_user):
    make_user("ana@example.org", roles=["resident"])
    response = client.post(
        reverse("accounts:login"), {"username": "ana@example.org", "password": "nope"}
    )
    assert response.status_code == 200
    assert b"do not match an account" in response.content
    assert b'value="ana@example.org"' in response.content


def test_pages_for_signed_in_people_are_not_cached(client, staff_client, resident):
    assert "no-store" not in client.get("/").get("Cache-Control", "")
    client.force_login(resident)
    assert "no-store" in client.get(reverse("accounts:account"))["Cache-Control"]
    staff, _user = staff_client("police_reviewer")
    assert "no-store" in staff.get("/staff/police/")["Cache-Control"]
