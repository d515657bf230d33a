"""Analysts and city administrators keep cost models, rates and pilots in the
admin, and may read survey answers."""

from django.db import migrations

MANAGE = ["staffrate", "costmodel", "digitalservicecost", "pilot"]
VIEW = ["surveyresponse", "councilreport"]


def grant_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in MANAGE for action in ("view", "add", "change", "delete")]
    codenames += [f"view_{model}" for model in VIEW]
    permissions = Permission.objects.filter(content_type__app_label="insights", codename__in=codenames)
    for role in ("analyst", "city_admin"):
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
