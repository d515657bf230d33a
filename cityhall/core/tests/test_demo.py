import pytest
from django.core.management import CommandError, call_command

from cityhall.accounts.models import User
from cityhall.core.demo import DEMO_PASSWORD
from cityhall.core.roles import STAFF_ROLES


def test_seed_demo_is_idempotent_and_prints_logins(db, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    second = capsys.readouterr().out
    logins = first[first.index("Demo logins") :]
    assert logins == second[second.index("Demo logins") :]
    from cityhall.police.models import PoliceReport

    assert PoliceReport.objects.count() == 4  # each service's demo data, once
    assert User.objects.count() == len(STAFF_ROLES) + 1
    for role in STAFF_ROLES:
        user = User.objects.get(email=f"{role}@staff.example.org")
        assert user.has_role(role)
        assert user.check_password(DEMO_PASSWORD)
        assert f"{role}@staff.example.org" in first
    assert "resident@example.org" in first
    assert DEMO_PASSWORD in first


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="published password"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_demo_code_matches_the_device(db, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet")
    call_command("demo_code", "analyst@staff.example.org")
    code = capsys.readouterr().out.strip().splitlines()[-1]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email="analyst@staff.example.org")
    assert device.verify_token(code)
