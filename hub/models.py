"""The hub's registry of nodes and keys, what the nodes share, and the hub → node feed.

Nothing here can hold a person: copies carry organization names only for groups that consented
to be listed, and counts only for everything else.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
