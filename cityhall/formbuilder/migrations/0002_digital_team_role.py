"""The digital team role (core.roles.DIGITAL_TEAM): builds and publishes services."""

from django.db import migrations


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="digital_team")


class Migration(migrations.Migration):
    dependencies = [("formbuilder", "0001_initial"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(create_role, migrations.RunPython.noop)]
