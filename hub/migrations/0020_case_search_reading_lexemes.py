from django.db import migrations

# The readings as their own lexemes, prefixed "~" (ねこ, the reading of 猫, is "~ねこ"): a lexeme
# without positions carries no weight, so the 0018 vector's A/B weights could not tell a word from a
# reading and 'ねこ':A matched every case holding 猫. With the prefix the word index alone finds the
# cases where the typed word is written (ネコの里親探し for ﾈｺ) apart from those holding its reading.
VECTOR = ("array_to_tsvector(string_to_array(btrim(search_tokens), ' '))"
          " || coalesce(array_to_tsvector(string_to_array("
          "nullif('~' || replace(btrim(search_readings), ' ', ' ~'), '~'), ' ')), ''::tsvector)")
OLD_VECTOR = ("(setweight(array_to_tsvector(string_to_array(btrim(search_tokens), ' ')), 'A')"
              " || setweight(array_to_tsvector(string_to_array(btrim(search_readings), ' ')), 'B'))")


def _replace(schema_editor, vector: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE hub_sharedcase DROP COLUMN IF EXISTS search_vector")
        schema_editor.execute(f"ALTER TABLE hub_sharedcase ADD COLUMN search_vector tsvector GENERATED ALWAYS AS"
                              f" ({vector}) STORED")
        schema_editor.execute("CREATE INDEX shared_case_search_words ON hub_sharedcase USING gin (search_vector)"
                              " WITH (fastupdate = on)")


def forwards(apps, schema_editor):
    _replace(schema_editor, VECTOR)


def backwards(apps, schema_editor):
    _replace(schema_editor, OLD_VECTOR)


class Migration(migrations.Migration):

    dependencies = [
        ("hub", "0019_national_statistics"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
