"""Disaster coordination (みんかな) on the hub: declarations, the centers' reports (status, needs,
offers, commitment reports), the hub's commitments, disaster contacts with their grants, and
emergency surveys with their counts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_lazy as _

from sync.disaster import (
    CenterStatus,
    CommitmentStatus,
    Hazard,
    NeedPriority,
    NeedStatus,
    OfferStatus,
    Phase,
    Sector,
)
from sync.wire.disaster import MAX_NOTE

from .copies import SharedCopy
from .registry import Node, NodeCenter


class DisasterDeclaration(models.Model):
    """A disaster (or a drill) declared by a coordinator. Written on the hub only; every change is
    a new version sent to all nodes through the feed. Phases only move forward, a closed
    declaration stays closed and a drill never becomes a real disaster (database triggers)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("災害名"), max_length=200)
    hazard = models.CharField(_("災害の種類"), max_length=20, choices=Hazard.choices)
    # Sorted, check-digit-valid 全国地方公共団体コード (see sync.disaster.normalize_codes).
    municipality_codes = models.JSONField(_("対象の市区町村"), default=list, blank=True)
    whole_prefecture = models.BooleanField(_("県内全域"), default=False)
    # 広域: declared on the national hub over municipalities of several prefectures. A prefectural hub
    # keeps a mirror, written only from the national hub's feed, and passes it down to its nodes.
    wide_area = models.BooleanField(_("広域"), default=False)
    mirrored = models.BooleanField(_("全国ハブの宣言"), default=False)
    phase = models.CharField(_("フェーズ"), max_length=20, choices=Phase.choices, default=Phase.INITIAL)
    exercise = models.BooleanField(_("訓練"), default=False)
    started_at = models.DateTimeField(_("開始"))
    closed_at = models.DateTimeField(_("終了"), null=True, blank=True)
    version = models.PositiveBigIntegerField(default=1)
    # 第N報: the number of the last situation report issued (each print is the next number).
    sitrep_number = models.PositiveIntegerField(_("最新の報"), default=0)
    sitrep_issued_at = models.DateTimeField(_("最新の報の時刻"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("宣言者"))
    # The declaring party: the hub's operator when it was declared (みんかな, not the prefecture).
    # Empty on a hub that recorded no operator.
    declared_by = models.ForeignKey("permissions.Organization", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("宣言した団体"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("災害宣言")
        verbose_name_plural = _("災害宣言")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="disaster_name_not_blank"),
            models.CheckConstraint(condition=Q(hazard__in=Hazard.values), name="disaster_hazard_known"),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="disaster_phase_known"),
            models.CheckConstraint(condition=Q(whole_prefecture=True) | ~Q(municipality_codes=[]),
                                   name="disaster_has_area"),
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("started_at")),
                                   name="disaster_closed_after_start"),
            models.CheckConstraint(condition=Q(mirrored=False) | Q(wide_area=True), name="disaster_mirror_is_wide_area"),
        ]

    def __str__(self) -> str:
        return gettext("%(name)s（訓練）") % {"name": self.name} if self.exercise else self.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CenterStatusCopy(SharedCopy):
    """A center's latest status for one declaration, as its node reported it (one record per
    center and declaration on the node, so the newest version is the current status)."""

    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="center_statuses")
    status = models.CharField(_("状況"), max_length=20, choices=CenterStatus.choices)
    as_of = models.DateTimeField(_("時点"))
    note = models.CharField(_("補足"), max_length=MAX_NOTE, blank=True)

    class Meta:
        verbose_name = _("センターの状況")
        verbose_name_plural = _("センターの状況")
        constraints = [
            models.UniqueConstraint(fields=["node", "entity_uuid"], name="center_status_copy_unique"),
            models.CheckConstraint(condition=Q(status__in=CenterStatus.values), name="center_status_copy_known"),
        ]
        indexes = [models.Index(fields=["declaration", "center"], name="center_status_copy_board")]

    def __str__(self) -> str:
        return f"{self.center_id} {self.status}"


