"""PostgreSQL backstop for the rights ledger: no two active claims may conflict.

Each dimension becomes a range, and two claims conflict when every range
overlaps:
- listing and medium: equal (btree_gist);
- territory: a country is the point [n, n+1) where n encodes its two letters
  base 26 (stable, unlike an index into a list that grows); WW is unbounded;
- period: the inclusive date range [start, end];
- exclusivity: an exclusive claim is unbounded, a non-exclusive one the point
  [id, id+1) of its own row, so two non-exclusive claims never meet while
  anything meets an exclusive one.
SQLite has no such constraint; there the IMMEDIATE transaction serialises writers.
"""

from django.db import migrations

CONSTRAINT = "licensing_rightsclaim_no_conflict"

TERRITORY_RANGE = """
    CASE WHEN territory = 'WW' THEN int4range(NULL, NULL)
    ELSE int4range((ascii(substr(territory, 1, 1)) - 65) * 26 + ascii(substr(territory, 2, 1)) - 65,
                   (ascii(substr(territory, 1, 1)) - 65) * 26 + ascii(substr(territory, 2, 1)) - 64)
    END
"""
EXCLUSIVITY_RANGE = "CASE WHEN exclusive THEN int8range(NULL, NULL) ELSE int8range(id, id + 1) END"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE licensing_rightsclaim ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist (
    listing_id WITH =,
    medium WITH =,
    ({TERRITORY_RANGE}) WITH &&,
    daterange(start_date, end_date, '[]') WITH &&,
    ({EXCLUSIVITY_RANGE}) WITH &&
) WHERE (active);
"""
DROP = f"ALTER TABLE licensing_rightsclaim DROP CONSTRAINT IF EXISTS {CONSTRAINT};"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("licensing", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
