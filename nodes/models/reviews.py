"""The mutual review sheet (協働に関する相互検証シート, seed 004): once a 年度 the center and the ward office
each rate how the shared running of the center went, item by item, and agree on actions that are
carried into the next year's sheet until they are done."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import CenterRecord


class Rating(models.TextChoices):
    A = "A", _("A 十分にできた")
    B = "B", _("B おおむねできた")
    C = "C", _("C 一部できた")
    D = "D", _("D できなかった")


class ReviewSheet(CenterRecord):
    """One 年度's sheet between the center and its partner at the ward office."""

    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    partner_name = models.CharField(_("区役所の相手方"), max_length=120)
    reviewed_on = models.DateField(_("ふりかえりの日"), null=True, blank=True)
    summary = models.TextField(_("総括"), blank=True)

    SEARCH_FIELDS = ("partner_name", "summary")

    class Meta:
        verbose_name = _("相互検証シート")
        verbose_name_plural = _("相互検証シート")
        ordering = ["-fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["center", "fiscal_year"], name="review_sheet_one_per_year",
                                    violation_error_code="duplicate_year",
                                    violation_error_message=_("この年度のシートはすでにあります。")),
            models.CheckConstraint(condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2100),
                                   name="review_sheet_year_plausible"),
            models.CheckConstraint(condition=~Q(partner_name=""), name="review_sheet_partner_required"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}年度 相互検証シート"


class ReviewItem(models.Model):
    """A heading of the sheet (相談・コーディネート, 情報収集・発信 …) with both sides' rating and comment."""

    sheet = models.ForeignKey(ReviewSheet, on_delete=models.CASCADE, related_name="items", verbose_name=_("シート"))
    position = models.PositiveSmallIntegerField(_("順番"))
    heading = models.CharField(_("項目"), max_length=120)
    center_rating = models.CharField(_("センターの評価"), max_length=1, choices=Rating.choices, blank=True)
    center_comment = models.TextField(_("センターのコメント"), blank=True)
    ward_rating = models.CharField(_("区役所の評価"), max_length=1, choices=Rating.choices, blank=True)
    ward_comment = models.TextField(_("区役所のコメント"), blank=True)

    class Meta:
        verbose_name = _("検証項目")
        verbose_name_plural = _("検証項目")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(heading=""), name="review_item_heading_required"),
            models.CheckConstraint(condition=(Q(center_rating="") | Q(center_rating__in=Rating.values))
                                   & (Q(ward_rating="") | Q(ward_rating__in=Rating.values)),
                                   name="review_item_ratings_known"),
            models.UniqueConstraint(fields=["sheet", "heading"], name="review_item_heading_once",
                                    violation_error_code="duplicate_heading",
                                    violation_error_message=_("同じ項目が二度あります。")),
        ]

    def __str__(self) -> str:
        return self.heading


class ActionOwner(models.TextChoices):
    CENTER = "center", _("センター")
    WARD = "ward", _("区役所")
    BOTH = "both", _("双方")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("取り組み中")
    DONE = "done", _("完了")
    DROPPED = "dropped", _("取りやめ")


class ReviewAction(models.Model):
    """An agreed action (改善の取り組み). An open one is copied into next year's sheet, linked to the one
    it continues, so its history across years can be followed."""

    sheet = models.ForeignKey(ReviewSheet, on_delete=models.CASCADE, related_name="actions", verbose_name=_("シート"))
    item = models.ForeignKey(ReviewItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions",
                             verbose_name=_("項目"))
    text = models.TextField(_("取り組み"))
    owner = models.CharField(_("担当"), max_length=10, choices=ActionOwner.choices, default=ActionOwner.BOTH)
    due = models.CharField(_("期限・時期"), max_length=60, blank=True)
    status = models.CharField(_("状況"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    result_note = models.TextField(_("結果・経過"), blank=True)
    carried_from = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="carried_to", verbose_name=_("前年度からの引き継ぎ元"))

    class Meta:
        verbose_name = _("合意した取り組み")
        verbose_name_plural = _("合意した取り組み")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="review_action_text_required"),
            models.CheckConstraint(condition=Q(owner__in=ActionOwner.values), name="review_action_owner_known"),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="review_action_status_known"),
        ]

    def __str__(self) -> str:
        return self.text[:40]
