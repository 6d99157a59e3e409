"""Events (イベント) of a center, with the cases and groups they produced."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from permissions.models import Organization

from .base import ActivityField, CenterRecord
from .cases import CollaborationCase
from .groups import GroupRegistration


class EventKind(models.TextChoices):
    KORYUKAI = "koryukai", _("交流会")
    KOZA = "koza", _("講座")
    FESTIVAL = "festival", _("フェスティバル")
    SETSUMEIKAI = "setsumeikai", _("説明会")
    IKEN_KOKAN = "iken_kokan", _("意見交換会")
    PARTNERSHIP_MEETING = "partnership_meeting", _("パートナーシップミーティング")
    KOENKAI = "koenkai", _("講演会")
    HAPPYOKAI = "happyokai", _("発表会")
    PERFORMANCE = "performance", _("ステージ・パフォーマンス")
    EXHIBITION = "exhibition", _("展示")
    OTHER = "other", _("その他")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("予定")
    HELD = "held", _("開催済み")
    CANCELLED = "cancelled", _("中止")


class Event(CenterRecord):
    title = models.CharField(_("イベント名"), max_length=200)
    kind = models.CharField(_("種類"), max_length=30, choices=EventKind.choices)
    theme = models.CharField(_("テーマ"), max_length=200, blank=True)
    activity_fields = models.ManyToManyField(ActivityField, verbose_name=_("活動分野"), related_name="+", blank=True)
    description = models.TextField(_("内容"), blank=True)
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    venue = models.CharField(_("会場"), max_length=200, blank=True)
    organizers = models.ManyToManyField(Organization, related_name="organized_events", verbose_name=_("主催・共催"), blank=True)
    participants = models.ManyToManyField(
        Organization, related_name="participated_events", verbose_name=_("参加団体"), blank=True
    )
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True)
    attendance = models.PositiveIntegerField(_("参加者数"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=EventStatus.choices, default=EventStatus.PLANNED)
    cancellation_reason = models.CharField(_("中止理由"), max_length=200, blank=True)
    is_public = models.BooleanField(_("公開イベント"), default=False)
    outcome_note = models.TextField(_("成果（生まれた協働・団体など）"), blank=True)
    produced_cases = models.ManyToManyField(
        CollaborationCase, related_name="origin_events", verbose_name=_("生まれた協働事例"), blank=True
    )
    produced_groups = models.ManyToManyField(
        GroupRegistration, related_name="origin_events", verbose_name=_("生まれた団体"), blank=True
    )

    SEARCH_FIELDS = ("title", "theme", "venue", "description", "outcome_note")

    class Meta:
        verbose_name = _("イベント")
        verbose_name_plural = _("イベント")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancellation_reason=""), name="event_cancellation_has_reason"
            ),
            models.CheckConstraint(condition=Q(status__in=EventStatus.values), name="event_status_known"),
        ]
        indexes = [models.Index(fields=["center", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            errors["ends_at"] = ValidationError(_("終了日時は開始日時より後にしてください。"), code="ends_before_start")
        if self.status == EventStatus.CANCELLED and not self.cancellation_reason.strip():
            errors["cancellation_reason"] = ValidationError(
                _("中止の場合は理由を入力してください（例: コロナ中止、雨天中止）。"), code="reason_required"
            )
        if errors:
            raise ValidationError(errors)
