"""The hub's registry of nodes and keys, what the nodes share, and the hub → node feed.

Nothing here can hold a person: copies carry organization names only for groups that consented
to be listed, and counts only for everything else.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# The wire format shares the node's vocabulary: the same values on both sides.
from common.vocabulary import ACTIVITY_FIELDS, CaseOutcome, CollaborationForm, PartyRole  # noqa: F401
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


class NodeStatus(models.TextChoices):
    ACTIVE = "active", _("有効")
    SUSPENDED = "suspended", _("一時停止")
    REVOKED = "revoked", _("失効")


class Node(models.Model):
    """A center's node enrolled by a hub admin."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("識別名"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    municipality_code = models.CharField(_("全国地方公共団体コード"), max_length=6)
    municipality_name = models.CharField(_("市区町村"), max_length=60, blank=True)
    base_url = models.URLField(_("ノードのURL"), blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=NodeStatus.choices, default=NodeStatus.ACTIVE)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    # Highest publish_seq applied, in one gap-free run from 1.
    last_applied_seq = models.PositiveBigIntegerField(default=0)
    # What the node last said it has published, so the hub can show its lag.
    reported_published_seq = models.PositiveBigIntegerField(default=0)
    reported_oldest_unsent_at = models.DateTimeField(null=True, blank=True)
    feed_cursor = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("ノード")
        verbose_name_plural = _("ノード")
        ordering = ["municipality_code", "slug"]
        constraints = [
            models.CheckConstraint(condition=Q(municipality_code__regex=r"^[0-9]{6}$"), name="node_municipality_code"),
            models.CheckConstraint(condition=Q(status__in=NodeStatus.values), name="node_status_known"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def lag_entries(self) -> int:
        return max(self.reported_published_seq - self.last_applied_seq, 0)


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("有効")
    RETIRED = "retired", _("引退")
    REVOKED = "revoked", _("失効")


class NodeKey(models.Model):
    """An Ed25519 public key of a node. At most two are active (slots 1 and 2) to rotate without a gap."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="keys")
    key_id = models.CharField(max_length=100, unique=True)
    public_key = models.BinaryField(max_length=32)
    fingerprint = models.CharField(max_length=47)
    status = models.CharField(max_length=20, choices=KeyStatus.choices, default=KeyStatus.ACTIVE)
    slot = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("署名鍵")
        constraints = [
            # Two active keys per node at most: each holds a slot, slots are unique per node.
            models.UniqueConstraint(fields=["node", "slot"], condition=Q(status="active"), name="node_key_active_slot"),
            models.CheckConstraint(
                condition=(Q(status="active", slot__in=[1, 2]) | (~Q(status="active") & Q(slot__isnull=True))),
                name="node_key_slot_iff_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node.slug}:{self.key_id} ({self.status})"


class SeenNonce(models.Model):
    """Every signature nonce accepted once; a replayed request fails on the unique constraint."""

    nonce = models.CharField(max_length=64)
    key = models.ForeignKey(NodeKey, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "nonce"], name="seen_nonce_unique")]

    def __str__(self) -> str:
        return self.nonce


class NodeCenter(models.Model):
    """A center organization announced by a node's profile: the node's partition on the hub."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="centers")
    center_uuid = models.UUIDField(unique=True)
    name = models.CharField(max_length=200)
    municipality_code = models.CharField(max_length=6, blank=True)
    municipality_name = models.CharField(max_length=60, blank=True)
    version = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("センター")
        ordering = ["municipality_code", "name"]

    def __str__(self) -> str:
        return self.name


class SharedCopy(models.Model):
    """Fields every copy of a node's record carries: whose it is, which record, which version."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    center = models.ForeignKey(NodeCenter, on_delete=models.CASCADE, related_name="+")
    entity_uuid = models.UUIDField()
    version = models.PositiveBigIntegerField()
    received_at = models.DateTimeField(auto_now=True)
    search_text = models.TextField(blank=True)

    class Meta:
        abstract = True


def field_index(codes: list[int]) -> str:
    """",3,7," — lets both PostgreSQL and SQLite filter by one field with a plain `contains`."""
    return "," + ",".join(str(c) for c in codes) + "," if codes else ""


class DirectoryGroup(SharedCopy):
    """A group that consented to be listed on the hub: name, kind, fields, area. No people, no contacts."""

    name = models.CharField(max_length=200)
    name_kana = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=40)
    legal_form = models.CharField(max_length=30, blank=True)
    field_codes = models.JSONField(default=list)
    field_index = models.CharField(max_length=80, blank=True)
    area = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        verbose_name = _("団体一覧")
        ordering = ["name_kana", "name"]
        constraints = [models.UniqueConstraint(fields=["node", "entity_uuid"], name="directory_group_unique")]

    def __str__(self) -> str:
        return self.name


class SharedOffer(SharedCopy):
    """できることメニュー: an offer of a listed group, for other centers' staff (no contacts, no people).
    Shown only while its group is in the directory (`group_uuid` = the DirectoryGroup's entity uuid)."""

    group_uuid = models.UUIDField()
    title = models.CharField(max_length=400)
    description = models.TextField(blank=True)
    field_codes = models.JSONField(default=list)
    field_index = models.CharField(max_length=80, blank=True)
    area = models.CharField(max_length=200, blank=True)
    capacity = models.CharField(max_length=200, blank=True)
    months = models.JSONField(default=list)
    cost_conditions = models.JSONField(default=list)

    class Meta:
        verbose_name = _("できることメニュー")
        ordering = ["title", "id"]
        constraints = [models.UniqueConstraint(fields=["node", "entity_uuid"], name="shared_offer_unique")]
        indexes = [models.Index(fields=["node", "group_uuid"], name="shared_offer_group")]

    def __str__(self) -> str:
        return self.title


class SharedEvent(SharedCopy):
    """An event its center marked public."""

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30)
    theme = models.CharField(max_length=200, blank=True)
    field_codes = models.JSONField(default=list)
    field_index = models.CharField(max_length=80, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20)
    cancellation_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("イベント")
        ordering = ["starts_at"]
        constraints = [models.UniqueConstraint(fields=["node", "entity_uuid"], name="shared_event_unique")]

    def __str__(self) -> str:
        return self.title


class AggregateSnapshot(SharedCopy):
    """Counts only: groups by field, events per month, consultations per step, for one center."""

    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("集計")
        constraints = [models.UniqueConstraint(fields=["node", "entity_uuid"], name="aggregate_unique")]

    def __str__(self) -> str:
        return f"aggregates of {self.center_id}"


# --- the shared case library (協働事例ライブラリ) -------------------------------------------------


class CaseLevel(models.TextChoices):
    """How a case was shared; private cases never leave their node."""

    ANONYMIZED = "anonymized", _("匿名化")
    NAMED = "named", _("団体名あり")


class CaseContent(models.Model):
    """What a shared case says, as it left its node (scrubbed there): the library's copy and a study
    tour's copy have the same shape."""

    level = models.CharField(_("共有レベル"), max_length=20, choices=CaseLevel.choices)
    # Twice the node's 200: placeholders such as 〔電話番号〕 can be longer than what they replace.
    title = models.CharField(_("事業名"), max_length=400)
    summary = models.TextField(_("概要"), blank=True)
    lessons = models.TextField(_("教訓・課題"), blank=True)
    form = models.CharField(_("協働の形態"), max_length=30, choices=CollaborationForm.choices)
    field_codes = models.JSONField(_("活動分野"), default=list)
    field_index = models.CharField(max_length=80, blank=True)
    fiscal_year_start = models.PositiveSmallIntegerField(_("開始年度"))
    # None: no end stated (see selectors.case_years for what that counts as).
    fiscal_year_end = models.PositiveSmallIntegerField(_("終了年度"), null=True, blank=True)
    outcome = models.CharField(_("期間後の状況"), max_length=20, choices=CaseOutcome.choices)
    total_cost = models.PositiveBigIntegerField(_("事業費（円）"), null=True, blank=True)
    city_share = models.PositiveBigIntegerField(_("うち市負担額（円）"), null=True, blank=True)
    published_month = models.DateField(_("公開月"))  # the first of the month: dates leave a node as months
    parties = models.JSONField(_("協働の主体"), default=list)

    class Meta:
        abstract = True


class SharedCase(SharedCopy, CaseContent):
    """A collaboration case a node published, already scrubbed there. The row is its own search
    entry and the statistics are counted from rows, so deleting it (retract, purge) leaves nothing.

    `parties` keeps the payload's list as is: per-node organization pseudonyms (`ref`), kind,
    role, fields, size band and contribution; a name only on named cases.
    """

    class Meta:
        verbose_name = _("共有された協働事例")
        verbose_name_plural = _("共有された協働事例")
        ordering = ["-fiscal_year_start", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["node", "entity_uuid"], name="shared_case_unique"),
            models.CheckConstraint(condition=Q(level__in=CaseLevel.values), name="shared_case_level_known"),
            models.CheckConstraint(condition=Q(form__in=CollaborationForm.values), name="shared_case_form_known"),
            models.CheckConstraint(condition=Q(outcome__in=CaseOutcome.values), name="shared_case_outcome_known"),
            models.CheckConstraint(condition=Q(fiscal_year_start__gte=1950, fiscal_year_start__lte=2100),
                                   name="shared_case_start_year_plausible"),
            models.CheckConstraint(condition=Q(fiscal_year_end__isnull=True) | Q(fiscal_year_end__gte=F("fiscal_year_start"),
                                                                                  fiscal_year_end__lte=2100),
                                   name="shared_case_years_ordered"),
            models.CheckConstraint(condition=Q(city_share__isnull=True) | Q(total_cost__isnull=False,
                                                                            city_share__lte=F("total_cost")),
                                   name="shared_case_city_share_within_total"),
            models.CheckConstraint(condition=Q(published_month__day=1), name="shared_case_published_month"),
        ]
        indexes = [
            models.Index(fields=["form", "fiscal_year_start"], name="shared_case_form_year"),
            # The library's order: its first page without a scan and sort of every case.
            models.Index(fields=["-fiscal_year_start", "title", "id"], name="shared_case_library_order"),
        ]

    def __str__(self) -> str:
        return self.title


class CaseCollection(models.Model):
    """スタディツアー用の事例集: coordinators pick cases across centers for a study tour."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("事例集の名称"), max_length=200)
    description = models.TextField(_("説明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("作成者"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cases = models.ManyToManyField(SharedCase, through="CollectionCase", related_name="collections")

    class Meta:
        verbose_name = _("事例集")
        verbose_name_plural = _("事例集")
        ordering = ["-updated_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="case_collection_title_not_blank")]

    def __str__(self) -> str:
        return self.title


class CollectionCase(models.Model):
    """A case in a collection, in the order the tour visits it. Cascades with the case, so a
    retracted or purged case leaves every collection with it."""

    collection = models.ForeignKey(CaseCollection, on_delete=models.CASCADE, related_name="entries")
    case = models.ForeignKey(SharedCase, on_delete=models.CASCADE, related_name="collection_entries")
    order = models.PositiveIntegerField(_("順番"))
    note = models.TextField(_("メモ"), blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("事例集の事例")
        verbose_name_plural = _("事例集の事例")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["collection", "case"], name="collection_case_unique")]

    def __str__(self) -> str:
        return f"{self.collection_id}#{self.order}"


class Tombstone(models.Model):
    """A copy the hub deleted (retracted or purged), with the version that deleted it, so a late
    older upsert cannot bring it back."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    entity_type = models.CharField(max_length=40)
    entity_uuid = models.UUIDField()
    version = models.PositiveBigIntegerField()
    op = models.CharField(max_length=10)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "entity_uuid"], name="tombstone_unique")]

    def __str__(self) -> str:
        return f"{self.op} {self.entity_type} {self.entity_uuid} v{self.version}"


