"""Collaboration cases (協働事例) and the parties to each, with what each contributed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.constraints import LocalCheckConstraints
from common.vocabulary import BudgetSource, CaseOutcome, CollaborationForm, PartyRole
from permissions.models import Organization

from .base import CENTER_CHANGE, CENTER_DELETE, CENTER_VIEW, ActivityField, CenterRecord


class SharingLevel(models.TextChoices):
    PRIVATE = "private", _("非公開（センター内のみ）")
    ANONYMIZED = "anonymized", _("匿名化してハブと共有")
    NAMED = "named", _("団体名を出してハブと共有")


class SharingReach(models.TextChoices):
    """共有範囲: how far a shared case may travel beyond the prefectural hub (the national hub never
    receives a prefecture-only case)."""

    PREFECTURE = "prefecture", _("県内のみ")
    NATIONAL = "national", _("全国")


class CollaborationCase(LocalCheckConstraints, CenterRecord):
    """協働事例: who did what together, with whose money, and what became of it."""

    title = models.CharField(_("事業名"), max_length=200)
    summary = models.TextField(_("概要"))
    form = models.CharField(_("協働の形態"), max_length=30, choices=CollaborationForm.choices)
    activity_fields = models.ManyToManyField(ActivityField, verbose_name=_("活動分野"), related_name="+", blank=True)
    responsible_department = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="department_cases",
        verbose_name=_("担当課"), limit_choices_to={"kind": "city_department"},
    )
    parties = models.ManyToManyField(Organization, through="CaseParty", related_name="cases", verbose_name=_("協働の主体"))
    total_cost = models.PositiveBigIntegerField(_("事業費（円）"), null=True, blank=True)
    city_share = models.PositiveBigIntegerField(_("うち市負担額（円）"), null=True, blank=True)
    fiscal_year_start = models.PositiveSmallIntegerField(_("開始年度"))
    fiscal_year_end = models.PositiveSmallIntegerField(_("終了年度"), null=True, blank=True)
    outcome = models.CharField(_("期間後の状況"), max_length=20, choices=CaseOutcome.choices, default=CaseOutcome.ONGOING)
    lessons = models.TextField(_("教訓・課題"), blank=True)
    sharing_level = models.CharField(
        _("共有レベル"), max_length=20, choices=SharingLevel.choices, default=SharingLevel.PRIVATE
    )
    sharing_reach = models.CharField(
        _("共有範囲"), max_length=20, choices=SharingReach.choices, default=SharingReach.PREFECTURE
    )

    SEARCH_FIELDS = ("title", "summary", "lessons")

    scope_rules = {
        "view": (("center", CENTER_VIEW), ("responsible_department", "manage_department_cases")),
        "add": (("center", CENTER_CHANGE), ("responsible_department", "manage_department_cases")),
        "change": (("center", CENTER_CHANGE), ("responsible_department", "manage_department_cases")),
        "delete": (("center", CENTER_DELETE),),
    }

    class Meta:
        verbose_name = _("協働事例")
        verbose_name_plural = _("協働事例")
        constraints = [
            models.CheckConstraint(condition=Q(city_share__isnull=True) | Q(total_cost__isnull=False, city_share__lte=F("total_cost")), name="case_city_share_within_total"),
            models.CheckConstraint(condition=Q(fiscal_year_end__isnull=True) | Q(fiscal_year_end__gte=F("fiscal_year_start")), name="case_years_ordered"),
            models.CheckConstraint(condition=Q(fiscal_year_start__gte=1950, fiscal_year_start__lte=2100), name="case_start_year_plausible"),
            models.CheckConstraint(condition=Q(form__in=CollaborationForm.values), name="case_form_known"),
            models.CheckConstraint(condition=Q(sharing_level__in=SharingLevel.values), name="case_sharing_level_known"),
            models.CheckConstraint(condition=Q(sharing_reach__in=SharingReach.values), name="case_sharing_reach_known"),
        ]
        indexes = [models.Index(fields=["center", "fiscal_year_start"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.city_share is not None and (self.total_cost is None or self.city_share > self.total_cost):
            errors["city_share"] = ValidationError(_("市負担額は事業費以下にしてください。"), code="city_share_exceeds_total")
        if self.fiscal_year_end is not None and self.fiscal_year_start and self.fiscal_year_end < self.fiscal_year_start:
            errors["fiscal_year_end"] = ValidationError(_("終了年度は開始年度以降にしてください。"), code="years_reversed")
        if self.fiscal_year_start is not None and not 1950 <= self.fiscal_year_start <= 2100:
            errors["fiscal_year_start"] = ValidationError(_("開始年度は西暦で入力してください（例: 2014）。"), code="year_out_of_range")
        if errors:
            raise ValidationError(errors)


class CaseParty(models.Model):
    """One party of a case and what it brought (seed 001: 専門知識, 住民への説明, 事業費の負担 …)."""

    case = models.ForeignKey(CollaborationCase, on_delete=models.CASCADE, related_name="party_roles")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("立場"), max_length=20, choices=PartyRole.choices, default=PartyRole.PARTNER)
    contribution = models.TextField(_("担った役割"), blank=True)

    class Meta:
        verbose_name = _("協働の主体")
        verbose_name_plural = _("協働の主体")
        constraints = [models.UniqueConstraint(fields=["case", "organization"], name="case_party_unique")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


class CaseYear(LocalCheckConstraints, models.Model):
    """One 年度 of a case: its budget line and who was responsible that year (seed 001: みるっこ 1年目
    1,187,000円, 2年目 1,180,000円; after 審査 a continued case moves to the department's budget).

    While a case has years, its `total_cost` and `city_share` are their sums (kept by the service)."""

    case = models.ForeignKey(CollaborationCase, on_delete=models.CASCADE, related_name="years")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    total_cost = models.PositiveBigIntegerField(_("事業額（円）"), null=True, blank=True)
    city_share = models.PositiveBigIntegerField(_("うち市負担額（円）"), null=True, blank=True)
    budget_source = models.CharField(_("予算"), max_length=20, choices=BudgetSource.choices, blank=True)
    responsible_department = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("担当課"), limit_choices_to={"kind": "city_department"},
    )
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("年度ごとの予算と担当")
        verbose_name_plural = _("年度ごとの予算と担当")
        ordering = ["fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["case", "fiscal_year"], name="case_year_unique"),
            models.CheckConstraint(condition=Q(city_share__isnull=True) | Q(total_cost__isnull=False, city_share__lte=F("total_cost")), name="case_year_city_share_within_total"),
            models.CheckConstraint(condition=Q(fiscal_year__gte=1950, fiscal_year__lte=2100), name="case_year_plausible"),
            models.CheckConstraint(condition=Q(budget_source="") | Q(budget_source__in=BudgetSource.values), name="case_year_budget_source_known"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.fiscal_year}"
