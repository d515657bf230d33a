import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """When each cost row last changed (rows are corrected in place by the cost
    inputs page): open data's download versions notice corrections."""

    dependencies = [("insights", "0002_analyst_permissions")]

    operations = [
        migrations.AddField(
            model_name=name,
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        )
        for name in ("staffrate", "costmodel", "digitalservicecost")
    ]
