"""Node side of sync: the outbox, the node's sync state, and what the hub's feed delivered.

Installed on both roles; on the hub these tables stay empty until a hub itself acts as a node of
a national hub. The outbox only ever holds payloads that may leave the node.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Op(models.TextChoices):
    UPSERT = "upsert", "upsert"
    RETRACT = "retract", "retract"  # no longer shared (consent withdrawn, made private)
    PURGE = "purge", "purge"  # deleted at the source


class Priority(models.IntegerChoices):
    NORMAL = 0, _("通常")
    DISASTER = 1, _("災害対応")


class OutboxQuerySet(models.QuerySet):
    def unsent(self, last_acked_seq: int) -> OutboxQuerySet:
        """What the hub has not acknowledged: entries not numbered yet, or numbered past its checkpoint."""
        return self.filter(Q(publish_seq__isnull=True) | Q(publish_seq__gt=last_acked_seq))


class OutboxEntry(models.Model):
    """One change the hub may see, written by a service in the same transaction as the change."""

    created_at = models.DateTimeField(auto_now_add=True)
    entity_type = models.CharField(max_length=40)
    entity_uuid = models.UUIDField()
    op = models.CharField(max_length=10, choices=Op.choices)
    schema_version = models.PositiveSmallIntegerField(default=1)
    # The source record's version: the hub keeps a copy only when this is newer.
    version = models.PositiveBigIntegerField()
    payload = models.JSONField(default=dict)
    payload_sha256 = models.CharField(max_length=64)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # Dense, gap-free order of publication, assigned by the relay (see sync.relay).
    publish_seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    # PostgreSQL: the writing transaction's id, set by a trigger; the relay only takes rows whose
    # transaction is older than every transaction still running.
    txid = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("送信待ちの変更")
        verbose_name_plural = _("送信待ちの変更")
        indexes = [
            models.Index(fields=["entity_uuid", "-id"], name="outbox_entity_latest"),
            # The relay's order (disaster first, then as written): an ordered scan that stops after
            # one batch, however long the backlog.
            models.Index(fields=["-priority", "id"], condition=Q(publish_seq__isnull=True), name="outbox_unpublished"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(op__in=Op.values), name="outbox_op_known"),
            models.CheckConstraint(condition=~Q(payload_sha256=""), name="outbox_has_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.publish_seq or '-'} {self.op} {self.entity_type} {self.entity_uuid}"


class SyncState(models.Model):
    """The node's one row of sync bookkeeping (id = 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_published_seq = models.PositiveBigIntegerField(default=0)
    # Advanced only after the hub acknowledged a batch (after its commit).
    last_acked_seq = models.PositiveBigIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    feed_cursor = models.PositiveBigIntegerField(default=0)
    # The hub's feed epoch last seen: a new one means the hub was restored from a backup (sync.wire.restore).
    feed_epoch = models.CharField(max_length=32, blank=True, default="")
    last_pull_at = models.DateTimeField(null=True, blank=True)
    # One push at a time per node: whoever holds an unexpired lease.
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    push_requested_at = models.DateTimeField(null=True, blank=True)
    drift = models.JSONField(default=dict, blank=True)
    drift_checked_at = models.DateTimeField(null=True, blank=True)
    aggregates_sha256 = models.CharField(max_length=64, blank=True)
    # On a prefectural hub: the national hub what it already held was passed up to (its centers and
    # 全国 cases, hub.services.upward.backfill) — once per parent, before the first push to it.
    upward_backfill_for = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("同期の状態")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="sync_state_singleton"),
            models.CheckConstraint(condition=Q(last_acked_seq__lte=models.F("last_published_seq")),
                                   name="sync_state_acked_not_beyond_published"),
        ]

    def __str__(self) -> str:
        return f"acked {self.last_acked_seq} / published {self.last_published_seq}"


class FeedItem(models.Model):
    """An entry of the hub → node feed, kept as received (its `seq` is the hub's)."""

    seq = models.PositiveBigIntegerField(unique=True)
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    published_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ハブからのお知らせ")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"{self.seq} {self.kind}"
