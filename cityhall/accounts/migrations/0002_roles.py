"""Creates one group per role so every installation has the same roles."""

from django.db import migrations

ROLE_CODES = [
    "resident",
    "police_reviewer",
    "police_supervisor",
    "permit_reviewer",
    "facility_manager",
    "finance_clerk",
    "analyst",
    "city_admin",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for code in ROLE_CODES:
        Group.objects.get_or_create(name=code)


def grant_admin_permissions(apps, schema_editor):
    # city_admin manages people and API tokens in the admin pages.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admin = Group.objects.get(name="city_admin")
    admin.permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["accounts", "auth", "axes", "otp_totp", "otp_static"]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0001_initial"),
        ("otp_totp", "0001_initial"),
        ("otp_static", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(grant_admin_permissions, migrations.RunPython.noop),
    ]
