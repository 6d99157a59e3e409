"""The registration lifecycle (登録更新): a renewal per due date, the difficulties (課題) groups report
on it, the notices the center sends the group, and the profile changes a group proposes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import CENTER_CHANGE, CENTER_VIEW, CenterRecord
from .events import Event
from .groups import GroupRegistration
from .matching import Offer

# Renewal opens this many days before the due date; reminders go out at these days before it.
RENEWAL_OPEN_DAYS = 90
RENEWAL_REMINDER_DAYS = (90, 30, 7)


class RenewalStatus(models.TextChoices):
    OPEN = "open", _("受付中")
    ANSWERED = "answered", _("回答済み")
    CHANGES_REQUESTED = "changes_requested", _("修正依頼中")
    ACCEPTED = "accepted", _("更新済み")
    LAPSED = "lapsed", _("失効")


RENEWAL_PENDING_STATUSES = (RenewalStatus.OPEN, RenewalStatus.ANSWERED, RenewalStatus.CHANGES_REQUESTED)


class RenewalDifficulty(models.TextChoices):
    """The fields the center reports difficulties on (課題), as asked at renewal."""

    SUCCESSORS = "successors", _("担い手不足")
    FUNDING = "funding", _("資金")
    PLACE = "place", _("活動場所")
    PUBLICITY = "publicity", _("情報発信")
    AGING = "aging", _("会員の高齢化")
    GOVERNMENT = "government", _("行政との連携")
    OTHER = "other", _("その他")


GROUP_SCOPE = {
    "view": (("center", CENTER_VIEW), ("group__organization", "view_group_profile")),
    "add": (("center", CENTER_CHANGE), ("group__organization", "change_group_profile")),
    "change": (("center", CENTER_CHANGE), ("group__organization", "change_group_profile")),
    "delete": (("center", CENTER_CHANGE),),
}


class RegistrationRenewal(CenterRecord):
    """One renewal cycle of a registration, keyed by the due date it renews."""

    group = models.ForeignKey(GroupRegistration, on_delete=models.CASCADE, related_name="renewals",
                              verbose_name=_("団体"))
    due_on = models.DateField(_("更新期限"))
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状態"), max_length=20, choices=RenewalStatus.choices, default=RenewalStatus.OPEN)
    continues = models.BooleanField(_("活動を継続する"), null=True, blank=True)
    changes = models.TextField(_("登録内容の変更"), blank=True)
    difficulty_other = models.CharField(_("その他の課題"), max_length=300, blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("回答者"))
    # Staff typed the answer in after a phone call (電話で聞き取り).
    entered_by_staff = models.BooleanField(_("職員が聞き取りで入力"), default=False)
    review_note = models.TextField(_("センターからの修正依頼"), blank=True)
    reviewed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)

    scope_rules = GROUP_SCOPE

    class Meta:
        verbose_name = _("登録更新")
        verbose_name_plural = _("登録更新")
        constraints = [
            models.UniqueConstraint(fields=["group", "due_on"], name="renewal_one_per_due_date"),
            models.CheckConstraint(condition=Q(status__in=RenewalStatus.values), name="renewal_status_known"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "lapsed"]) | Q(answered_at__isnull=False, continues__isnull=False),
                name="renewal_answered_has_answer",
            ),
            models.CheckConstraint(condition=Q(fiscal_year__gte=1989), name="renewal_fiscal_year_plausible"),
        ]
        indexes = [models.Index(fields=["center", "status"]), models.Index(fields=["center", "fiscal_year"])]

    def __str__(self) -> str:
        return f"{self.group} {self.due_on:%Y-%m-%d}"


class RenewalDifficultyAnswer(models.Model):
    """One difficulty a group reported at renewal; counted by field per 年度 on the renewals page."""

    renewal = models.ForeignKey(RegistrationRenewal, on_delete=models.CASCADE, related_name="difficulties")
    difficulty = models.CharField(_("課題"), max_length=20, choices=RenewalDifficulty.choices)

    class Meta:
        verbose_name = _("更新時の課題")
        verbose_name_plural = _("更新時の課題")
        constraints = [
            models.UniqueConstraint(fields=["renewal", "difficulty"], name="renewal_difficulty_once"),
            models.CheckConstraint(condition=Q(difficulty__in=RenewalDifficulty.values), name="renewal_difficulty_known"),
        ]

    def __str__(self) -> str:
        return self.get_difficulty_display()


class NoticeKind(models.TextChoices):
    RENEWAL_OPEN = "renewal_open", _("登録更新の受付開始")
    REMINDER_30 = "reminder_30", _("登録更新のお知らせ（30日前）")
    REMINDER_7 = "reminder_7", _("登録更新のお知らせ（7日前）")
    CHANGES_REQUESTED = "changes_requested", _("登録更新の修正依頼")
    ACCEPTED = "accepted", _("登録更新の完了")
    LAPSED = "lapsed", _("登録の失効")
    CHANGE_DECIDED = "change_decided", _("変更申請の結果")
    BOOKING_APPROVED = "booking_approved", _("スペース予約の承認")
    BOOKING_REJECTED = "booking_rejected", _("スペース予約のお断り")
    BOOKING_CANCELLED = "booking_cancelled", _("スペース予約の取消")
    BOX_ROUND_OPEN = "box_round_open", _("グループボックスの募集")
    BOX_RENEWED = "box_renewed", _("グループボックスの更新")
    BOX_WON = "box_won", _("グループボックスの抽選結果（当選）")
    BOX_WAITING = "box_waiting", _("グループボックスの抽選結果（補欠）")
    BOX_ASSIGNED = "box_assigned", _("グループボックスの繰り上げ")


# The notices the beat task writes: at most one per kind and due date, so a rerun adds nothing.
SCHEDULED_NOTICE_KINDS = ("renewal_open", "reminder_30", "reminder_7", "lapsed")
REMINDER_KIND_BY_DAYS = {90: NoticeKind.RENEWAL_OPEN, 30: NoticeKind.REMINDER_30, 7: NoticeKind.REMINDER_7}


class GroupNotice(CenterRecord):
    """お知らせ: what the center tells a group; the group's members read it on their page."""

    group = models.ForeignKey(GroupRegistration, on_delete=models.CASCADE, related_name="notices",
                              verbose_name=_("団体"))
    kind = models.CharField(_("種類"), max_length=30, choices=NoticeKind.choices)
    due_on = models.DateField(_("更新期限"), null=True, blank=True)
    text = models.TextField(_("本文"), blank=True)

    scope_rules = GROUP_SCOPE

    class Meta:
        verbose_name = _("団体へのお知らせ")
        verbose_name_plural = _("団体へのお知らせ")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NoticeKind.values), name="notice_kind_known"),
            models.UniqueConstraint(fields=["group", "kind", "due_on"], condition=Q(kind__in=SCHEDULED_NOTICE_KINDS),
                                    name="notice_scheduled_once"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ChangeTarget(models.TextChoices):
    PROFILE = "profile", _("団体紹介")
    OFFER = "offer", _("できることメニュー")
    EVENT = "event", _("公開イベント")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("承認待ち")
    APPROVED = "approved", _("承認")
    REJECTED = "rejected", _("差し戻し")


class GroupChangeRequest(CenterRecord):
    """A change a group's member proposes to what the center publishes; it replaces the published
    version only when staff approve it."""

    group = models.ForeignKey(GroupRegistration, on_delete=models.CASCADE, related_name="change_requests",
                              verbose_name=_("団体"))
    target = models.CharField(_("対象"), max_length=20, choices=ChangeTarget.choices)
    # The offer being edited; none when the group proposes a new offer or changes its profile.
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                              verbose_name=_("できることメニュー"))
    # The public event being edited; none when the group proposes a new one.
    event = models.ForeignKey(Event, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                              verbose_name=_("公開イベント"))
    values = models.JSONField(_("変更内容"), default=dict)
    status = models.CharField(_("状態"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("判断日時"), null=True, blank=True)
    decision_note = models.TextField(_("センターからのコメント"), blank=True)

    scope_rules = GROUP_SCOPE

    class Meta:
        verbose_name = _("変更申請")
        verbose_name_plural = _("変更申請")
        constraints = [
            models.CheckConstraint(condition=Q(target__in=ChangeTarget.values), name="change_target_known"),
            models.CheckConstraint(condition=Q(status__in=ChangeStatus.values), name="change_status_known"),
            models.CheckConstraint(condition=Q(status="pending") | Q(decided_at__isnull=False),
                                   name="change_decided_has_time"),
            models.CheckConstraint(condition=~Q(target="profile") | Q(offer__isnull=True), name="change_profile_no_offer"),
            # An edit names the record of its own target only.
            models.CheckConstraint(condition=Q(target="event") | Q(event__isnull=True), name="change_event_only_for_events"),
            models.CheckConstraint(condition=Q(target="offer") | Q(offer__isnull=True), name="change_offer_only_for_offers"),
        ]
        indexes = [models.Index(fields=["center", "status"])]

    def __str__(self) -> str:
        return f"{self.group} {self.get_target_display()}"
