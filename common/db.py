"""Database-level rules that Django's constraint API cannot express on every backend."""

from django.db import migrations


def no_overlapping_periods(table, scope_column):
    """A migration operation: rows of `table` with the same `scope_column` must not share a day.

    The rows are inclusive [started_on, ended_on] periods, ended_on NULL meaning open-ended. PostgreSQL gets an
    exclusion constraint (GiST over a daterange, with btree_gist for the equality part); SQLite gets triggers that
    abort the insert or update. Both surface as IntegrityError.
    """
    name = f"{table}_no_overlap"

    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
            schema_editor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} EXCLUDE USING gist "
                f"({scope_column} WITH =, daterange(started_on, ended_on, '[]') WITH &&)"
            )
        elif vendor == "sqlite":
            overlap = (
                f"SELECT 1 FROM {table} AS other WHERE other.{scope_column} = NEW.{scope_column} "
                f"AND other.started_on <= COALESCE(NEW.ended_on, '9999-12-31') "
                f"AND NEW.started_on <= COALESCE(other.ended_on, '9999-12-31')"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name}_insert BEFORE INSERT ON {table} WHEN EXISTS ({overlap}) "
                f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name}_update BEFORE UPDATE ON {table} WHEN EXISTS ({overlap} AND other.id <> NEW.id) "
                f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
            )
        else:
            raise NotImplementedError(f"No overlap rule for database vendor {vendor!r}")

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_insert")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_update")

    return migrations.RunPython(forwards, backwards, elidable=False)
