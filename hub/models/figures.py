"""How far the copies the statistics pages read have changed: one row per (source, node), moved
forward by database triggers (migration 0021) on every write to those tables, whoever writes them."""

from __future__ import annotations

from django.db import models


class FiguresSource(models.TextChoices):
    CASES = "cases", "shared cases"
    COUNTS = "counts", "aggregate snapshots"
    CENTERS = "centers", "node centers"


class FiguresVersion(models.Model):
    """`changed` and `removed` are stamps from one sequence, taken by the last statement that wrote
    (or deleted) rows of this source and node. Rows are never deleted (no foreign key to the node),
    so the sum of the stamps over a source grows with every commit that touches it, in whatever order
    the transactions commit: a cache keyed by that sum cannot be taken for fresh after a change.
    """

    source = models.CharField(max_length=10, choices=FiguresSource.choices)
    node_id = models.BigIntegerField()  # 0: a TRUNCATE, which names no node
    changed = models.BigIntegerField(default=0)
    removed = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "node_id"], name="figures_version_unique")]

    def __str__(self) -> str:
        return f"{self.source} of node {self.node_id}: {self.changed}/{self.removed}"
