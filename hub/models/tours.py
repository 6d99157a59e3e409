"""Study tours (スタディツアー) on the hub: tours (a node's copy or hosted by the hub), the tour-only
case copies and lessons from host nodes, invitations, participants and their visit reports."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .copies import SharedCopy
from .library import CaseContent, CaseLevel
from .registry import Node, NodeCenter


class StudyTour(models.Model):
    """A study tour: hosted by a center (a copy of its node's record, written by the sync receiver)
    or by a hub coordinator (no node). Participants read its bundle on the hub from `opens_at` to
    `reading_ends_at`; every reader query checks that window itself.

    `stops` and `cases` keep the node's lists: stops {key, title, starts_at, ends_at, place,
    directions}; bundle entries {ref, stop, source: host|library, library, title, note}.
    """

    node = models.ForeignKey(Node, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    center = models.ForeignKey(NodeCenter, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    entity_uuid = models.UUIDField(default=uuid.uuid4)
    version = models.PositiveBigIntegerField(default=1)
    received_at = models.DateTimeField(auto_now=True)
    search_text = models.TextField(blank=True)
    title = models.CharField(_("ツアー名"), max_length=200)
    theme = models.CharField(_("テーマ"), max_length=200, blank=True)
    description = models.TextField(_("ねらい・内容"), blank=True)
    field_codes = models.JSONField(_("活動分野"), default=list, blank=True)
    field_index = models.CharField(max_length=80, blank=True)
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"))
    opens_at = models.DateTimeField(_("閲覧開始"))
    reading_ends_at = models.DateTimeField(_("閲覧終了"))
    capacity = models.PositiveIntegerField(_("定員"), null=True, blank=True)
    closed = models.BooleanField(_("閲覧終了の処理済み"), default=False)
    organizations = models.JSONField(_("参加団体"), default=list, blank=True)
    stops = models.JSONField(_("行程"), default=list, blank=True)
    cases = models.JSONField(_("事例"), default=list, blank=True)
    # Texts naming organizations that consented for this tour only: shown to participants inside the
    # reading window, emptied when it ends ({title, theme, description, stops: {key: {field: text}}}).
    named_texts = models.JSONField(default=dict, blank=True)
    # Hub-hosted tours only: who hosts it, and who created it.
    host_name = models.CharField(_("主催"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("スタディツアー")
        verbose_name_plural = _("スタディツアー")
        ordering = ["-starts_on", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["node", "entity_uuid"], name="hub_tour_unique"),
            models.CheckConstraint(condition=Q(node__isnull=True, center__isnull=True) |
                                   Q(node__isnull=False, center__isnull=False), name="hub_tour_node_iff_center"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="hub_tour_ends_after_start"),
            models.CheckConstraint(condition=Q(reading_ends_at__gt=F("opens_at")), name="hub_tour_window_ordered"),
        ]
        indexes = [models.Index(fields=["opens_at", "reading_ends_at"], name="hub_tour_window")]

    def __str__(self) -> str:
        return self.title

    @property
    def host(self) -> str:
        return self.center.name if self.center_id else self.host_name

    @property
    def uuid(self):
        """What audit rows name the tour by (permissions.audit.audit_record reads `.uuid`)."""
        return self.entity_uuid


class TourCaseCopy(SharedCopy, CaseContent):
    """One of a host center's cases as sent for one tour only (named when its organizations consented
    for that tour). Purged when the tour's reading period ends."""

    tour_uuid = models.UUIDField()

    class Meta:
        verbose_name = _("ツアー用の事例")
        verbose_name_plural = _("ツアー用の事例")
        constraints = [
            models.UniqueConstraint(fields=["node", "entity_uuid"], name="hub_tour_case_unique"),
            models.CheckConstraint(condition=Q(level__in=CaseLevel.values), name="hub_tour_case_level_known"),
        ]
        indexes = [models.Index(fields=["node", "tour_uuid"], name="hub_tour_case_tour")]

    def __str__(self) -> str:
        return self.title


class TourLessonCopy(SharedCopy):
    """A lesson a host took from a visit report, linked to library cases by their uuids."""

    tour_uuid = models.UUIDField()
    tour_title = models.CharField(max_length=200)
    title = models.CharField(_("見出し"), max_length=200)
    text = models.TextField(_("教訓"))
    case_uuids = models.JSONField(default=list)

    class Meta:
        verbose_name = _("ツアーからの教訓")
        verbose_name_plural = _("ツアーからの教訓")
        ordering = ["-received_at", "id"]
        constraints = [models.UniqueConstraint(fields=["node", "entity_uuid"], name="hub_tour_lesson_unique")]

    def __str__(self) -> str:
        return self.title


class TourInvitation(models.Model):
    """An invitation link for one person of a participating organization. Only the link's digest is
    kept; the link works once, before `expires_at`."""

    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="invitations")
    token_digest = models.CharField(max_length=64, unique=True)
    organization_name = models.CharField(_("参加団体"), max_length=200)
    expires_at = models.DateTimeField(_("有効期限"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")

    class Meta:
        verbose_name = _("ツアーへの招待")
        verbose_name_plural = _("ツアーへの招待")
        constraints = [
            # Whoever used a link did so at a time (the user may be deleted later: SET_NULL).
            models.CheckConstraint(condition=Q(used_by__isnull=True) | Q(used_at__isnull=False),
                                   name="hub_invitation_used_at_set"),
        ]

    def __str__(self) -> str:
        return f"{self.tour} / {self.organization_name}"


class TourParticipant(models.Model):
    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tour_participations")
    display_name = models.CharField(_("お名前"), max_length=100)
    organization_name = models.CharField(_("所属"), max_length=200)
    invitation = models.OneToOneField(TourInvitation, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="participant")
    joined_at = models.DateTimeField(auto_now_add=True)

    # A visitor's name, and where they come from: kept only for the tour's reading period.
    PERSONAL_FIELDS = ("display_name", "organization_name")

    class Meta:
        verbose_name = _("ツアー参加者")
        verbose_name_plural = _("ツアー参加者")
        ordering = ["organization_name", "display_name"]
        constraints = [models.UniqueConstraint(fields=["tour", "user"], name="hub_tour_participant_unique")]

    def __str__(self) -> str:
        return f"{self.organization_name} {self.display_name}"


class TourReport(models.Model):
    """A participant's visit report; one per participant and tour, editable while reading is open."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tour = models.ForeignKey(StudyTour, on_delete=models.CASCADE, related_name="reports")
    participant = models.ForeignKey(TourParticipant, on_delete=models.CASCADE, related_name="reports")
    saw = models.TextField(_("見たこと・気づいたこと"))
    transfer = models.TextField(_("自分の地域に持ち帰りたいこと"), blank=True)
    questions = models.TextField(_("ホストへの質問"), blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("訪問レポート")
        verbose_name_plural = _("訪問レポート")
        ordering = ["submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["tour", "participant"], name="hub_tour_report_unique")]

    def __str__(self) -> str:
        return f"{self.tour} / {self.participant}"
