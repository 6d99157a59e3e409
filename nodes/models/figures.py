"""A center's own figures beyond its records: yearly counts by form loaded from its published tables
(seed 001 p.10, when the case records themselves are gone) and its yearly targets (seed 004)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.vocabulary import CollaborationForm
from permissions.models import Organization


class HistoricalFormCount(models.Model):
    """One published figure: how many collaborations of one form a center counted in one 年度.

    Stored as the count it is, never as invented records; statistics show it apart from counts of
    records and, for a 年度 it covers, in their place (the published table is the whole count)."""

    center = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("センター"),
                               limit_choices_to={"kind": "center"})
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    form = models.CharField(_("協働の形態"), max_length=30, choices=CollaborationForm.choices)
    count = models.PositiveIntegerField(_("件数"))
    source = models.CharField(_("出典"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("読み込み日時"), auto_now=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("読み込んだ人"))

    class Meta:
        verbose_name = _("過去の件数（集計値）")
        verbose_name_plural = _("過去の件数（集計値）")
        ordering = ["fiscal_year", "form"]
        constraints = [
            models.UniqueConstraint(fields=["center", "fiscal_year", "form"], name="historical_count_unique"),
            models.CheckConstraint(condition=Q(fiscal_year__gte=1950, fiscal_year__lte=2100), name="historical_count_year_plausible"),
            models.CheckConstraint(condition=Q(form__in=CollaborationForm.values), name="historical_count_form_known"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.form} {self.count}"


class CenterFigures(models.Model):
    """A center's yearly targets and whether its programme figures are public (公表値).

    Public programme figures are counts of the center's own collaboration projects by form and 年度,
    which cities print in their own papers: the hub shows them unsuppressed. Nothing about people is."""

    center = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="figures",
                                  verbose_name=_("センター"), limit_choices_to={"kind": "center"})
    consultation_target = models.PositiveIntegerField(_("相談件数の年間目標"), null=True, blank=True)
    coordination_target = models.PositiveIntegerField(_("コーディネート提案の年間目標"), null=True, blank=True)
    form_counts_public = models.BooleanField(
        _("形態別・年度別の件数を公表値として扱う"), default=False,
        help_text=_("市が公表している件数です。ハブでは秘匿処理をせずに表示されます。"))

    class Meta:
        verbose_name = _("センターの目標と公表設定")
        verbose_name_plural = _("センターの目標と公表設定")

    def __str__(self) -> str:
        return f"figures of {self.center_id}"
