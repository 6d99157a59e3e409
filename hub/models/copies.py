"""What the receiver keeps of the nodes' records: the fields every copy carries, the directory's
copies (groups, offers, events, counts) and the tombstones of deleted copies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .registry import Node, NodeCenter


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
    # Whether `search_text` is in the trigram index (PostgreSQL: a partial index on the rows where
    # this is true). The receiver writes False and hub.tasks.index_directory_search sets it after the
    # batch, so a push does not wait for the index (a row's ~80 trigrams cost most of its write);
    # search scans the few rows not yet indexed through their own partial index meanwhile.
    search_indexed = models.BooleanField(default=False)

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


class SharedNetwork(SharedCopy):
    """An intermediate support network (中間支援組織のネットワーク) listed by its group: name, fields and its
    member counts by kind. Counts only — no member is ever named here."""

    name = models.CharField(max_length=200)
    field_codes = models.JSONField(default=list)
    field_index = models.CharField(max_length=80, blank=True)
    members = models.JSONField(default=dict)  # {member kind: count} (sync.wire.networks.MEMBER_KINDS)
    individuals = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)  # organizations and individuals, summed on receipt

    class Meta:
        verbose_name = _("中間支援ネットワーク")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["node", "entity_uuid"], name="shared_network_unique")]

    def __str__(self) -> str:
        return self.name


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
