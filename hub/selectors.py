"""Reads on the hub: the federation overview, the cross-center directory and calendar."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from config.search import search
from permissions.scoping import permission_map

from .models import DirectoryGroup, KeyStatus, Node, NodeCenter, NodeKey, SharedEvent


def can(user, codename: str) -> bool:
    """Hub permissions are held on the prefecture organization; any such membership counts."""
    return bool(permission_map(user).get(codename))


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


def directory(*, q: str = "", field: int | None = None, center: str = "", kind: str = "") -> QuerySet:
    groups = DirectoryGroup.objects.select_related("center", "node")
    if q:
        groups = search(groups, q)
    if field:
        groups = groups.filter(field_index__contains=f",{int(field)},")
    if center:
        groups = groups.filter(center__center_uuid=center)
    if kind:
        groups = groups.filter(kind=kind)
    return groups.order_by("name_kana", "name")


def calendar(*, month: dt.date, q: str = "", center: str = "") -> dict:
    """Public events of every center in one month, by day."""
    start = timezone.make_aware(dt.datetime(month.year, month.month, 1))
    end = timezone.make_aware(dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1))
    events = SharedEvent.objects.select_related("center").filter(starts_at__gte=start, starts_at__lt=end)
    if q:
        events = search(events, q)
    if center:
        events = events.filter(center__center_uuid=center)
    days: dict[dt.date, list] = {}
    for event in events.order_by("starts_at"):
        days.setdefault(timezone.localtime(event.starts_at).date(), []).append(event)
    return {"month": month, "days": sorted(days.items()), "count": sum(len(v) for v in days.values()),
            "previous": (start - dt.timedelta(days=1)).date().replace(day=1), "next": end.date()}


def centers() -> QuerySet:
    return NodeCenter.objects.select_related("node").order_by("municipality_code", "name")


def upcoming_events(limit: int = 8) -> QuerySet:
    return SharedEvent.objects.select_related("center").filter(
        Q(starts_at__gte=timezone.now())).exclude(status="cancelled").order_by("starts_at")[:limit]
