from django.core.management import call_command
from django.urls import reverse

from cityhall.accounts.models import ApiToken, User


def test_sign_up_keeps_what_was_typed_when_the_password_is_too_short(client, db):
    response = client.post(
        reverse("accounts:sign-up"),
        {
            "full_name": "José Núñez 🌵",
            "email": "jose@example.org",
            "preferred_language": "es",
            "password": "short",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "at least 15 characters" in body
    assert 'value="José Núñez 🌵"' in body
    assert 'value="jose@example.org"' in body
    assert not User.objects.exists()


def test_sign_up_then_account_page(client, db):
    response = client.post(
        reverse("accounts:sign-up"),
        {
            "full_name": "José Núñez",
            "email": "jose@example.org",
            "preferred_language": "es",
            "password": "mi casa tiene tres ventanas",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:account")
    user = User.objects.get()
    assert (user.full_name, user.preferred_language) == ("José Núñez", "es")
    response = client.post(
        reverse("accounts:account"), {"full_name": "José N.", "preferred_language": "en"}
    )
    user.refresh_from_db()
    assert user.full_name == "José N."


def test_sign_up_twice_says_the_account_exists(client, resident):
    response = client.post(
        reverse("accounts:sign-up"),
        {
            "full_name": "X",
            "email": "RESIDENT@example.org",
            "preferred_language": "en",
            "password": "a long enough passphrase",
        },
    )
    assert b"already exists" in response.content


def test_api_token_command_prints_a_working_token(make_user, capsys):
    make_user("robot@staff.example.org", roles=["analyst"])
    call_command("api_token", "robot@staff.example.org", "--name", "ci")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("ch_")
    token = ApiToken.objects.get()
    call_command("api_token", "robot@staff.example.org", "--revoke", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is not None
