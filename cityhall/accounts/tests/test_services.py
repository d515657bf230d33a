import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from cityhall.accounts import services
from cityhall.accounts.models import ApiToken, User
from cityhall.core.roles import ROLES


def test_every_role_exists_as_a_group(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


def test_the_permit_inspector_role_is_a_staff_group_after_migrate(db):
    """Added after accounts 0002: its group comes from permits 0003."""
    assert Group.objects.filter(name="permit_inspector").exists()
    user = User.objects.create_user(email="ivan@staff.example.org", password="x" * 20)
    services.assign_role(user=user, role="permit_inspector")
    user.refresh_from_db()
    assert user.is_staff and user.is_city_staff and user.has_role("permit_inspector")


def test_city_admin_can_manage_users(db):
    admin_group = Group.objects.get(name="city_admin")
    codenames = set(admin_group.permissions.values_list("codename", flat=True))
    assert {"add_user", "change_user", "view_apitoken"} <= codenames


def test_register_resident_normalises_email_and_adds_role(db):
    user = services.register_resident(
        email="  Ana.Garcia@Example.ORG ", password="tres palabras largas", full_name="Ana García"
    )
    assert user.email == "ana.garcia@example.org"
    assert user.role_codes == {"resident"}
    assert not user.is_city_staff
    assert user.check_password("tres palabras largas")


def test_register_refuses_a_second_account_for_the_same_email(db):
    services.register_resident(email="ana@example.org", password="tres palabras largas")
    with pytest.raises(services.AccountError):
        services.register_resident(email="ANA@example.org", password="tres palabras largas")
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "password",
    ["short pass", "aaaaaaaaaaaaaaaaaa", "password1234567890"[:8] * 2, "x" * 129],
)
def test_resident_passwords_follow_nist_rules(db, password):
    with pytest.raises(ValidationError):
        services.register_resident(email="ana@example.org", password=password)
    assert not User.objects.exists()


def test_staff_need_only_eight_characters_since_they_have_a_second_factor(make_user):
    from django.contrib.auth.password_validation import validate_password

    officer = make_user("o@staff.example.org", roles=["police_reviewer"])
    validate_password("kx7 Lm2q", officer)  # does not raise
    with pytest.raises(ValidationError):
        validate_password("kx7Lm2q", officer)


def test_api_token_is_stored_hashed_and_revocable(make_user):
    user = make_user("robot@staff.example.org", roles=["analyst"])
    issued = services.issue_api_token(user=user, name="dashboard")
    token = ApiToken.objects.get()
    assert issued.raw not in (token.key_hash, token.prefix)
    assert issued.raw.startswith(f"ch_{token.prefix}_")
    assert services.authenticate_api_token(issued.raw) == user
    token.refresh_from_db()
    assert token.last_used_at is not None
    services.revoke_api_token(token=token)
    assert services.authenticate_api_token(issued.raw) is None
    assert services.authenticate_api_token("ch_bogus") is None
    assert services.authenticate_api_token("") is None


def test_inactive_users_tokens_stop_working(make_user):
    user = make_user("gone@staff.example.org", roles=["analyst"])
    raw = services.issue_api_token(user=user).raw
    user.is_active = False
    user.save()
    assert services.authenticate_api_token(raw) is None


def test_reset_second_factor_removes_devices(make_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("lost@staff.example.org", roles=["analyst"])
    TOTPDevice.objects.create(user=user, confirmed=True)
    services.issue_backup_codes(user=user)
    services.reset_second_factor(user=user)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not user.staticdevice_set.exists()
