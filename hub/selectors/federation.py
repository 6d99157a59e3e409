"""The federation overview: every node's lag, last contact, keys and centers."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch
from django.utils import timezone

from ..models import DirectoryGroup, KeyStatus, Node, NodeKey


def federation(*, now: dt.datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    groups = dict(DirectoryGroup.objects.values_list("node").annotate(n=Count("id")).order_by())
    nodes = Node.objects.prefetch_related(
        Prefetch("keys", queryset=NodeKey.objects.filter(status=KeyStatus.ACTIVE).order_by("slot"), to_attr="active_keys"),
        "centers",
    )
    rows = []
    for node in nodes:
        oldest = node.reported_oldest_unsent_at
        rows.append({
            "node": node,
            "lag_entries": node.lag_entries,
            "lag_seconds": round((now - oldest).total_seconds()) if oldest and node.lag_entries else 0,
            "last_contact": node.last_contact_at,
            "silent_for": round((now - node.last_contact_at).total_seconds()) if node.last_contact_at else None,
            "keys": node.active_keys,
            "centers": list(node.centers.all()),
            "groups": groups.get(node.pk, 0),
        })
    return rows