class FeedSequence(models.Model):
    """The feed's counter row. Writers lock it, so seqs are dense and commit in seq order: a node
    reading `after=cursor` can never skip an entry that commits late."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="feed_sequence_singleton")]

    def __str__(self) -> str:
        return str(self.last_seq)


class FeedEntry(models.Model):
    """Hub → node feed: written on the hub only, read by nodes with a cursor."""

    seq = models.PositiveBigIntegerField(unique=True)
    kind = models.CharField(max_length=40)
    # None: every node.
    node = models.ForeignKey(Node, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    payload = models.JSONField(default=dict)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ノードへの配信")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"{self.seq} {self.kind}"


# --- disaster coordination (みんかな) ---------------------------------------------------------------


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
        ]

    def __str__(self) -> str:
        return f"{self.name}（訓練）" if self.exercise else self.name

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
    need_node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    offer_uuid = models.UUIDField(null=True, blank=True)
    # The committing center (the offer's, or the one the coordinator chose).
    center = models.ForeignKey(NodeCenter, on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=20, choices=Sector.choices)
    municipality_code = models.CharField(max_length=6)
    quantity = models.PositiveIntegerField()
    instructions = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("支援の割り当て")
        verbose_name_plural = _("支援の割り当て")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="disaster_commitment_quantity")]

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
    through a valid ContactGrant (hub.selectors.disaster_contacts, audited); deleted, not archived,
    when the declaration closes (hub.services.disaster_close)."""

    declaration = models.ForeignKey(DisasterDeclaration, on_delete=models.CASCADE, related_name="contacts")
    group_name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=100)
    phone = models.CharField(max_length=40, blank=True)
    email = models.CharField(max_length=254, blank=True)
    shared_at = models.DateTimeField()

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


