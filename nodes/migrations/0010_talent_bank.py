"""The talent bank: dated consents for the public search and the guidebook, requests to the center."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


def consents_and_terms(apps, schema_editor):
    """「ガイドブック掲載可」 was a consent without a date: it becomes one dated at the record's last
    change (the best the old row knows). The public search is new, so nobody is in it until they
    consent. Talents rank for needs from their term counts, computed once here as the services do."""
    # Pure text helper (no models), as in 0004.
    from nodes.matching_text import terms

    TalentVolunteer = apps.get_model("nodes", "TalentVolunteer")
    for talent in TalentVolunteer.objects.all().iterator():
        talent.consent_guidebook_at = talent.updated_at if talent.listed_in_guidebook else None
        talent.match_terms = terms(talent.title, talent.skills)
        talent.save(update_fields=["consent_guidebook_at", "match_terms"])


def guidebook_flag_back(apps, schema_editor):
    TalentVolunteer = apps.get_model("nodes", "TalentVolunteer")
    TalentVolunteer.objects.filter(consent_guidebook_at__isnull=False).update(listed_in_guidebook=True)


class Migration(migrations.Migration):

    dependencies = [
        ('nodes', '0009_renewals'),
        ('permissions', '0003_alter_organization_options_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TalentRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='登録日時')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新日時')),
                ('search_text', models.TextField(blank=True, editable=False)),
                ('requester_name', models.CharField(max_length=100, verbose_name='依頼者のお名前')),
                ('requester_organization', models.CharField(blank=True, max_length=200, verbose_name='団体名・所属')),
                ('requester_phone', models.CharField(blank=True, max_length=40, verbose_name='依頼者の電話番号')),
                ('requester_email', models.EmailField(blank=True, max_length=254, verbose_name='依頼者のメールアドレス')),
                ('purpose', models.TextField(verbose_name='依頼の内容')),
                ('preferred_dates', models.CharField(max_length=200, verbose_name='希望日時')),
                ('place', models.CharField(max_length=200, verbose_name='場所')),
                ('status', models.CharField(choices=[('pending', '未対応'), ('introduced', '紹介した'), ('declined', 'お断りした')], default='pending', max_length=20, verbose_name='対応状況')),
                ('answer_note', models.TextField(blank=True, verbose_name='対応の記録')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='対応日時')),
            ],
            options={
                'verbose_name': '地域人材への依頼',
                'verbose_name_plural': '地域人材への依頼',
            },
        ),
        migrations.AddField(
            model_name='talentvolunteer',
            name='consent_guidebook_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='ガイドブック掲載の同意日時'),
        ),
        migrations.AddField(
            model_name='talentvolunteer',
            name='consent_public_listing_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='公開検索への掲載の同意日時'),
        ),
        migrations.AddField(
            model_name='talentvolunteer',
            name='match_terms',
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(consents_and_terms, guidebook_flag_back),
        migrations.RemoveField(
            model_name='talentvolunteer',
            name='listed_in_guidebook',
        ),
        migrations.AddIndex(
            model_name='talentvolunteer',
            index=models.Index(fields=['center', 'consent_public_listing_at'], name='nodes_talen_center__25b220_idx'),
        ),
        migrations.AddField(
            model_name='talentrequest',
            name='answered_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='対応した職員'),
        ),
        migrations.AddField(
            model_name='talentrequest',
            name='center',
            field=models.ForeignKey(limit_choices_to={'kind': 'center'}, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='permissions.organization', verbose_name='センター'),
        ),
        migrations.AddField(
            model_name='talentrequest',
            name='talent',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requests', to='nodes.talentvolunteer', verbose_name='地域人材'),
        ),
        migrations.AddIndex(
            model_name='talentrequest',
            index=models.Index(fields=['center', 'status', 'created_at'], name='nodes_talen_center__55858b_idx'),
        ),
        migrations.AddConstraint(
            model_name='talentrequest',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'introduced', 'declined'])), name='talent_request_status_known'),
        ),
        migrations.AddConstraint(
            model_name='talentrequest',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('requester_name', ''), _negated=True), models.Q(('purpose', ''), _negated=True), models.Q(('preferred_dates', ''), _negated=True), models.Q(('place', ''), _negated=True)), name='talent_request_required_texts'),
        ),
        migrations.AddConstraint(
            model_name='talentrequest',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('requester_phone', ''), _negated=True), models.Q(('requester_email', ''), _negated=True), _connector='OR'), name='talent_request_has_contact'),
        ),
        migrations.AddConstraint(
            model_name='talentrequest',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('answered_at__isnull', True), ('status', 'pending')), models.Q(models.Q(('status', 'pending'), _negated=True), ('answered_at__isnull', False), models.Q(('answer_note', ''), _negated=True)), _connector='OR'), name='talent_request_answered_with_note'),
        ),
    ]
