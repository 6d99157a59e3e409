"""The 協働推進事業 cycle (seed 001): a yearly call per track, its themes (テーマ募集 by departments and
by citizens), the 意見交換会 held for it, the applications (申込), 公開プレゼン and 審査, 採択 into a
two-year case, and the review after the two years that decides 継続 / 予算縮小 / 事業縮小 / 終了."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.vocabulary import TRACK_FORMS, CollaborationForm, ProgrammeTrack
from permissions.models import Organization

from .base import CENTER_CHANGE, CENTER_DELETE, CENTER_VIEW, CenterRecord
from .cases import CollaborationCase
from .events import Event
from .proposals import Proposal

PROGRAMME_TERM_YEARS = 2  # seed 001: H28年度以降１事業２年間
# Seed 001: 1年目事業 1,000万円・2年目事業 1,000万円 の枠内で採択・予算付 (a frame per year of the term).
SEED_BUDGET_FRAME_YEN = 10_000_000


def suggested_timetable(fiscal_year: int) -> dict[str, dt.date]:
    """The seed's yearly timetable (市民提案型: 6～7月 制度説明会, 8月 公募開始, 8～9月 意見交換会,
    10月末 締切, 12月上旬 公開プレゼンテーション, 12月下旬 実施事業内定) as dates of `fiscal_year`:
    what a new call's form starts from; staff change any of them."""
    december = dt.date(fiscal_year, 12, 1)
    first_saturday = december + dt.timedelta(days=(5 - december.weekday()) % 7)
    return {"briefing_on": dt.date(fiscal_year, 7, 1), "opens_on": dt.date(fiscal_year, 8, 1),
            "deadline_on": dt.date(fiscal_year, 10, 31), "presentation_on": first_saturday,
            "decision_on": dt.date(fiscal_year, 12, 20)}


def need_takes_programme(need, track: str) -> bool:
    """A 協働の種 answers a 協働推進事業 call when it names the call's track (or the programme without
    a track) among its forms, or names no form at all."""
    forms = set(need.allowed_forms or ())
    return not forms or bool(forms & {TRACK_FORMS[ProgrammeTrack(track)], CollaborationForm.KYODO_SUISHIN})


# A department reads the themes and applications it is responsible for; writing is the center's.
_DEPARTMENT_READS = {
    "view": (("center", CENTER_VIEW), ("department", "manage_department_cases")),
    "add": (("center", CENTER_CHANGE),),
    "change": (("center", CENTER_CHANGE),),
    "delete": (("center", CENTER_DELETE),),
}


class CallStatus(models.TextChoices):
    THEMES = "themes", _("テーマ募集中")
    OPEN = "open", _("公募中")
    REVIEWING = "reviewing", _("審査中")
    DECIDED = "decided", _("採択決定")


CALL_STATUS_ORDER = [s.value for s in CallStatus]


def next_call_status(status: str) -> str | None:
    """The step after `status` (テーマ募集中 → 公募中 → 審査中 → 採択決定), None after the last."""
    index = CALL_STATUS_ORDER.index(status)
    return CALL_STATUS_ORDER[index + 1] if index + 1 < len(CALL_STATUS_ORDER) else None


class ProgrammeCall(CenterRecord):
    """One 年度's call of one track: the timetable, the budget frame and what came of it."""

    fiscal_year = models.PositiveSmallIntegerField(_("募集年度"))
    track = models.CharField(_("区分"), max_length=10, choices=ProgrammeTrack.choices)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状態"), max_length=20, choices=CallStatus.choices, default=CallStatus.THEMES)
    briefing_on = models.DateField(_("説明会"), null=True, blank=True)
    opens_on = models.DateField(_("公募開始"), null=True, blank=True)
    deadline_on = models.DateField(_("提案締切"), null=True, blank=True)
    presentation_on = models.DateField(_("公開プレゼンテーション"), null=True, blank=True)
    decision_on = models.DateField(_("実施事業内定"), null=True, blank=True)
    budget_frame_yen = models.PositiveBigIntegerField(_("採択枠（円）"), null=True, blank=True)
    project_cap_yen = models.PositiveBigIntegerField(_("1事業あたりの上限額（円）"), null=True, blank=True)
    note = models.TextField(_("備考"), blank=True)
    exchange_meetings = models.ManyToManyField(Event, related_name="programme_calls", blank=True,
                                               verbose_name=_("意見交換会"))

    SEARCH_FIELDS = ("title",)

    class Meta:
        verbose_name = _("協働推進事業の募集")
        verbose_name_plural = _("協働推進事業の募集")
        ordering = ["-fiscal_year", "track"]
        constraints = [
            models.UniqueConstraint(fields=["center", "fiscal_year", "track"], name="programme_call_unique",
                                    violation_error_code="duplicate_call",
                                    violation_error_message=_("この年度・区分の募集はすでにあります。")),
            models.CheckConstraint(condition=Q(track__in=ProgrammeTrack.values), name="programme_call_track_known"),
            models.CheckConstraint(condition=Q(status__in=CallStatus.values), name="programme_call_status_known"),
            models.CheckConstraint(condition=Q(fiscal_year__gte=1950, fiscal_year__lte=2100), name="programme_call_year_plausible"),
        ]

    def __str__(self) -> str:
        return self.title


