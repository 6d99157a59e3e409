"""A node's emergency records: the hub's declarations and surveys as received, its centers' status
reports, needs, offers and commitments, its groups' disaster contacts and survey answers.

Declarations and surveys have one writer, the hub: these tables only mirror the newest version
received through the feed. Everything else is this node's own and references them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_lazy as _

from sync.disaster import (
    MAX_NOTE,
    CenterStatus,
    CommitmentStatus,
    Hazard,
    NeedPriority,
    NeedStatus,
    OfferStatus,
    Phase,
    Sector,
)


class DisasterDeclaration(models.Model):
    """The newest version of a hub declaration this node received (kept after close, for the record)."""

    uuid = models.UUIDField(unique=True)
    name = models.CharField(_("災害名"), max_length=200)
    hazard = models.CharField(_("災害の種類"), max_length=20, choices=Hazard.choices)
    municipality_codes = models.JSONField(_("対象の市区町村"), default=list, blank=True)
    whole_prefecture = models.BooleanField(_("県内全域"), default=False)
    prefecture = models.CharField(_("都道府県コード"), max_length=2)
    phase = models.CharField(_("フェーズ"), max_length=20, choices=Phase.choices)
    exercise = models.BooleanField(_("訓練"), default=False)
    started_at = models.DateTimeField(_("開始"))
    closed_at = models.DateTimeField(_("終了"), null=True, blank=True)
    version = models.PositiveBigIntegerField()
    # The hub's operator that declared it (みんかな), as the hub named it; blank from an older hub.
    declared_by = models.CharField(_("宣言した団体"), max_length=200, blank=True)
    feed_seq = models.PositiveBigIntegerField(_("配信番号"))
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("災害宣言")
        verbose_name_plural = _("災害宣言")
        ordering = ["exercise", "-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hazard__in=Hazard.values), name="emergency_declaration_hazard"),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="emergency_declaration_phase"),
            models.CheckConstraint(condition=Q(prefecture__regex=r"^[0-9]{2}$"), name="emergency_declaration_pref"),
            models.CheckConstraint(condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("started_at")),
                                   name="emergency_declaration_closed_after_start"),
        ]
        indexes = [models.Index(fields=["closed_at"], condition=Q(closed_at__isnull=True),
                                name="emergency_declaration_open")]

    def __str__(self) -> str:
        return gettext("%(name)s（訓練）") % {"name": self.name} if self.exercise else self.name

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CenterStatusReport(models.Model):
    """One center's current status for one declaration; each report is a new version sent to the hub."""

    uuid = models.UUIDField(unique=True, editable=False)  # sync.disaster.center_status_uuid(center, declaration)
    center = models.ForeignKey("permissions.Organization", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("センター"))
    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="center_statuses",
                                    verbose_name=_("災害"))
    status = models.CharField(_("状況"), max_length=20, choices=CenterStatus.choices)
    as_of = models.DateTimeField(_("時点"))
    note = models.CharField(_("補足（個人情報は書かない）"), max_length=MAX_NOTE, blank=True)
    version = models.PositiveBigIntegerField(default=1)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("報告者"))
    updated_at = models.DateTimeField(auto_now=True)

    scope_rules = {
        "view": (("center", "view_center_records"),),
        "add": (("center", "change_center_records"),),
        "change": (("center", "change_center_records"),),
    }

    class Meta:
        verbose_name = _("センターの状況")
        verbose_name_plural = _("センターの状況")
        constraints = [
            models.UniqueConstraint(fields=["center", "declaration"], name="center_status_one_per_declaration"),
            models.CheckConstraint(condition=Q(status__in=CenterStatus.values), name="center_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.status} {self.as_of:%Y-%m-%d %H:%M}"


_SCOPE = {
    "view": (("center", "view_center_records"),),
    "add": (("center", "change_center_records"),),
    "change": (("center", "change_center_records"),),
}


class DisasterNeed(models.Model):
    """A need a center records for a declaration: what, how much, where, by when. No people: sector,
    lines of items/services/skills with quantities, an area. Forward-only status (database trigger)."""

    uuid = models.UUIDField(unique=True, editable=False)
    center = models.ForeignKey("permissions.Organization", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("センター"))
    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="needs",
                                    verbose_name=_("災害"))
    sector = models.CharField(_("分野"), max_length=20, choices=Sector.choices)
    lines = models.JSONField(_("内容と数量"), default=list)  # sync.disaster.parse_lines
    priority = models.CharField(_("優先度"), max_length=10, choices=NeedPriority.choices, default=NeedPriority.MEDIUM)
    needed_by = models.DateTimeField(_("必要な期限"), null=True, blank=True)
    municipality_code = models.CharField(_("市区町村コード"), max_length=6)
    place_name = models.CharField(_("場所（避難所名など）"), max_length=200, blank=True)
    status = models.CharField(_("状況"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    last_confirmed_at = models.DateTimeField(_("最終確認"))
    expires_at = models.DateTimeField(_("有効期限"))
    version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rules = _SCOPE

    class Meta:
        verbose_name = _("災害時のニーズ")
        verbose_name_plural = _("災害時のニーズ")
        ordering = ["-last_confirmed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(sector__in=Sector.values), name="emergency_need_sector"),
            models.CheckConstraint(condition=Q(status__in=NeedStatus.values), name="emergency_need_status"),
            models.CheckConstraint(condition=Q(priority__in=NeedPriority.values), name="emergency_need_priority"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("last_confirmed_at")), name="emergency_need_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.get_sector_display()} {self.place_name}"


class DisasterOffer(models.Model):
    """What a group can give for a declaration: volunteers, skills, supplies, vehicles, where, until when."""

    uuid = models.UUIDField(unique=True, editable=False)
    center = models.ForeignKey("permissions.Organization", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("センター"))
    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="offers",
                                    verbose_name=_("災害"))
    group = models.ForeignKey("nodes.GroupRegistration", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("団体"))
    sector = models.CharField(_("分野"), max_length=20, choices=Sector.choices)
    volunteers = models.PositiveIntegerField(_("ボランティアの人数"), default=0)
    skills = models.CharField(_("技能"), max_length=400, blank=True)
    supplies = models.JSONField(_("物資"), default=list, blank=True)  # lines, may be empty
    vehicles = models.PositiveIntegerField(_("車両の台数"), default=0)
    municipality_code = models.CharField(_("活動できる市区町村コード"), max_length=6)
    area_served = models.CharField(_("活動できる地域"), max_length=200, blank=True)
    valid_until = models.DateTimeField(_("有効期限"))
    status = models.CharField(_("状況"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rules = _SCOPE

    class Meta:
        verbose_name = _("支援の申し出")
        verbose_name_plural = _("支援の申し出")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(sector__in=Sector.values), name="emergency_offer_sector"),
            models.CheckConstraint(condition=Q(status__in=OfferStatus.values), name="emergency_offer_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_sector_display()} {self.area_served}"


class Commitment(models.Model):
    """A commitment the hub wrote for one of our centers (received through the feed), and this
    node's own report on it (entity `commitment_report`: acknowledged → delivered, with reached counts).
    `uuid` is the report's uuid (sync.disaster.commitment_report_uuid); `commitment_uuid` the hub's."""

    uuid = models.UUIDField(unique=True, editable=False)
    commitment_uuid = models.UUIDField(unique=True)
    center = models.ForeignKey("permissions.Organization", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("センター"))
    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="commitments",
                                    verbose_name=_("災害"))
    # What the hub asked for, as received.
    need_uuid = models.UUIDField()
    offer_uuid = models.UUIDField(null=True, blank=True)
    sector = models.CharField(_("分野"), max_length=20, choices=Sector.choices)
    need_center_name = models.CharField(_("依頼元"), max_length=200)
    place = models.CharField(_("場所"), max_length=300, blank=True)
    quantity = models.PositiveIntegerField(_("数量"))
    instructions = models.CharField(_("調整メモ"), max_length=500, blank=True)
    # Our answer.
    status = models.CharField(_("状況"), max_length=20, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.COMMITTED)
    delivered = models.PositiveIntegerField(_("提供した数量"), default=0)
    reached = models.PositiveIntegerField(_("支援が届いた人数"), default=0)
    reported_at = models.DateTimeField(_("報告"), null=True, blank=True)
    version = models.PositiveBigIntegerField(default=0)
    feed_seq = models.PositiveBigIntegerField()
    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rules = _SCOPE

    class Meta:
        verbose_name = _("支援の割り当て")
        verbose_name_plural = _("支援の割り当て")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CommitmentStatus.values), name="emergency_commitment_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_sector_display()} {self.quantity}"


class NeedDelivery(models.Model):
    """What became of one of our needs on a 広域 declaration: a center of another prefecture was
    committed to it on the national hub and reported back (feed kind `disaster_delivery`, relayed
    national hub → our hub → us). The committing node is its one writer; we keep the newest report."""

    commitment_uuid = models.UUIDField(unique=True)
    need = models.ForeignKey(DisasterNeed, on_delete=models.CASCADE, related_name="deliveries",
                             verbose_name=_("ニーズ"))
    center = models.ForeignKey("permissions.Organization", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("センター"))
    committed_center_name = models.CharField(_("支援したセンター"), max_length=200)
    status = models.CharField(_("状況"), max_length=20, choices=CommitmentStatus.choices)
    delivered = models.PositiveIntegerField(_("提供された数量"), default=0)
    reached = models.PositiveIntegerField(_("支援が届いた人数"), default=0)
    reported_at = models.DateTimeField(_("報告"))
    feed_seq = models.PositiveBigIntegerField()
    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rules = _SCOPE

    class Meta:
        verbose_name = _("他県からの支援の報告")
        verbose_name_plural = _("他県からの支援の報告")
        ordering = ["reported_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CommitmentStatus.values), name="emergency_needdelivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.committed_center_name} {self.status}"


# --- disaster contacts (item 5) ---------------------------------------------------------------------


class DisasterContact(models.Model):
    """A group's contact for one declared disaster: personal data that may leave the node, and only
    this way — while the declaration is open, covers the center and the group's consent stands
    (sync.outbox.project_disaster_contact decides). Deleted when the declaration closes."""

    uuid = models.UUIDField(unique=True, editable=False)  # sync.disaster.disaster_contact_uuid(group, declaration)
    center = models.ForeignKey("permissions.Organization", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("センター"))
    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="contacts",
                                    verbose_name=_("災害"))
    group = models.ForeignKey("nodes.GroupRegistration", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("団体"))
    contact_name = models.CharField(_("担当者名"), max_length=100)
    phone = models.CharField(_("電話番号"), max_length=40, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    version = models.PositiveBigIntegerField(default=1)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    PERSONAL_FIELDS = ("contact_name", "phone", "email")
    scope_rules = {
        "view": (("center", "view_center_records"), ("group__organization", "change_group_profile")),
        "add": (("center", "change_center_records"), ("group__organization", "change_group_profile")),
        "change": (("center", "change_center_records"), ("group__organization", "change_group_profile")),
    }

    class Meta:
        verbose_name = _("災害時の連絡先")
        verbose_name_plural = _("災害時の連絡先")
        constraints = [
            models.UniqueConstraint(fields=["group", "declaration"], name="disaster_contact_one_per_declaration"),
            models.CheckConstraint(condition=~Q(contact_name=""), name="disaster_contact_has_name"),
            models.CheckConstraint(condition=~Q(phone="") | ~Q(email=""), name="disaster_contact_reachable"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} / {self.declaration_id}"


# --- emergency surveys (item 6) ---------------------------------------------------------------------


class EmergencySurvey(models.Model):
    """The newest version of a hub survey this node received (questions as sync.disaster.parse_questions)."""

    uuid = models.UUIDField(unique=True)
    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="surveys",
                                    verbose_name=_("災害"))
    title = models.CharField(_("調査名"), max_length=200)
    questions = models.JSONField(_("設問"), default=list)
    version = models.PositiveBigIntegerField()
    feed_seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now=True)
    # Closed by the hub: no more answers are recorded here.
    closed_at = models.DateTimeField(_("締切"), null=True, blank=True)

    class Meta:
        verbose_name = _("緊急アンケート")
        verbose_name_plural = _("緊急アンケート")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SurveyAnswer(models.Model):
    """One group's answer to a survey, recorded by its center's staff. Stays on the node: only the
    center's counts leave (entity `survey_counts`)."""

    survey = models.ForeignKey(EmergencySurvey, on_delete=models.CASCADE, related_name="answers",
                               verbose_name=_("アンケート"))
    center = models.ForeignKey("permissions.Organization", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("センター"))
    group = models.ForeignKey("nodes.GroupRegistration", on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("団体"))
    answers = models.JSONField(_("回答"), default=dict)  # question key → option key, [option keys] or a number
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_rules = _SCOPE

    class Meta:
        verbose_name = _("アンケートの回答")
        verbose_name_plural = _("アンケートの回答")
        constraints = [
            models.UniqueConstraint(fields=["survey", "group"], name="survey_answer_one_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} / {self.group_id}"
