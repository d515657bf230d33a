from django.db import migrations

REASONS = [
    ("outside-jurisdiction", 10,
     "Not in our jurisdiction", "Fuera de nuestra jurisdicción",
     "It happened outside the city, so another police department must take the report. Contact the police or sheriff "
     "where it happened; most have an online form.",
     "Ocurrió fuera de la ciudad, así que otro departamento de policía debe tomar el reporte. Comuníquese con la "
     "policía o el alguacil del lugar donde ocurrió; la mayoría tiene un formulario en línea."),
    ("requires-officer", 20,
     "An officer needs to take this report", "Un oficial debe tomar este reporte",
     "From what you described, an officer needs to talk to you. Call the police non-emergency number or visit any "
     "police station; mention your tracking number.",
     "Por lo que describió, un oficial necesita hablar con usted. Llame al número de la policía que no es de "
     "emergencia o visite cualquier estación de policía; mencione su número de seguimiento."),
    ("duplicate", 30,
     "Already reported", "Ya reportado",
     "This was already reported, so we kept the earlier report. Use that report's number.",
     "Esto ya se había reportado, así que conservamos el reporte anterior. Use el número de ese reporte."),
    ("not-a-police-matter", 40,
     "Not a police matter", "No es un asunto policial",
     "This is a civil matter (for example a dispute about a sale or a loan), which the police cannot act on. "
     "Small claims court or a legal aid office can help.",
     "Es un asunto civil (por ejemplo, una disputa por una venta o un préstamo), en el que la policía no puede "
     "intervenir. Un tribunal de reclamos menores o una oficina de asistencia legal pueden ayudarle."),
    ("insufficient-information", 50,
     "Not enough information", "No hay suficiente información",
     "The report does not have enough information to be accepted. You are welcome to file a new report with more "
     "detail about what happened, when and where.",
     "El reporte no tiene suficiente información para ser aceptado. Puede presentar un nuevo reporte con más "
     "detalles sobre qué pasó, cuándo y dónde."),
]


def add_reasons(apps, schema_editor):
    RejectionReason = apps.get_model("police", "RejectionReason")
    for code, order, label_en, label_es, explanation_en, explanation_es in REASONS:
        RejectionReason.objects.get_or_create(
            code=code,
            defaults={"order": order, "label_en": label_en, "label_es": label_es,
                      "explanation_en": explanation_en, "explanation_es": explanation_es},
        )
    apps.get_model("police", "PoliceSettings").objects.get_or_create(pk=1)


def grant_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    supervisor, _ = Group.objects.get_or_create(name="police_supervisor")
    admin, _ = Group.objects.get_or_create(name="city_admin")
    settings_perms = Permission.objects.filter(
        content_type__app_label="police", codename__in=["view_policesettings", "change_policesettings",
                                                       "view_rejectionreason", "add_rejectionreason",
                                                       "change_rejectionreason", "view_rmsexport"])
    supervisor.permissions.add(*settings_perms)
    admin.permissions.add(*settings_perms)


class Migration(migrations.Migration):
    dependencies = [("police", "0001_initial"), ("accounts", "0002_roles")]

    operations = [
        migrations.RunPython(add_reasons, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