class ThemeOrigin(models.TextChoices):
    DEPARTMENT = "department", _("担当課から")
    CITIZEN = "citizen", _("市民・団体から")


class ThemeStatus(models.TextChoices):
    PROPOSED = "proposed", _("提案中")
    ADOPTED = "adopted", _("テーマに決定")
    NOT_ADOPTED = "not_adopted", _("見送り")


class ProgrammeTheme(CenterRecord):
    """A theme put forward for a call (テーマ募集): by a department (行政提案型) or by citizens."""

    call = models.ForeignKey(ProgrammeCall, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(_("テーマ"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    origin = models.CharField(_("提案元"), max_length=20, choices=ThemeOrigin.choices)
    department = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("担当課"), limit_choices_to={"kind": "city_department"})
    proposer = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("提案した団体"))
    status = models.CharField(_("状態"), max_length=20, choices=ThemeStatus.choices, default=ThemeStatus.PROPOSED)

    SEARCH_FIELDS = ("title",)
    scope_rules = _DEPARTMENT_READS

    class Meta:
        verbose_name = _("協働推進事業のテーマ")
        verbose_name_plural = _("協働推進事業のテーマ")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(origin__in=ThemeOrigin.values), name="programme_theme_origin_known"),
            models.CheckConstraint(condition=Q(status__in=ThemeStatus.values), name="programme_theme_status_known"),
            # A department's theme names the department.
            models.CheckConstraint(condition=~Q(origin="department") | Q(department__isnull=False),
                                   name="programme_theme_department_named"),
        ]

    def __str__(self) -> str:
        return self.title


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("申込済み")
    PRESENTED = "presented", _("公開プレゼン済み")
    ADOPTED = "adopted", _("採択")
    NOT_ADOPTED = "not_adopted", _("不採択")
    WITHDRAWN = "withdrawn", _("取り下げ")


APPLICATION_DECIDED_STATUSES = (ApplicationStatus.ADOPTED, ApplicationStatus.NOT_ADOPTED)


class ProgrammeApplication(CenterRecord):
    """申込: a group's project proposal to a call, its presentation, the committee's decision and, when
    adopted, the two-year case it became and the review at the end of the term."""

    call = models.ForeignKey(ProgrammeCall, on_delete=models.PROTECT, related_name="applications",
                             verbose_name=_("募集"))
    theme = models.ForeignKey(ProgrammeTheme, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="applications", verbose_name=_("テーマ"))
    applicant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("申込団体"))
    responsible_department = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("担当課"), limit_choices_to={"kind": "city_department"})
    title = models.CharField(_("事業名"), max_length=200)
    summary = models.TextField(_("事業の概要"))
    requested_yen = models.PositiveBigIntegerField(_("事業額の見込み（円）"), null=True, blank=True)
    submitted_on = models.DateField(_("申込日"))
    # When the group applied from the citizen side (わたしの団体 → 提案), the proposal it came from.
    proposal = models.OneToOneField(Proposal, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="programme_application", verbose_name=_("提案"))
    status = models.CharField(_("状態"), max_length=20, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    presented_on = models.DateField(_("公開プレゼン日"), null=True, blank=True)
    decision_note = models.TextField(_("審査の結果・委員会の意見"), blank=True)
    decided_on = models.DateField(_("審査日"), null=True, blank=True)
    case = models.OneToOneField(CollaborationCase, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="programme_application", verbose_name=_("協働事例"))
    reviewed_on = models.DateField(_("2年目審査日"), null=True, blank=True)
    review_note = models.TextField(_("2年目審査の結果"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("登録者"))

    SEARCH_FIELDS = ("title", "summary")
    scope_rules = {**_DEPARTMENT_READS,
                   "view": (("center", CENTER_VIEW), ("responsible_department", "manage_department_cases"))}

    class Meta:
        verbose_name = _("協働推進事業の申込")
        verbose_name_plural = _("協働推進事業の申込")
        ordering = ["call", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="programme_application_status_known"),
            # Adopted means a case exists; nothing else has one.
            models.CheckConstraint(condition=Q(status="adopted", case__isnull=False, decided_on__isnull=False)
                                   | (~Q(status="adopted") & Q(case__isnull=True)),
                                   name="programme_application_case_iff_adopted"),
            models.CheckConstraint(condition=~Q(status="not_adopted") | Q(decided_on__isnull=False),
                                   name="programme_application_decision_dated"),
            models.CheckConstraint(condition=~Q(status="presented") | Q(presented_on__isnull=False),
                                   name="programme_application_presentation_dated"),
            models.CheckConstraint(condition=Q(reviewed_on__isnull=True) | Q(status="adopted"),
                                   name="programme_application_review_after_adoption"),
        ]

    def __str__(self) -> str:
        return self.title
