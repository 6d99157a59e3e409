"""The 協働推進事業 cycle as a workflow: a theme becomes a center record (scoped, versioned, audited by
the pipeline; its department may read it); a presented application is dated; a proposal the center
took to the call is 「協働推進事業に申込」; a second call for the same 年度 and track has its own code."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def theme_center_and_uuid(apps, schema_editor):
    """Themes written before this migration belong to their call's center."""
    theme_model = apps.get_model("nodes", "ProgrammeTheme")
    for theme in theme_model.objects.select_related("call").iterator():
        theme.center_id = theme.call.center_id
        theme.uuid = uuid.uuid4()
        theme.save(update_fields=["center", "uuid"])


class Migration(migrations.Migration):

    dependencies = [
        ("nodes", "0012_programme_cycle_and_figures"),
        ("permissions", "0003_alter_organization_options_and_more"),
    ]

    operations = [
        # --- ProgrammeTheme becomes a CenterRecord -------------------------------------------------
        migrations.AddField(
            model_name="programmetheme",
            name="center",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="permissions.organization", verbose_name="センター",
                                    limit_choices_to={"kind": "center"}),
        ),
        migrations.AddField(model_name="programmetheme", name="uuid", field=models.UUIDField(null=True, editable=False)),
        migrations.AddField(model_name="programmetheme", name="search_text",
                            field=models.TextField(blank=True, editable=False)),
        migrations.AddField(model_name="programmetheme", name="updated_at",
                            field=models.DateTimeField(auto_now=True, verbose_name="更新日時")),
        migrations.AddField(model_name="programmetheme", name="version",
                            field=models.PositiveIntegerField(default=1, editable=False)),
        migrations.AlterField(model_name="programmetheme", name="created_at",
                              field=models.DateTimeField(auto_now_add=True, verbose_name="登録日時")),
        migrations.RunPython(theme_center_and_uuid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="programmetheme",
            name="center",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="permissions.organization", verbose_name="センター",
                                    limit_choices_to={"kind": "center"}),
        ),
        migrations.AlterField(model_name="programmetheme", name="uuid",
                              field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
        # --- a presented application says when ---------------------------------------------------
        migrations.AddConstraint(
            model_name="programmeapplication",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("status", "presented"), _negated=True), ("presented_on__isnull", False),
                                   _connector="OR"),
                name="programme_application_presentation_dated"),
        ),
        # --- a second call for one 年度 and track: its own code and message -------------------------
        migrations.RemoveConstraint(model_name="programmecall", name="programme_call_unique"),
        migrations.AddConstraint(
            model_name="programmecall",
            constraint=models.UniqueConstraint(fields=("center", "fiscal_year", "track"), name="programme_call_unique",
                                               violation_error_code="duplicate_call",
                                               violation_error_message="この年度・区分の募集はすでにあります。"),
        ),
        # --- a proposal taken to the call ---------------------------------------------------------
        migrations.RemoveConstraint(model_name="proposal", name="proposal_status_known"),
        migrations.RemoveConstraint(model_name="proposal", name="proposal_one_open_per_group_and_need"),
        migrations.AlterField(
            model_name="proposal",
            name="status",
            field=models.CharField(choices=[("submitted", "提出済み（センターで確認中）"), ("in_pipeline", "マッチングで調整中"),
                                            ("in_programme", "協働推進事業に申込"), ("declined", "見送り"),
                                            ("withdrawn", "取り下げ")],
                                   default="submitted", max_length=20, verbose_name="状態"),
        ),
        migrations.AddConstraint(
            model_name="proposal",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["submitted", "in_pipeline", "in_programme", "declined", "withdrawn"])),
                name="proposal_status_known"),
        ),
        migrations.AddConstraint(
            model_name="proposal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ("submitted", "in_pipeline", "in_programme"))), fields=("group", "need"),
                name="proposal_one_open_per_group_and_need", violation_error_code="already_proposed",
                violation_error_message="この協働の種には、すでに提案しています。"),
        ),
    ]
