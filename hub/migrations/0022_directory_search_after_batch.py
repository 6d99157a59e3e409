from django.db import migrations, models

# The directory's trigram index only on rows the indexing task has marked (search_indexed), so the
# receiver's write skips it; the rows not yet marked have a small partial index of their own, which
# search scans beside the trigram one (hub.selectors.directory). Rows already held were indexed.
FORWARD = (
    "DROP INDEX IF EXISTS directory_group_search_trgm",
    "CREATE INDEX IF NOT EXISTS directory_group_search_trgm ON hub_directorygroup"
    " USING gin (search_text gin_trgm_ops) WHERE search_indexed",
    "CREATE INDEX IF NOT EXISTS directory_group_search_pending ON hub_directorygroup (id) WHERE NOT search_indexed",
)
BACKWARD = (
    "DROP INDEX IF EXISTS directory_group_search_pending",
    "DROP INDEX IF EXISTS directory_group_search_trgm",
    "CREATE INDEX IF NOT EXISTS directory_group_search_trgm ON hub_directorygroup USING gin (search_text gin_trgm_ops)",
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("hub", "0021_figures_version"),
    ]

    operations = [
        # Held rows read True (already in the index); new ones False until the task marks them.
        migrations.AddField(model_name="directorygroup", name="search_indexed",
                            field=models.BooleanField(default=True)),
        migrations.AlterField(model_name="directorygroup", name="search_indexed",
                              field=models.BooleanField(default=False)),
        migrations.RunPython(forward, backward),
    ]
