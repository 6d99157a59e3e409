"""Study tours (スタディツアー) hosted by this center: agenda, bundle of cases, consents, reports, lessons."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.models import Organization
from sync.wire import tours as tours_wire

from .base import ActivityField, CenterRecord
from .cases import CollaborationCase
from .events import Event


class TourOrganizationKind(models.TextChoices):
    CENTER = "center", _("市民活動支援センター")
    NPO = "npo", _("NPO・市民活動団体")
    COMPANY = "company", _("企業")
    UNIVERSITY = "university", _("大学")
    PREFECTURE = "prefecture", _("県")
    MUNICIPALITY = "municipality", _("市町村")
    OTHER = "other", _("その他")


TOUR_MAX_CAPACITY = tours_wire.MAX_CAPACITY  # the hub refuses more


class StudyTour(CenterRecord):
    """スタディツアー hosted by this center: an agenda of visits and a bundle of cases that visiting
    organizations read on the hub from the tour's first day to the end of the reading period."""

    title = models.CharField(_("ツアー名"), max_length=200)
    theme = models.CharField(_("テーマ"), max_length=200, blank=True)
    activity_fields = models.ManyToManyField(ActivityField, verbose_name=_("活動分野"), related_name="+", blank=True)
    description = models.TextField(_("ねらい・内容"), blank=True)
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"))
    reading_days = models.PositiveSmallIntegerField(
        _("終了後の閲覧期間（日）"), default=14,
        help_text=_("参加者はツアー初日からこの日数が過ぎるまで事例を読めます。"))
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True,
                                           validators=[MinValueValidator(1), MaxValueValidator(TOUR_MAX_CAPACITY)])
    report_session = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="study_tours",
                                       verbose_name=_("発表会"))
    # Set when the reading period ended and the tour's copies were withdrawn from the hub.
    closed_at = models.DateTimeField(_("閲覧終了の処理日時"), null=True, blank=True)

    SEARCH_FIELDS = ("title", "theme", "description")

    class Meta:
        verbose_name = _("スタディツアー")
        verbose_name_plural = _("スタディツアー")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="tour_ends_after_start"),
            models.CheckConstraint(condition=Q(reading_days__lte=90), name="tour_reading_days_at_most_90"),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gte=1, capacity__lte=TOUR_MAX_CAPACITY),
                                   name="tour_capacity_range"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": ValidationError(_("終了日は開始日以降にしてください。"), code="ends_before_start")})
        if self.reading_days is not None and self.reading_days > 90:
            raise ValidationError({"reading_days": ValidationError(_("閲覧期間は90日以内にしてください。"), code="too_long")})

    @property
    def opens_at(self) -> dt.datetime:
        """Reading opens at 0:00 (local time) of the first day."""
        return timezone.make_aware(dt.datetime.combine(self.starts_on, dt.time.min))

    @property
    def reading_ends_at(self) -> dt.datetime:
        last = self.ends_on + dt.timedelta(days=self.reading_days + 1)
        return timezone.make_aware(dt.datetime.combine(last, dt.time.min))


