"""PostgreSQL: the forward-only status functions of disaster needs and commitments, created once
for both roles from the wire contracts (sync.wire.sql). Emergency 0002 and hub 0006 created the
same functions before this migration existed; replacing them with the same text changes nothing."""

from django.db import migrations

from sync.wire.sql import FORWARD_ONLY_FUNCTIONS


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD_ONLY_FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [("sync", "0003_outbox_unpublished_in_relay_order")]
    # Backwards leaves the functions: the triggers of emergency and hub still use them.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
