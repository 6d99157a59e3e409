"""The center's newsletters (情報紙: にしとも広場 twice a year, mini four times, seed 004): editions
assembled from the node's records and a staff column, and each edition's distribution list (班回覧
through the 自治会・町内会, copies to facilities)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import CenterRecord
from .cases import CollaborationCase
from .events import Event
from .groups import GroupRegistration


class Newsletter(CenterRecord):
    """A title the center publishes regularly (にしとも広場, にしとも広場mini)."""

    title = models.CharField(_("情報紙の名称"), max_length=100)
    issues_per_year = models.PositiveSmallIntegerField(_("年間の発行回数"))
    format_note = models.CharField(_("体裁"), max_length=100, blank=True,
                                   help_text=_("例: カラー印刷・冊子、A4版"))

    SEARCH_FIELDS = ("title",)

    class Meta:
        verbose_name = _("情報紙")
        verbose_name_plural = _("情報紙")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["center", "title"], name="newsletter_title_unique_per_center",
                                    violation_error_code="duplicate_title",
                                    violation_error_message=_("同じ名称の情報紙がすでにあります。")),
            models.CheckConstraint(condition=Q(issues_per_year__gte=1, issues_per_year__lte=52),
                                   name="newsletter_issues_per_year_1_52"),
            models.CheckConstraint(condition=~Q(title=""), name="newsletter_title_required"),
        ]

    def __str__(self) -> str:
        return self.title


class EditionStatus(models.TextChoices):
    DRAFT = "draft", _("編集中")
    PUBLISHED = "published", _("発行済み")


class NewsletterEdition(CenterRecord):
    """One issue (号) of a newsletter; its items and distribution lines hang off it."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="editions",
                                   verbose_name=_("情報紙"))
    number = models.PositiveIntegerField(_("号"))
    issue_date = models.DateField(_("発行日"))
    headline = models.CharField(_("今号の特集"), max_length=200, blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=EditionStatus.choices, default=EditionStatus.DRAFT)
    published_at = models.DateTimeField(_("発行日時"), null=True, blank=True)

    # search_text also holds the items' text (nodes.services.newsletters keeps it current).
    SEARCH_FIELDS = ("newsletter.title", "headline")

    class Meta:
        verbose_name = _("情報紙の号")
        verbose_name_plural = _("情報紙の号")
        ordering = ["-issue_date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "number"], name="edition_number_unique_per_newsletter",
                                    violation_error_code="duplicate_number",
                                    violation_error_message=_("この号はすでにあります。")),
            models.CheckConstraint(condition=Q(number__gte=1), name="edition_number_positive"),
            models.CheckConstraint(condition=Q(status__in=EditionStatus.values), name="edition_status_known"),
            # Published exactly when it has a publication time.
            models.CheckConstraint(condition=Q(status=EditionStatus.PUBLISHED, published_at__isnull=False)
                                   | Q(status=EditionStatus.DRAFT, published_at__isnull=True),
                                   name="edition_published_iff_published_at"),
        ]
        indexes = [models.Index(fields=["center", "status", "issue_date"])]

    def __str__(self) -> str:
        return f"{self.newsletter.title} 第{self.number}号"


class ItemKind(models.TextChoices):
    EVENT = "event", _("イベント案内")
    GROUP = "group", _("新しい登録団体")
    CASE = "case", _("協働の事例")
    COLUMN = "column", _("コラム")


class EditionItem(models.Model):
    """An article of an edition: drawn from an event, a group or a case (the link kept for where it came
    from; the text is the staff's edited copy), or a column written by staff."""

    edition = models.ForeignKey(NewsletterEdition, on_delete=models.CASCADE, related_name="items",
                                verbose_name=_("号"))
    kind = models.CharField(_("種類"), max_length=20, choices=ItemKind.choices)
    position = models.PositiveSmallIntegerField(_("順番"))
    heading = models.CharField(_("見出し"), max_length=200)
    body = models.TextField(_("本文"), blank=True)
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("イベント"))
    group = models.ForeignKey(GroupRegistration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("団体"))
    case = models.ForeignKey(CollaborationCase, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("協働事例"))

    class Meta:
        verbose_name = _("掲載記事")
        verbose_name_plural = _("掲載記事")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ItemKind.values), name="edition_item_kind_known"),
            models.CheckConstraint(condition=~Q(heading=""), name="edition_item_heading_required"),
            # A source link only of the item's own kind; a column has none.
            models.CheckConstraint(condition=(Q(kind=ItemKind.EVENT) | Q(event__isnull=True))
                                   & (Q(kind=ItemKind.GROUP) | Q(group__isnull=True))
                                   & (Q(kind=ItemKind.CASE) | Q(case__isnull=True)),
                                   name="edition_item_source_matches_kind"),
        ]

    def __str__(self) -> str:
        return self.heading


class DistributionKind(models.TextChoices):
    HAN_KAIRAN = "han_kairan", _("班回覧（自治会・町内会）")
    FACILITY = "facility", _("施設への配架")


class DistributionLine(models.Model):
    """Where the printed copies of an edition go: an association's 班回覧 (number of 班 and copies) or a
    facility (地区センター, ケアプラザ, 図書館 …)."""

    edition = models.ForeignKey(NewsletterEdition, on_delete=models.CASCADE, related_name="distribution",
                                verbose_name=_("号"))
    kind = models.CharField(_("配布の種類"), max_length=20, choices=DistributionKind.choices)
    recipient = models.CharField(_("配布先"), max_length=120)
    han_count = models.PositiveIntegerField(_("班数"), null=True, blank=True)
    copies = models.PositiveIntegerField(_("部数"))

    class Meta:
        verbose_name = _("配布先")
        verbose_name_plural = _("配布先")
        ordering = ["-kind", "id"]  # 班回覧 first, then facilities
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DistributionKind.values), name="distribution_kind_known"),
            models.CheckConstraint(condition=~Q(recipient=""), name="distribution_recipient_required"),
            models.CheckConstraint(condition=Q(copies__gte=1), name="distribution_copies_positive"),
            # 班回覧 is counted by 班; a facility has none.
            models.CheckConstraint(condition=Q(kind=DistributionKind.HAN_KAIRAN, han_count__gte=1)
                                   | Q(kind=DistributionKind.FACILITY, han_count__isnull=True),
                                   name="distribution_han_count_iff_han_kairan"),
            models.UniqueConstraint(fields=["edition", "kind", "recipient"], name="distribution_recipient_once",
                                    violation_error_code="duplicate_recipient",
                                    violation_error_message=_("同じ配布先が二度入っています。")),
        ]

    def __str__(self) -> str:
        return self.recipient
