"""The audit log refuses UPDATE and DELETE at the database, whoever connects."""

from django.db import migrations

POSTGRES = """
CREATE OR REPLACE FUNCTION kyodo_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'permissions_auditevent is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER permissions_auditevent_append_only
  BEFORE UPDATE OR DELETE ON permissions_auditevent
  FOR EACH ROW EXECUTE FUNCTION kyodo_audit_append_only();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS permissions_auditevent_append_only ON permissions_auditevent;
DROP FUNCTION IF EXISTS kyodo_audit_append_only();
"""
SQLITE = [
    """CREATE TRIGGER permissions_auditevent_no_update BEFORE UPDATE ON permissions_auditevent
       BEGIN SELECT RAISE(ABORT, 'permissions_auditevent is append-only'); END;""",
    """CREATE TRIGGER permissions_auditevent_no_delete BEFORE DELETE ON permissions_auditevent
       BEGIN SELECT RAISE(ABORT, 'permissions_auditevent is append-only'); END;""",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS permissions_auditevent_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS permissions_auditevent_no_delete")


class Migration(migrations.Migration):
    dependencies = [("permissions", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
