"""What the national hub holds of its prefectural hubs' statistics: one snapshot per prefectural
hub, its cells of cases by 年度 × form family with the organizations each is about (opaque tokens,
salted per snapshot), replaced whole by the next snapshot. Never shown as such: every figure goes
through hub.disclosure at the national level (hub.selectors.national_statistics)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .registry import Node


class NationalStatisticsCell(models.Model):
    hub = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="national_statistics")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    form = models.CharField(_("協働の形態"), max_length=40)
    cases = models.PositiveIntegerField(_("件数"))
    # Tokens of the organizations the cell is about; the same within one snapshot of one hub only.
    organizations = models.JSONField(default=list)
    received_at = models.DateTimeField(_("受信日時"))

    class Meta:
        verbose_name = _("全国統計の集計値")
        verbose_name_plural = _("全国統計の集計値")
        constraints = [
            models.UniqueConstraint(fields=["hub", "fiscal_year", "form"], name="national_statistics_cell_unique"),
            models.CheckConstraint(condition=Q(cases__gte=1), name="national_statistics_cell_cases"),
            models.CheckConstraint(condition=Q(fiscal_year__gte=1950, fiscal_year__lte=2100),
                                   name="national_statistics_cell_year"),
        ]

    def __str__(self) -> str:
        return f"{self.hub_id} {self.fiscal_year} {self.form}: {self.cases}"
