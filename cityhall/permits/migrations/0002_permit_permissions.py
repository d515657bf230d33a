"""City administrators set up permit types, departments and inspection slots in
the admin; permit reviewers may view them (and the applications, read-only)."""

from django.db import migrations

MANAGE = [
    "department",
    "permittype",
    "documentrequirement",
    "reviewsteptemplate",
    "inspectiontype",
    "inspectionslot",
]
VIEW = ["permitapplication", "permit", "inspection"]


def grant_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    everything = [f"{a}_{m}" for m in MANAGE for a in ("view", "add", "change", "delete")]
    viewing = [f"view_{m}" for m in MANAGE + VIEW]
    for role, codenames in (("city_admin", everything + viewing), ("permit_reviewer", viewing)):
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="permits", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("permits", "0001_initial"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
