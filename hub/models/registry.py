"""The hub's registry of nodes: each node, its signing keys, the nonces it used and the centers it
announced (its partition on the hub)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NodeStatus(models.TextChoices):
    ACTIVE = "active", _("有効")
    SUSPENDED = "suspended", _("一時停止")
    REVOKED = "revoked", _("失効")


class NodeKind(models.TextChoices):
    CENTER = "center", _("センターのノード")
    # A prefectural hub enrolled at the national hub: it speaks for every center of its prefecture.
    PREFECTURAL_HUB = "prefectural_hub", _("都道府県ハブ")


class Node(models.Model):
    """A center's node enrolled by a hub admin (or, on the national hub, a prefectural hub)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("識別名"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    municipality_code = models.CharField(_("全国地方公共団体コード"), max_length=6)
    municipality_name = models.CharField(_("市区町村"), max_length=60, blank=True)
    base_url = models.URLField(_("ノードのURL"), blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=NodeStatus.choices, default=NodeStatus.ACTIVE)
    kind = models.CharField(_("種別"), max_length=20, choices=NodeKind.choices, default=NodeKind.CENTER)
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
            models.CheckConstraint(condition=Q(kind__in=NodeKind.values), name="node_kind_known"),
            # A prefecture's code (全国地方公共団体コード of the prefecture: two digits, 000, check digit).
            models.CheckConstraint(condition=Q(kind="center") | Q(municipality_code__regex=r"^[0-9]{2}000[0-9]$"),
                                   name="node_prefectural_hub_code"),
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
