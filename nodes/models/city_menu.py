"""The city's menu (市でできること・できないこと), the departments' public desks, and the publication
workflow that puts a department's needs and menu items on the node's public pages."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from permissions.models import Organization

from .base import CENTER_CHANGE, CENTER_DELETE, CENTER_VIEW, ActivityField, CenterRecord

DEPARTMENT_PERM = "manage_department_needs"


class Publication(models.TextChoices):
    """Where a department's need or menu item stands: only PUBLISHED shows on public pages."""

    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("掲載申請中")
    PUBLISHED = "published", _("公開中")
    SENT_BACK = "sent_back", _("差し戻し")
    WITHDRAWN = "withdrawn", _("取り下げ")


# Which states each step starts from: a sent-back or withdrawn item is resubmitted as it is.
SUBMITTABLE = (Publication.DRAFT, Publication.SENT_BACK, Publication.WITHDRAWN)
WITHDRAWABLE = (Publication.SUBMITTED, Publication.PUBLISHED)


class PublishableRecord(CenterRecord):
    """A record a department submits and center staff approve before the public sees it."""

    publication = models.CharField(_("公開の状態"), max_length=20, choices=Publication.choices,
                                   default=Publication.DRAFT)
    publication_note = models.TextField(_("差し戻しの理由"), blank=True)
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True


def publication_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(condition=Q(publication__in=Publication.values), name=f"{prefix}_publication_known"),
        models.CheckConstraint(condition=~Q(publication=Publication.PUBLISHED) | Q(published_at__isnull=False),
                               name=f"{prefix}_published_has_date"),
        models.CheckConstraint(condition=~Q(publication=Publication.SENT_BACK) | ~Q(publication_note=""),
                               name=f"{prefix}_sent_back_has_reason"),
    ]


class DepartmentDesk(CenterRecord):
    """A department's public desk: what it handles and how to reach it — the 課, never a person."""

    department = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="desk", verbose_name=_("担当課"),
        limit_choices_to={"kind": "city_department"},
    )
    desk_name = models.CharField(_("窓口"), max_length=200, help_text=_("例: 市民活動推進担当"))
    # The desk's published line and inbox (代表電話・公開メール), not a person's: the public pages still
    # pass them through the door, and the service refuses one the node knows as a person's.
    switchboard = models.CharField(_("代表電話"), max_length=30, blank=True)
    public_inbox = models.EmailField(_("公開メールアドレス"), blank=True)
    location = models.CharField(_("所在地（庁舎・階）"), max_length=200, blank=True)
    themes = models.TextField(_("相談できるテーマ"), help_text=_("キーワードを読点（、）か改行で区切って入力"))
    summary = models.TextField(_("所管の概要"), blank=True)
    activity_fields = models.ManyToManyField(ActivityField, verbose_name=_("活動分野"), related_name="+", blank=True)
    is_listed = models.BooleanField(_("課の案内に掲載"), default=True)

    SEARCH_FIELDS = ("department.name", "department.name_kana", "desk_name", "themes", "summary")

    scope_rules = {
        "view": (("center", CENTER_VIEW), ("department", DEPARTMENT_PERM)),
        "add": (("center", CENTER_CHANGE), ("department", DEPARTMENT_PERM)),
        "change": (("center", CENTER_CHANGE), ("department", DEPARTMENT_PERM)),
        "delete": (("center", CENTER_DELETE),),
    }

    class Meta:
        verbose_name = _("担当課の窓口")
        verbose_name_plural = _("担当課の窓口")
        constraints = [models.CheckConstraint(condition=~Q(desk_name=""), name="department_desk_name_not_blank")]

    def __str__(self) -> str:
        return f"{self.department.name} {self.desk_name}"

    @property
    def theme_list(self) -> list[str]:
        separators = str.maketrans({"、": "\n", ",": "\n", "，": "\n", "・": "\n"})
        return [theme.strip() for theme in self.themes.translate(separators).splitlines() if theme.strip()]


class MenuItemKind(models.TextChoices):
    GRANT = "grant", _("補助金・助成")
    VENUE = "venue", _("会場")
    PUBLICITY = "publicity", _("広報")
    STAFF = "staff", _("職員の参加")
    DATA = "data", _("データ・情報")
    SPONSORSHIP = "sponsorship", _("後援・名義")
    OTHER = "other", _("その他")


class MenuItem(PublishableRecord):
    """One line of the city's menu: what a department can (or cannot) offer citizen groups, and on what terms."""

    department = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="menu_items",
                                   verbose_name=_("担当課"), limit_choices_to={"kind": "city_department"})
    kind = models.CharField(_("種類"), max_length=20, choices=MenuItemKind.choices)
    can_do = models.BooleanField(_("できる・できない"), choices=[(True, _("できる")), (False, _("できない"))],
                                 default=True)
    title = models.CharField(_("項目"), max_length=200)
    description = models.TextField(_("内容"))
    conditions = models.TextField(_("条件"), blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    activity_fields = models.ManyToManyField(ActivityField, verbose_name=_("活動分野"), related_name="+", blank=True)

    SEARCH_FIELDS = ("title", "description", "conditions", "department.name")

    scope_rules = {
        "view": (("center", CENTER_VIEW), ("department", DEPARTMENT_PERM)),
        "add": (("center", CENTER_CHANGE), ("department", DEPARTMENT_PERM)),
        "change": (("center", CENTER_CHANGE), ("department", DEPARTMENT_PERM)),
        "delete": (("center", CENTER_DELETE), ("department", DEPARTMENT_PERM)),
    }

    class Meta:
        verbose_name = _("市のメニュー")
        verbose_name_plural = _("市のメニュー")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MenuItemKind.values), name="menu_item_kind_known"),
            models.CheckConstraint(condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2100),
                                   name="menu_item_fiscal_year_range"),
            *publication_constraints("menu_item"),
        ]
        indexes = [models.Index(fields=["center", "publication", "fiscal_year"])]

    def __str__(self) -> str:
        return self.title
