"""Group boxes (グループボックス, lockers): the boxes and their sizes, the rounds in which groups apply
for a two-year term (更新 for the groups holding one, 抽選 for the rest), the applications and the
recorded draw that anyone can recompute (see nodes/lottery.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .base import CenterRecord
from .groups import GroupRegistration
from .renewals import GROUP_SCOPE

# Seed 004: グループボックス（ロッカー）の登録更新（２年毎）.
BOX_TERM_YEARS = 2


class BoxSize(models.TextChoices):
    SMALL = "small", _("小")
    MEDIUM = "medium", _("中")
    LARGE = "large", _("大")


class GroupBox(CenterRecord):
    """One box (ロッカー) with its label as written on the door."""

    label = models.CharField(_("番号"), max_length=20)
    size = models.CharField(_("大きさ"), max_length=10, choices=BoxSize.choices)
    is_active = models.BooleanField(_("使用可"), default=True)
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("グループボックス")
        verbose_name_plural = _("グループボックス")
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["center", "label"], name="groupbox_label_unique_per_center"),
            models.CheckConstraint(condition=Q(size__in=BoxSize.values), name="groupbox_size_known"),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.get_size_display()}）"


class RoundStatus(models.TextChoices):
    OPEN = "open", _("受付中")
    DRAWN = "drawn", _("抽選済み")


class BoxRound(CenterRecord):
    """募集: one term's call for boxes. The draw records its seed, the ordered list of applications and
    of free boxes it drew from, and its result, so that anyone can recompute it."""

    title = models.CharField(_("名称"), max_length=100)
    term_starts_on = models.DateField(_("利用期間（開始）"))
    term_ends_on = models.DateField(_("利用期間（終了）"))
    applications_open_on = models.DateField(_("申込受付開始"))
    applications_close_on = models.DateField(_("申込締切"))
    status = models.CharField(_("状態"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    seed = models.CharField(_("乱数の種（シード）"), max_length=64, blank=True)
    algorithm = models.CharField(_("抽選方式"), max_length=20, blank=True)
    # [{"number": 3, "group": "…", "size": "small"}, …] in 受付番号 order, as the draw read them.
    entries = models.JSONField(_("抽選の対象"), default=list, blank=True)
    # [{"label": "B-03", "size": "small"}, …]: the boxes left after the renewals, in label order.
    offered_boxes = models.JSONField(_("抽選にかけたボックス"), default=list, blank=True)
    # {"order": [...], "allocations": {"3": "B-03"}, "waiting": [...]}.
    result = models.JSONField(_("抽選結果"), default=dict, blank=True)
    drawn_at = models.DateTimeField(_("抽選日時"), null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("抽選した職員"))

    class Meta:
        verbose_name = _("グループボックスの募集")
        verbose_name_plural = _("グループボックスの募集")
        ordering = ["-term_starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["center", "term_starts_on"], name="boxround_one_per_term"),
            models.CheckConstraint(condition=Q(term_starts_on__lt=F("term_ends_on")), name="boxround_term_order"),
            models.CheckConstraint(condition=Q(applications_open_on__lte=F("applications_close_on")),
                                   name="boxround_window_order"),
            models.CheckConstraint(condition=Q(status__in=RoundStatus.values), name="boxround_status_known"),
            models.CheckConstraint(condition=Q(status="open") | (Q(drawn_at__isnull=False) & ~Q(seed="")),
                                   name="boxround_drawn_has_seed"),
        ]

    def __str__(self) -> str:
        return self.title


class ApplicationState(models.TextChoices):
    APPLIED = "applied", _("申込済み")
    RENEWED = "renewed", _("更新")
    WON = "won", _("当選")
    WAITING = "waiting", _("補欠（キャンセル待ち）")
    RELEASED = "released", _("返却")
    WITHDRAWN = "withdrawn", _("取下げ")


HOLDING_STATES = (ApplicationState.RENEWED, ApplicationState.WON)


class BoxApplication(CenterRecord):
    """A group's application in a round: a renewal of the box it holds, or an entry to the draw."""

    round = models.ForeignKey(BoxRound, on_delete=models.CASCADE, related_name="applications",
                              verbose_name=_("募集"))
    group = models.ForeignKey(GroupRegistration, on_delete=models.PROTECT, related_name="box_applications",
                              verbose_name=_("団体"))
    number = models.PositiveSmallIntegerField(_("受付番号"))
    size = models.CharField(_("希望の大きさ"), max_length=10, choices=BoxSize.choices)
    # The box the group holds now and asks to keep (更新); none for a new application.
    renews = models.ForeignKey(GroupBox, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("更新するボックス"))
    state = models.CharField(_("状態"), max_length=10, choices=ApplicationState.choices,
                             default=ApplicationState.APPLIED)
    box = models.ForeignKey(GroupBox, on_delete=models.PROTECT, null=True, blank=True, related_name="applications",
                            verbose_name=_("ボックス"))
    draw_position = models.PositiveSmallIntegerField(_("抽選順位"), null=True, blank=True)
    waiting_position = models.PositiveSmallIntegerField(_("補欠順位"), null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    scope_rules = GROUP_SCOPE

    class Meta:
        verbose_name = _("グループボックスの申込")
        verbose_name_plural = _("グループボックスの申込")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "group"], name="boxapplication_one_per_group"),
            models.UniqueConstraint(fields=["round", "number"], name="boxapplication_number_unique"),
            # One group per box per term.
            models.UniqueConstraint(fields=["round", "box"], condition=Q(state__in=["renewed", "won"]),
                                    name="boxapplication_box_once_per_term"),
            models.CheckConstraint(condition=Q(state__in=ApplicationState.values), name="boxapplication_state_known"),
            models.CheckConstraint(condition=Q(size__in=BoxSize.values), name="boxapplication_size_known"),
            models.CheckConstraint(condition=~Q(state__in=["renewed", "won"]) | Q(box__isnull=False),
                                   name="boxapplication_holding_has_box"),
            models.CheckConstraint(condition=~Q(state="waiting") | Q(waiting_position__isnull=False),
                                   name="boxapplication_waiting_has_position"),
        ]

    def __str__(self) -> str:
        return f"{self.round} #{self.number}"
