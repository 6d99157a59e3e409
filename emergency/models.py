"""A node's emergency records: the hub's declarations as received, and its centers' status reports.

Declarations have one writer, the hub: this table only mirrors the newest version received through
the feed. Status reports are this node's own records that reference a declaration.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sync.disaster import MAX_NOTE, CenterStatus, Hazard, Phase


class DisasterDeclaration(models.Model):
    """The newest version of a hub declaration this node received (kept after close, for the record)."""

    uuid = models.UUIDField(unique=True)
    name = models.CharField(_("災害名"), max_length=200)
    hazard = models.CharField(_("災害の種類"), max_length=20, choices=Hazard.choices)
    municipality_codes = models.JSONField(_("対象の市区町村"), default=list, blank=True)
    whole_prefecture = models.BooleanField(_("県内全域"), default=False)
    prefecture = models.CharField(_("都道府県コード"), max_length=2)
    phase = models.CharField(_("フェーズ"), max_length=20, choices=Phase.choices)
    exercise = models.BooleanField(_("訓練"), default=False)
    started_at = models.DateTimeField(_("開始"))
    closed_at = models.DateTimeField(_("終了"), null=True, blank=True)
    version = models.PositiveBigIntegerField()
    feed_seq = models.PositiveBigIntegerField(_("配信番号"))
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("災害宣言")
        verbose_name_plural = _("災害宣言")
        ordering = ["exercise", "-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hazard__in=Hazard.values), name="emergency_declaration_hazard"),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="emergency_declaration_phase"),
            models.CheckConstraint(condition=Q(prefecture__regex=r"^[0-9]{2}$"), name="emergency_declaration_pref"),
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("started_at")),
                                   name="emergency_declaration_closed_after_start"),
        ]
        indexes = [models.Index(fields=["closed_at"], condition=Q(closed_at__isnull=True),
                                name="emergency_declaration_open")]

    def __str__(self) -> str:
        return f"{self.name}（訓練）" if self.exercise else self.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CenterStatusReport(models.Model):
    """One center's current status for one declaration; each report is a new version sent to the hub."""

    uuid = models.UUIDField(unique=True, editable=False)  # sync.disaster.center_status_uuid(center, declaration)
    center = models.ForeignKey("permissions.Organization", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("センター"))
    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="center_statuses",
                                    verbose_name=_("災害"))
    status = models.CharField(_("状況"), max_length=20, choices=CenterStatus.choices)
    as_of = models.DateTimeField(_("時点"))
    note = models.CharField(_("補足（個人情報は書かない）"), max_length=MAX_NOTE, blank=True)
    version = models.PositiveBigIntegerField(default=1)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("報告者"))
    updated_at = models.DateTimeField(auto_now=True)

    scope_rules = {
        "view": (("center", "view_center_records"),),
        "add": (("center", "change_center_records"),),
        "change": (("center", "change_center_records"),),
    }

    class Meta:
        verbose_name = _("センターの状況")
        verbose_name_plural = _("センターの状況")
        constraints = [
            models.UniqueConstraint(fields=["center", "declaration"], name="center_status_one_per_declaration"),
            models.CheckConstraint(condition=Q(status__in=CenterStatus.values), name="center_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.status} {self.as_of:%Y-%m-%d %H:%M}"
