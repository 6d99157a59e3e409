from django.db import migrations

# The word list kept in the row (compressed there) rather than in the TOAST table: a search walking
# the library's order tests each row's words, and an out-of-line list costs a TOAST index lookup and
# page per row. Rows written from now on; older ones move when next rewritten. No table rewrite here.


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE hub_sharedcase ALTER COLUMN search_vector SET STORAGE MAIN")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE hub_sharedcase ALTER COLUMN search_vector SET STORAGE EXTENDED")


class Migration(migrations.Migration):

    dependencies = [
        ('hub', '0019_case_search_reading_lexemes'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
