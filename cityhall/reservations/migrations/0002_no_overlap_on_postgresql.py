"""Never double-booked, in the database: on PostgreSQL, two active booked
times of one unit cannot overlap (their buffers included).

An exclusion constraint over the unit and tstzrange(blocked_from,
blocked_until), for active rows only; btree_gist lets the unit's id (an
integer) share the GiST index with the range. SQLite has no such constraint:
there the booking service's check runs in IMMEDIATE transactions, one at a
time. These operations change no model state, so the models (and
`makemigrations --check`) are the same on every database.
"""

from django.db import migrations

CONSTRAINT = "reservations_occurrence_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE reservations_occurrence ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (unit_id WITH =, "
        "tstzrange(blocked_from, blocked_until, '[)') WITH &&) WHERE (active)"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE reservations_occurrence DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("reservations", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, drop_constraint, elidable=False)]