# --- introductions across centers (他センターへの紹介の依頼) ----------------------------------------


class IntroductionStatus(models.TextChoices):
    PENDING = "pending", _("回答待ち")
    ACCEPTED = "accepted", _("紹介できる")
    DECLINED = "declined", _("紹介できない")


class IntroductionRequest(models.Model):
    """A center asks the center owning a listed offer to introduce its group for a need. Written by
    the hub from the asking node's request; answered once by the owning node (forward only)."""

    uuid = models.UUIDField(unique=True)
    from_node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    from_center_uuid = models.UUIDField()
    from_center_name = models.CharField(max_length=200)
    to_node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    to_center_uuid = models.UUIDField()
    # Copies of what was asked about: the offer may be retracted before the answer comes.
    offer_uuid = models.UUIDField()
    offer_title = models.CharField(max_length=400)
    group_name = models.CharField(max_length=200, blank=True)
    need_title = models.CharField(max_length=400)
    message = models.TextField()
    status = models.CharField(max_length=20, choices=IntroductionStatus.choices, default=IntroductionStatus.PENDING)
    answer_message = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("紹介の依頼")
        verbose_name_plural = _("紹介の依頼")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=IntroductionStatus.values),
                                   name="hub_introduction_status_known"),
            models.CheckConstraint(condition=Q(status="pending", answered_at__isnull=True) |
                                   (~Q(status="pending") & Q(answered_at__isnull=False)),
                                   name="hub_introduction_answered_iff_not_pending"),
            models.CheckConstraint(condition=~Q(from_node=F("to_node")), name="hub_introduction_other_node"),
        ]

    def __str__(self) -> str:
        return f"{self.need_title} → {self.offer_title}"


# --- スタディツアー ----------------------------------------------------------------------------------


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
