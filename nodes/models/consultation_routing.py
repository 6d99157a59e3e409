"""Consultation routing (seed 004): a consultation referred to an expert (専門家・活動実践者), the themed
相談日 staff book consultations into, and the monthly review of notable consultations (気になる事例).
All of it stays on the node: nothing here is registered with sync."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.vocabulary import ConsultationKind

from .base import CenterRecord
from .consultations import Consultation
from .groups import TalentVolunteer


class ExpertReferral(CenterRecord):
    """The chief coordinates an expert's answer to a consultation: a talent of the 名人・達人 bank or an
    outside professional (税理士, 社労士 …) whose name is kept here only."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="expert_referrals",
                                     verbose_name=_("相談（関わりカード）"))
    talent = models.ForeignKey(TalentVolunteer, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("地域の名人・達人"))
    professional_name = models.CharField(_("専門家の氏名・事務所"), max_length=200, blank=True)
    expertise = models.CharField(_("専門分野"), max_length=100)
    asked_on = models.DateField(_("依頼した日"))
    question = models.TextField(_("依頼した内容"), blank=True)
    answer = models.TextField(_("専門家の回答・助言"), blank=True)
    answered_on = models.DateField(_("回答日"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("依頼した職員"))

    PERSONAL_FIELDS = ("professional_name", "question", "answer")
    SEARCH_FIELDS = ("expertise",)

    class Meta:
        verbose_name = _("専門家への依頼")
        verbose_name_plural = _("専門家への依頼")
        ordering = ["-asked_on", "id"]
        constraints = [
            # Either a talent of the bank or a named outside professional, never both, never neither.
            models.CheckConstraint(
                condition=(Q(talent__isnull=False) & Q(professional_name=""))
                | (Q(talent__isnull=True) & ~Q(professional_name="")),
                name="expert_referral_one_expert",
            ),
            models.CheckConstraint(condition=Q(answered_on__isnull=True) | Q(answered_on__gte=F("asked_on")),
                                   name="expert_referral_answer_after_ask",
                                   violation_error_message=_("回答日は依頼した日より後にしてください。"),
                                   violation_error_code="answer_before_ask"),
            models.CheckConstraint(condition=Q(answer="") | Q(answered_on__isnull=False),
                                   name="expert_referral_answer_dated"),
        ]

    def __str__(self) -> str:
        return str(self.expertise)


class ConsultationDay(CenterRecord):
    """A themed 相談日 (「はじめの一歩じっくり相談日」「団体運営なんでも相談日」): a day, a theme, times and
    the number of consultations it takes. `booked` counts the bookings; the database keeps it within
    `capacity`, and a booking raises it by a conditional UPDATE, so two concurrent bookings of the last
    place cannot both succeed."""

    title = models.CharField(_("相談日の名前"), max_length=100)
    theme = models.CharField(_("テーマ"), max_length=20, choices=ConsultationKind.choices)
    day = models.DateField(_("日付"))
    starts_at = models.TimeField(_("開始時刻"))
    ends_at = models.TimeField(_("終了時刻"))
    capacity = models.PositiveSmallIntegerField(_("受付できる件数"))
    booked = models.PositiveSmallIntegerField(_("予約済みの件数"), default=0, editable=False)
    place = models.CharField(_("場所"), max_length=100, blank=True)
    note = models.TextField(_("備考"), blank=True)

    SEARCH_FIELDS = ("title",)

    class Meta:
        verbose_name = _("テーマ別相談日")
        verbose_name_plural = _("テーマ別相談日")
        ordering = ["day", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(theme__in=ConsultationKind.values), name="consultation_day_theme_known"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="consultation_day_ends_after_start",
                                   violation_error_message=_("終了時刻は開始時刻より後にしてください。"),
                                   violation_error_code="ends_before_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=50), name="consultation_day_capacity_1_50",
                                   violation_error_message=_("受付できる件数は1〜50件にしてください。"),
                                   violation_error_code="capacity_range"),
            models.CheckConstraint(condition=Q(booked__gte=0, booked__lte=F("capacity")),
                                   name="consultation_day_within_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.day:%Y-%m-%d}）"

    @property
    def places_left(self) -> int:
        return self.capacity - self.booked


class ConsultationDayBooking(CenterRecord):
    """One consultation booked into a 相談日."""

    consultation_day = models.ForeignKey(ConsultationDay, on_delete=models.CASCADE, related_name="bookings",
                                         verbose_name=_("テーマ別相談日"))
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="day_bookings",
                                     verbose_name=_("相談（関わりカード）"))
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("予約した職員"))

    class Meta:
        verbose_name = _("相談日の予約")
        verbose_name_plural = _("相談日の予約")
        ordering = ["consultation_day", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation_day", "consultation"], name="consultation_day_booking_once"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_day} / {self.consultation}"


class NotableConsultation(CenterRecord):
    """A consultation staff picked for the monthly review (最近1か月の気になる事例), and what the
    meeting decided. `month` is the review's month (its first day)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="reviews",
                                     verbose_name=_("相談（関わりカード）"))
    month = models.DateField(_("検討する月"))
    reason = models.TextField(_("気になった点"))
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("取り上げた職員"))
    decision = models.TextField(_("検討の結果・今後の対応"), blank=True)
    decided_at = models.DateTimeField(_("検討日時"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("記録した職員"))

    PERSONAL_FIELDS = ("reason", "decision")

    class Meta:
        verbose_name = _("気になる事例（月例の検討）")
        verbose_name_plural = _("気になる事例（月例の検討）")
        ordering = ["-month", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "month"], name="notable_consultation_once_a_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="notable_consultation_month_first_day"),
            models.CheckConstraint(
                condition=(Q(decision="") & Q(decided_at__isnull=True) & Q(decided_by__isnull=True))
                | (~Q(decision="") & Q(decided_at__isnull=False) & Q(decided_by__isnull=False)),
                name="notable_consultation_decision_complete",
            ),
        ]
        indexes = [models.Index(fields=["center", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.consultation}"


__all__ = ["ConsultationDay", "ConsultationDayBooking", "ExpertReferral", "NotableConsultation"]