class DisasterNeedCopy(SharedCopy):
    """A center's need for a declaration, as its node sent it. Past `expires_at` the hub shows it as
    expired whatever its status says (the node's beat task may not have run yet)."""

    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="needs")
    sector = models.CharField(max_length=20, choices=Sector.choices)
    lines = models.JSONField(default=list)
    requested = models.PositiveIntegerField(default=0)  # sum of the lines' quantities
    priority = models.CharField(max_length=10, choices=NeedPriority.choices)
    needed_by = models.DateTimeField(null=True, blank=True)
    municipality_code = models.CharField(max_length=6)
    place_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=NeedStatus.choices)
    last_confirmed_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("災害時のニーズ")
        verbose_name_plural = _("災害時のニーズ")
        constraints = [
            models.UniqueConstraint(fields=["node", "entity_uuid"], name="disaster_need_copy_unique"),
            models.CheckConstraint(condition=Q(status__in=NeedStatus.values), name="disaster_need_copy_status"),
            models.CheckConstraint(condition=Q(sector__in=Sector.values), name="disaster_need_copy_sector"),
        ]
        indexes = [models.Index(fields=["declaration", "municipality_code", "sector"], name="disaster_need_board")]

    def __str__(self) -> str:
        return f"{self.sector} {self.place_name}"


class DisasterOfferCopy(SharedCopy):
    """A group's offer for a declaration; the group is named only if it consented to hub listing."""

    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="offers")
    group_name = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    volunteers = models.PositiveIntegerField(default=0)
    skills = models.CharField(max_length=400, blank=True)
    supplies = models.JSONField(default=list)
    vehicles = models.PositiveIntegerField(default=0)
    municipality_code = models.CharField(max_length=6)
    area_served = models.CharField(max_length=200, blank=True)
    valid_until = models.DateTimeField()
    status = models.CharField(max_length=20, choices=OfferStatus.choices)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("支援の申し出")
        verbose_name_plural = _("支援の申し出")
        constraints = [
            models.UniqueConstraint(fields=["node", "entity_uuid"], name="disaster_offer_copy_unique"),
            models.CheckConstraint(condition=Q(status__in=OfferStatus.values), name="disaster_offer_copy_status"),
        ]

    def __str__(self) -> str:
        return f"{self.sector} {self.area_served}"


class DisasterCommitment(models.Model):
    """Written by the hub: a coordinator commits an offer (or a center) to a need. Sent to the
    committing node through the feed; that node answers with its own `commitment_report`."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="commitments")
    need_uuid = models.UUIDField()
    # Empty on a commitment mirrored from the national hub: its need is in another prefecture.
    need_node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    offer_uuid = models.UUIDField(null=True, blank=True)
    # The committing center (the offer's, or the one the coordinator chose).
    center = models.ForeignKey(NodeCenter, on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=20, choices=Sector.choices)
    municipality_code = models.CharField(max_length=6)
    quantity = models.PositiveIntegerField()
    instructions = models.CharField(max_length=500, blank=True)
    # Written by the national hub (a 広域 commitment to a center of this prefecture), passed down here.
    mirrored = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("支援の割り当て")
        verbose_name_plural = _("支援の割り当て")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="disaster_commitment_quantity"),
            models.CheckConstraint(condition=Q(need_node__isnull=False) | Q(mirrored=True),
                                   name="disaster_commitment_need_known"),
        ]

    def __str__(self) -> str:
        return f"{self.sector} {self.quantity}"


class CommitmentReportCopy(SharedCopy):
    """The committing node's report on a hub commitment (acknowledged → delivered, reached counts)."""

    commitment = models.OneToOneField(DisasterCommitment, on_delete=models.CASCADE, related_name="report")
    status = models.CharField(max_length=20, choices=CommitmentStatus.choices)
    delivered = models.PositiveIntegerField(default=0)
    reached = models.PositiveIntegerField(default=0)
    reported_at = models.DateTimeField()

    class Meta:
        verbose_name = _("割り当ての報告")
        verbose_name_plural = _("割り当ての報告")
        constraints = [
            models.UniqueConstraint(fields=["node", "entity_uuid"], name="commitment_report_copy_unique"),
            models.CheckConstraint(condition=Q(status__in=["acknowledged", "delivered"]),
                                   name="commitment_report_copy_status"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.status}"


# --- disaster contacts and their grants (みんかな, item 5) ----------------------------------------


class DisasterContactCopy(SharedCopy):
    """A group's contact for one declared disaster — the only personal data the hub holds. Read only
    through a valid ContactGrant (hub.selectors.contacts.disaster_contacts, audited); deleted, not
    archived, when the declaration closes (hub.services.disasters.disaster_close)."""

    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="contacts")
    group_name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=100)
    phone = models.CharField(max_length=40, blank=True)
    email = models.CharField(max_length=254, blank=True)
    shared_at = models.DateTimeField()

    PERSONAL_FIELDS = ("contact_name", "phone", "email")

    class Meta:
        verbose_name = _("災害時の連絡先")
        verbose_name_plural = _("災害時の連絡先")
        constraints = [models.UniqueConstraint(fields=["node", "entity_uuid"], name="disaster_contact_copy_unique")]

    def __str__(self) -> str:
        return f"{self.declaration_id} / {self.entity_uuid}"  # never the values: this may reach a log


