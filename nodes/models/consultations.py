"""Consultations (相談, 関わりカード) and their steps インテーク → コーディネート → クロージング → 完了."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.vocabulary import ConsultationKind, ConsultationStep
from permissions.models import Organization

from .base import CenterRecord
from .cases import CollaborationCase
from .matching import Match, Need


class ConsultationChannel(models.TextChoices):
    COUNTER = "counter", _("窓口")
    PHONE = "phone", _("電話")
    EMAIL = "email", _("メール")
    ONLINE = "online", _("オンライン")
    OUTREACH = "outreach", _("訪問・出張")
    OTHER = "other", _("その他")


CONSULTATION_STEP_ORDER = [s.value for s in ConsultationStep]


class Consultation(CenterRecord):
    """関わりカード: a consultation through インテーク → コーディネート → クロージング. Never leaves the node."""

    requester_name = models.CharField(_("相談者氏名"), max_length=100, blank=True)
    requester_contact = models.CharField(_("相談者連絡先"), max_length=200, blank=True)
    requester_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("相談者の所属団体")
    )
    topic = models.CharField(_("相談テーマ"), max_length=200)
    channel = models.CharField(_("受付方法"), max_length=20, choices=ConsultationChannel.choices)
    # Blank until the 受付担当 or the chief classifies it (older cards have none).
    kind = models.CharField(_("相談の種類"), max_length=20, choices=ConsultationKind.choices, blank=True)
    # チーフコーディネーター decides who handles it (seed 004); only consultation_assign writes these.
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("対応するスタッフ"))
    assigned_at = models.DateTimeField(_("担当を決めた日時"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("担当を決めた職員"))
    step = models.CharField(_("ステップ"), max_length=20, choices=ConsultationStep.choices, default=ConsultationStep.INTAKE)
    intake_at = models.DateTimeField(_("インテーク日時"))
    intake_staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("インテーク担当"))
    intake_note = models.TextField(_("インテーク記録"), blank=True)
    coordinate_at = models.DateTimeField(_("コーディネート開始日時"), null=True, blank=True)
    coordinate_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("コーディネート担当")
    )
    coordinate_note = models.TextField(_("コーディネート記録"), blank=True)
    closing_at = models.DateTimeField(_("クロージング日時"), null=True, blank=True)
    closing_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("クロージング担当")
    )
    closing_note = models.TextField(_("クロージング記録"), blank=True)
    closed_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    linked_organizations = models.ManyToManyField(Organization, related_name="+", verbose_name=_("関係団体"), blank=True)
    linked_cases = models.ManyToManyField(CollaborationCase, related_name="consultations", verbose_name=_("関連する協働事例"), blank=True)
    # What the consultation led to (a referral to another center points back at it from Referral).
    linked_needs = models.ManyToManyField(Need, related_name="consultations", verbose_name=_("つながった協働の種"), blank=True)
    linked_matches = models.ManyToManyField(Match, related_name="consultations", verbose_name=_("つながったマッチング"),
                                            blank=True)

    PERSONAL_FIELDS = ("requester_name", "requester_contact", "intake_note", "coordinate_note", "closing_note")
    SEARCH_FIELDS = ("topic",)

    class Meta:
        verbose_name = _("相談（関わりカード）")
        verbose_name_plural = _("相談（関わりカード）")
        ordering = ["-intake_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind="") | Q(kind__in=ConsultationKind.values), name="consultation_kind_known"),
            models.CheckConstraint(
                condition=Q(assignee__isnull=True, assigned_at__isnull=True, assigned_by__isnull=True)
                | Q(assignee__isnull=False, assigned_at__isnull=False, assigned_by__isnull=False),
                name="consultation_assignment_complete",
            ),
            # The steps only move forward, and each step's timestamp follows the one before it.
            models.CheckConstraint(
                condition=(
                    Q(step="intake", coordinate_at__isnull=True, closing_at__isnull=True, closed_at__isnull=True)
                    | Q(step="coordinate", coordinate_at__isnull=False, closing_at__isnull=True, closed_at__isnull=True)
                    | Q(step="closing", coordinate_at__isnull=False, closing_at__isnull=False, closed_at__isnull=True)
                    | Q(step="closed", coordinate_at__isnull=False, closing_at__isnull=False, closed_at__isnull=False)
                ),
                name="consultation_step_matches_timestamps",
            ),
            models.CheckConstraint(
                condition=Q(coordinate_at__isnull=True) | Q(coordinate_at__gte=F("intake_at")), name="consultation_coordinate_after_intake"
            ),
            models.CheckConstraint(
                condition=Q(closing_at__isnull=True) | Q(closing_at__gte=F("coordinate_at")), name="consultation_closing_after_coordinate"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("closing_at")), name="consultation_closed_after_closing"
            ),
        ]
        indexes = [models.Index(fields=["center", "step"]), models.Index(fields=["center", "kind", "intake_at"])]

    def __str__(self) -> str:
        return self.topic

    @property
    def next_step(self) -> str | None:
        index = CONSULTATION_STEP_ORDER.index(self.step)
        return CONSULTATION_STEP_ORDER[index + 1] if index + 1 < len(CONSULTATION_STEP_ORDER) else None
