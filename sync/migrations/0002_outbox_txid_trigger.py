"""PostgreSQL: stamp each outbox row with its writing transaction's id (see sync.relay)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION kyodo_outbox_txid() RETURNS trigger AS $$
BEGIN
  NEW.txid := pg_current_xact_id()::text::bigint;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sync_outboxentry_txid BEFORE INSERT ON sync_outboxentry
  FOR EACH ROW EXECUTE FUNCTION kyodo_outbox_txid();
"""
DROP = """
DROP TRIGGER IF EXISTS sync_outboxentry_txid ON sync_outboxentry;
DROP FUNCTION IF EXISTS kyodo_outbox_txid();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("sync", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
