"""The permit inspector role (core.roles.PERMIT_INSPECTOR): field inspectors who
record inspection results but do not review plans. In the admin they may view
inspections, their slots and types, and permits (read-only), nothing else."""

from django.db import migrations

VIEW = ["inspection", "inspectionslot", "inspectiontype", "permit"]


def create_role(apps, schema_editor):
    # The permission rows exist: 0002 created them (no permits model came since).
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="permit_inspector")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="permits", codename__in=[f"view_{m}" for m in VIEW]
        )
    )


class Migration(migrations.Migration):
    dependencies = [("permits", "0002_permit_permissions")]

    operations = [migrations.RunPython(create_role, migrations.RunPython.noop)]
