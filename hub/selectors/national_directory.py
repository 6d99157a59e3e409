"""The national hub's directory (全国の団体一覧): groups whose center's node recorded their consent to
全国掲載, passed up by their prefectural hub with their offers (できることメニュー), by prefecture."""

from __future__ import annotations

from django.db.models import QuerySet

from common import regions

from ..models import DirectoryGroup, NodeKind, SharedOffer
from .directory import directory, listed_offers

GROUPS_PER_PAGE = 50


def national_groups(*, q: str = "", prefecture: str = "", field: int | None = None) -> QuerySet:
    """Listed groups of every prefecture (a prefecture's two-digit code narrows them to it)."""
    groups = directory(q=q, field=field).filter(node__kind=NodeKind.PREFECTURAL_HUB)
    if prefecture:
        groups = groups.filter(node__municipality_code__startswith=prefecture) if prefecture in regions.PREFECTURES \
            else groups.none()
    return groups


def prefecture_name(group: DirectoryGroup) -> str:
    return regions.PREFECTURES.get(group.node.municipality_code[:2], "")


def national_rows(groups) -> list[dict]:
    """A page of groups with their prefecture and their listed offers, for the page and the API."""
    groups = list(groups)
    offers: dict[tuple[int, str], list[SharedOffer]] = {}
    for offer in listed_offers().filter(node__in={g.node_id for g in groups},
                                        group_uuid__in=[g.entity_uuid for g in groups]).order_by("title", "id"):
        offers.setdefault((offer.node_id, str(offer.group_uuid)), []).append(offer)
    return [{"uuid": str(group.entity_uuid), "name": group.name, "name_kana": group.name_kana, "kind": group.kind,
             "fields": group.field_codes, "area": group.area, "description": group.description,
             "prefecture": group.node.municipality_code[:2], "prefecture_name": prefecture_name(group),
             "center": {"uuid": str(group.center.center_uuid), "name": group.center.name,
                        "municipality_name": group.center.municipality_name},
             "offers": [{"uuid": str(o.entity_uuid), "title": o.title, "description": o.description,
                         "fields": o.field_codes, "area": o.area, "capacity": o.capacity, "months": o.months,
                         "cost_conditions": o.cost_conditions}
                        for o in offers.get((group.node_id, str(group.entity_uuid)), [])]}
            for group in groups]


def national_prefectures() -> list[tuple[str, str]]:
    """The prefectures with at least one group listed nationally, in JIS order."""
    codes = {code[:2] for code in DirectoryGroup.objects.filter(node__kind=NodeKind.PREFECTURAL_HUB)
             .values_list("node__municipality_code", flat=True).distinct()}
    return [(code, regions.PREFECTURES[code]) for code in sorted(codes) if code in regions.PREFECTURES]