class TourOrganization(models.Model):
    """A participating organization (another center, a company, a university, the prefecture)."""

    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="organizations")
    name = models.CharField(_("参加団体名"), max_length=200)
    kind = models.CharField(_("種別"), max_length=20, choices=TourOrganizationKind.choices)
    seats = models.PositiveSmallIntegerField(_("参加人数"), default=1)

    class Meta:
        verbose_name = _("参加団体")
        verbose_name_plural = _("参加団体")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tour", "name"], name="tour_organization_unique"),
            models.CheckConstraint(condition=Q(kind__in=TourOrganizationKind.values), name="tour_organization_kind_known"),
            models.CheckConstraint(condition=~Q(name=""), name="tour_organization_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class TourStop(models.Model):
    """One visit of the agenda: where, when, how to get there (text: no map needed on a phone)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="stops")
    title = models.CharField(_("訪問先・内容"), max_length=200)
    starts_at = models.DateTimeField(_("開始時刻"))
    ends_at = models.DateTimeField(_("終了時刻"), null=True, blank=True)
    place = models.CharField(_("場所"), max_length=200, blank=True)
    directions = models.TextField(_("行き方"), blank=True)

    class Meta:
        verbose_name = _("訪問先")
        verbose_name_plural = _("訪問先")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")),
                                   name="tour_stop_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class TourCase(CenterRecord):
    """A case in the tour's bundle: one of this center's cases (sent for the tour only, named when
    every named organization consented for this tour) or a case of the hub's shared library."""

    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="cases")
    stop = models.ForeignKey(TourStop, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases",
                             verbose_name=_("訪問先"))
    # PROTECT: a case in a tour is taken out of the tour first (that purges its hub copy).
    case = models.ForeignKey(CollaborationCase, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("当センターの協働事例"))
    library_case_uuid = models.UUIDField(_("ライブラリの事例"), null=True, blank=True)
    # Library copies are unique per (center, uuid) on the hub: both name the copy meant.
    library_center_uuid = models.UUIDField(null=True, blank=True)
    library_title = models.CharField(_("ライブラリの事例名"), max_length=400, blank=True)
    named = models.BooleanField(_("このツアーでは団体名を出す"), default=False)
    note = models.CharField(_("見どころ"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("ツアーの事例")
        verbose_name_plural = _("ツアーの事例")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(case__isnull=False, library_case_uuid__isnull=True) |
                                   Q(case__isnull=True, library_case_uuid__isnull=False, library_center_uuid__isnull=False,
                                     named=False),
                                   name="tour_case_own_or_library"),
            models.UniqueConstraint(fields=["tour", "case"], name="tour_case_unique_own"),
            models.UniqueConstraint(fields=["tour", "library_case_uuid"], name="tour_case_unique_library"),
        ]

    def __str__(self) -> str:
        return self.case.title if self.case_id else self.library_title


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("書面")
    EMAIL = "email", _("メール")
    ORAL = "oral", _("口頭（記録あり）")


class TourNamedConsent(models.Model):
    """An organization agreed to be named in this tour's cases, and only in this tour."""

    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="named_consents")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("団体"))
    method = models.CharField(_("同意の方法"), max_length=20, choices=ConsentMethod.choices)
    note = models.CharField(_("メモ"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ツアーでの団体名公開の同意")
        verbose_name_plural = _("ツアーでの団体名公開の同意")
        constraints = [
            models.UniqueConstraint(fields=["tour", "organization"], name="tour_named_consent_unique"),
            models.CheckConstraint(condition=Q(method__in=ConsentMethod.values), name="tour_named_consent_method_known"),
        ]

    def __str__(self) -> str:
        return f"{self.tour} / {self.organization}"


class TourReport(models.Model):
    """A visit report written by a participant on the hub, delivered to the host through the feed."""

    uuid = models.UUIDField(unique=True, editable=False)
    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="reports")
    author_name = models.CharField(_("報告者"), max_length=100)
    organization_name = models.CharField(_("所属"), max_length=200)
    saw = models.TextField(_("見たこと・気づいたこと"))
    transfer = models.TextField(_("自分の地域に持ち帰りたいこと"), blank=True)
    questions = models.TextField(_("ホストへの質問"), blank=True)
    submitted_at = models.DateTimeField(_("提出日時"))
    received_at = models.DateTimeField(auto_now_add=True)

    PERSONAL_FIELDS = ("author_name",)

    class Meta:
        verbose_name = _("訪問レポート")
        verbose_name_plural = _("訪問レポート")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.organization_name} {self.author_name}"


class TourLesson(CenterRecord):
    """A lesson the host took from a report into the hub's library, linked to the tour's cases.
    It leaves the node scrubbed and without the report's author."""

    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="lessons")
    report = models.OneToOneField(TourReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="lesson")
    title = models.CharField(_("教訓の見出し"), max_length=200)
    text = models.TextField(_("教訓"))
    cases = models.ManyToManyField(TourCase, related_name="lessons", verbose_name=_("関連する事例"))

    SEARCH_FIELDS = ("title", "text")

    class Meta:
        verbose_name = _("ツアーからの教訓")
        verbose_name_plural = _("ツアーからの教訓")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
