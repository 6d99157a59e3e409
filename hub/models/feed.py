"""The hub → node feed: entries written on the hub only, numbered by one counter row."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .registry import Node


class FeedSequence(models.Model):
    """The feed's counter row. Writers lock it, so seqs are dense and commit in seq order: a node
    reading `after=cursor` can never skip an entry that commits late."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    # Set when the hub is restored from a backup (hub.services.feed.feed_epoch_start): nodes that see
    # a new epoch forget the entries they hold after `epoch_after` (numbered by the hub's lost
    # future, to be numbered again differently) and pull from there.
    epoch = models.CharField(max_length=32, blank=True, default="")
    epoch_after = models.PositiveBigIntegerField(default=0)

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