class ContactGrant(models.Model):
    """Time-limited access of one coordinator to one declaration's disaster contacts: a stated
    reason, an approver who is someone else (database check), an end checked in every query."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="contact_grants")
    grantee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("閲覧者"))
    reason = models.CharField(_("閲覧の理由"), max_length=500)
    requested_at = models.DateTimeField(_("申請日時"), auto_now_add=True)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("承認者"))
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True)
    ends_at = models.DateTimeField(_("終了日時"))

    class Meta:
        verbose_name = _("連絡先の閲覧許可")
        verbose_name_plural = _("連絡先の閲覧許可")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="contact_grant_has_reason"),
            models.CheckConstraint(condition=Q(approver__isnull=True) | ~Q(approver=F("grantee")),
                                   name="contact_grant_approver_not_grantee"),
            models.CheckConstraint(condition=Q(approver__isnull=True, approved_at__isnull=True)
                                   | Q(approver__isnull=False, approved_at__isnull=False),
                                   name="contact_grant_approval_complete"),
        ]
        indexes = [models.Index(fields=["declaration", "grantee", "ends_at"], name="contact_grant_valid")]

    def __str__(self) -> str:
        return f"{self.grantee_id} → {self.declaration_id} until {self.ends_at:%Y-%m-%d %H:%M}"


# --- emergency surveys (item 6) ---------------------------------------------------------------------


class EmergencySurvey(models.Model):
    """A short survey a coordinator sends to the nodes for a declaration (questions as
    sync.disaster.parse_questions). Nodes answer with counts only (SurveyCountsCopy)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(_("調査名"), max_length=200)
    questions = models.JSONField(_("設問"), default=list)
    version = models.PositiveBigIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once: nodes then record no more answers (counts already recorded still arrive).
    closed_at = models.DateTimeField(_("締切"), null=True, blank=True)

    class Meta:
        verbose_name = _("緊急アンケート")
        verbose_name_plural = _("緊急アンケート")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="emergency_survey_has_title")]

    def __str__(self) -> str:
        return self.title


class SurveyCountsCopy(SharedCopy):
    """One center's counts for a survey: groups answering, per question the groups per option or
    the sum of a number. Shown only through hub.disclosure."""

    survey = models.ForeignKey(EmergencySurvey, on_delete=models.CASCADE, related_name="counts")
    respondents = models.PositiveIntegerField()
    questions = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("アンケートの集計")
        verbose_name_plural = _("アンケートの集計")
        constraints = [models.UniqueConstraint(fields=["node", "entity_uuid"], name="survey_counts_copy_unique")]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.respondents}"
