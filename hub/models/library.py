"""The shared case library (協働事例ライブラリ): the cases nodes published and the collections
coordinators build from them for study tours."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.vocabulary import CaseOutcome, CollaborationForm

from .copies import SharedCopy


class CaseLevel(models.TextChoices):
    """How a case was shared; private cases never leave their node."""

    ANONYMIZED = "anonymized", _("匿名化")
    NAMED = "named", _("団体名あり")


class CaseReach(models.TextChoices):
    """How far a case may travel (共有範囲), chosen on its node: the national hub never receives a
    prefecture-only case."""

    PREFECTURE = "prefecture", _("県内のみ")
    NATIONAL = "national", _("全国")


class CaseContent(models.Model):
    """What a shared case says, as it left its node (scrubbed there): the library's copy and a study
    tour's copy have the same shape."""

    level = models.CharField(_("共有レベル"), max_length=20, choices=CaseLevel.choices)
    reach = models.CharField(_("共有範囲"), max_length=20, choices=CaseReach.choices, default=CaseReach.PREFECTURE)
    # Twice the node's 200: placeholders such as 〔電話番号〕 can be longer than what they replace.
    title = models.CharField(_("事業名"), max_length=400)
    summary = models.TextField(_("概要"), blank=True)
    lessons = models.TextField(_("教訓・課題"), blank=True)
    form = models.CharField(_("協働の形態"), max_length=30, choices=CollaborationForm.choices)
    field_codes = models.JSONField(_("活動分野"), default=list)
    field_index = models.CharField(max_length=80, blank=True)
    fiscal_year_start = models.PositiveSmallIntegerField(_("開始年度"))
    # None: no end stated (see selectors.case_years for what that counts as).
    fiscal_year_end = models.PositiveSmallIntegerField(_("終了年度"), null=True, blank=True)
    outcome = models.CharField(_("期間後の状況"), max_length=20, choices=CaseOutcome.choices)
    total_cost = models.PositiveBigIntegerField(_("事業費（円）"), null=True, blank=True)
    city_share = models.PositiveBigIntegerField(_("うち市負担額（円）"), null=True, blank=True)
    published_month = models.DateField(_("公開月"))  # the first of the month: dates leave a node as months
    parties = models.JSONField(_("協働の主体"), default=list)

    class Meta:
        abstract = True


class SharedCase(SharedCopy, CaseContent):
    """A collaboration case a node published, already scrubbed there. The row is its own search
    entry and the statistics are counted from rows, so deleting it (retract, purge) leaves nothing.

    `parties` keeps the payload's list as is: per-node organization pseudonyms (`ref`), kind,
    role, fields, size band and contribution; a name only on named cases.

    `search_tokens` and `search_readings` are the Japanese words of the searchable text and their
    readings (common.japanese_tokens), filled after the record arrives by hub.tasks.index_case_search;
    None means not yet, and such a case is found through `search_text` alone.
    """

    search_tokens = models.TextField(null=True, blank=True, editable=False)
    search_readings = models.TextField(blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("共有された協働事例")
        verbose_name_plural = _("共有された協働事例")
        ordering = ["-fiscal_year_start", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["node", "entity_uuid"], name="shared_case_unique"),
            models.CheckConstraint(condition=Q(level__in=CaseLevel.values), name="shared_case_level_known"),
            models.CheckConstraint(condition=Q(reach__in=CaseReach.values), name="shared_case_reach_known"),
            models.CheckConstraint(condition=Q(form__in=CollaborationForm.values), name="shared_case_form_known"),
            models.CheckConstraint(condition=Q(outcome__in=CaseOutcome.values), name="shared_case_outcome_known"),
            models.CheckConstraint(condition=Q(fiscal_year_start__gte=1950, fiscal_year_start__lte=2100),
                                   name="shared_case_start_year_plausible"),
            models.CheckConstraint(condition=Q(fiscal_year_end__isnull=True) | Q(fiscal_year_end__gte=F("fiscal_year_start"),
                                                                                  fiscal_year_end__lte=2100),
                                   name="shared_case_years_ordered"),
            models.CheckConstraint(condition=Q(city_share__isnull=True) | Q(total_cost__isnull=False,
                                                                            city_share__lte=F("total_cost")),
                                   name="shared_case_city_share_within_total"),
            models.CheckConstraint(condition=Q(published_month__day=1), name="shared_case_published_month"),
        ]
        indexes = [
            models.Index(fields=["form", "fiscal_year_start"], name="shared_case_form_year"),
            # The library's order: its first page without a scan and sort of every case.
            models.Index(fields=["-fiscal_year_start", "title", "id"], name="shared_case_library_order"),
            # The indexing task's queue and the substring path of short words on not-yet-tokenized cases.
            models.Index(fields=["id"], condition=Q(search_tokens__isnull=True), name="shared_case_tokens_pending"),
        ]

    def __str__(self) -> str:
        return self.title


class CaseCollection(models.Model):
    """スタディツアー用の事例集: coordinators pick cases across centers for a study tour."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("事例集の名称"), max_length=200)
    description = models.TextField(_("説明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("作成者"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cases = models.ManyToManyField(SharedCase, through="CollectionCase", related_name="collections")

    class Meta:
        verbose_name = _("事例集")
        verbose_name_plural = _("事例集")
        ordering = ["-updated_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="case_collection_title_not_blank")]

    def __str__(self) -> str:
        return self.title


class CollectionCase(models.Model):
    """A case in a collection, in the order the tour visits it. Cascades with the case, so a
    retracted or purged case leaves every collection with it."""

    collection = models.ForeignKey(CaseCollection, on_delete=models.CASCADE, related_name="entries")
    case = models.ForeignKey(SharedCase, on_delete=models.CASCADE, related_name="collection_entries")
    order = models.PositiveIntegerField(_("順番"))
    note = models.TextField(_("メモ"), blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("事例集の事例")
        verbose_name_plural = _("事例集の事例")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["collection", "case"], name="collection_case_unique")]

    def __str__(self) -> str:
        return f"{self.collection_id}#{self.order}"
