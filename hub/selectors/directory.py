"""The cross-center directory and calendar: listed groups, their offers (できることメニュー) and
public events of every center."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from common.search import search_words

from ..models import DirectoryGroup, Node, NodeCenter, SharedEvent, SharedOffer


def directory(*, q: str = "", field: int | None = None, center: str = "", kind: str = "") -> QuerySet:
    groups = DirectoryGroup.objects.select_related("center", "node")
    if q:
        # The trigram index holds the indexed rows only (hub.services.directory_index); the rows
        # received since the last indexing run are scanned through their own small partial index.
        groups = search_words(groups.filter(search_indexed=True), q) | search_words(groups.filter(search_indexed=False), q)
    if field:
        groups = groups.filter(field_index__contains=f",{int(field)},")
    if center:
        groups = groups.filter(center__center_uuid=center) if is_uuid(center) else groups.none()
    if kind:
        groups = groups.filter(kind=kind)
    return groups.order_by("name_kana", "name")


def listed_offers() -> QuerySet:
    """Offers whose group is in the directory: a group that withdrew its listing takes them along."""
    return SharedOffer.objects.filter(Exists(DirectoryGroup.objects.filter(
        node=OuterRef("node"), entity_uuid=OuterRef("group_uuid"))))


OFFER_LIMIT = 200


def offers_for_node(*, node: Node, q: str = "", field: int | None = None) -> list[dict]:
    """Other centers' listed offers for a node's staff (never the asking node's own), each with its
    group's directory entry and its center's name — what a node ranks against its needs."""
    offers = listed_offers().exclude(node=node).select_related("center")
    if q:
        offers = search_words(offers, q)
    if field:
        offers = offers.filter(field_index__contains=f",{int(field)},")
    offers = list(offers.order_by("title", "id")[:OFFER_LIMIT])
    groups = {(g.node_id, g.entity_uuid): g for g in DirectoryGroup.objects.filter(
        entity_uuid__in=[o.group_uuid for o in offers])}
    rows = []
    for offer in offers:
        group = groups.get((offer.node_id, offer.group_uuid))
        if group is None:
            continue
        rows.append({
            "uuid": str(offer.entity_uuid), "title": offer.title, "description": offer.description,
            "fields": offer.field_codes, "area": offer.area, "capacity": offer.capacity, "months": offer.months,
            "cost_conditions": offer.cost_conditions,
            "group": {"uuid": str(group.entity_uuid), "name": group.name, "kind": group.kind,
                      "legal_form": group.legal_form, "fields": group.field_codes, "area": group.area},
            "center": {"uuid": str(offer.center.center_uuid), "name": offer.center.name,
                       "municipality_name": offer.center.municipality_name},
        })
    return rows


def calendar(*, month: dt.date, q: str = "", center: str = "") -> dict:
    """Public events of every center in one month, by day."""
    start = timezone.make_aware(dt.datetime(month.year, month.month, 1))
    end = timezone.make_aware(dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1))
    events = SharedEvent.objects.select_related("center").filter(starts_at__gte=start, starts_at__lt=end)
    if q:
        events = search_words(events, q)
    if center:
        events = events.filter(center__center_uuid=center) if is_uuid(center) else events.none()
    days: dict[dt.date, list] = {}
    for event in events.order_by("starts_at"):
        days.setdefault(timezone.localtime(event.starts_at).date(), []).append(event)
    return {"month": month, "days": sorted(days.items()), "count": sum(len(v) for v in days.values()),
            "previous": (start - dt.timedelta(days=1)).date().replace(day=1), "next": end.date()}


def is_uuid(value: str) -> bool:
    # A hand-edited ?center= must narrow to nothing, not reach the database as a malformed uuid.
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def centers() -> QuerySet:
    return NodeCenter.objects.select_related("node").order_by("municipality_code", "name")


def upcoming_events(limit: int = 8) -> QuerySet:
    return SharedEvent.objects.select_related("center").filter(
        Q(starts_at__gte=timezone.now())).exclude(status="cancelled").order_by("starts_at")[:limit]
