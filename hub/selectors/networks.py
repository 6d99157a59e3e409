"""Intermediate support networks across centers: each listed network's member counts by kind, by
center and field, with totals — counts only."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from common.vocabulary import MemberKind
from sync.wire.networks import MEMBER_KINDS

from ..models import SharedNetwork
from .directory import is_uuid

KIND_LABELS = {**dict(MemberKind.choices), "individual": _("個人")}
COLUMNS = (*MEMBER_KINDS, "individual")


@dataclass
class CenterNetworks:
    center: object
    networks: list = field(default_factory=list)  # (SharedNetwork, {column: count})
    totals: dict = field(default_factory=dict)  # {column: count, "total": count}

    @property
    def rows(self) -> list[tuple[SharedNetwork, list[int]]]:
        """Each network with its counts in COLUMNS order (for a table)."""
        return [(network, [counts[key] for key in COLUMNS]) for network, counts in self.networks]

    @property
    def total_cells(self) -> list[int]:
        return [self.totals[key] for key in COLUMNS]


def row_counts(network: SharedNetwork) -> dict[str, int]:
    return {**{kind: network.members.get(kind, 0) for kind in MEMBER_KINDS}, "individual": network.individuals}


def network_listing(*, field_code: int | None = None, center: str = "") -> dict:
    """Listed networks grouped by center (name order), each with its counts by kind; totals per center
    and overall."""
    networks = SharedNetwork.objects.select_related("center").order_by("center__name", "name", "id")
    if field_code:
        networks = networks.filter(field_index__contains=f",{int(field_code)},")
    if center:
        networks = networks.filter(center__center_uuid=center) if is_uuid(center) else networks.none()
    groups: dict[int, CenterNetworks] = {}
    overall = dict.fromkeys(COLUMNS, 0) | {"total": 0}
    for network in networks:
        counts = row_counts(network)
        entry = groups.setdefault(network.center_id, CenterNetworks(network.center, [], dict.fromkeys(COLUMNS, 0)
                                                                    | {"total": 0}))
        entry.networks.append((network, counts))
        for key, value in (*counts.items(), ("total", network.total)):
            entry.totals[key] += value
            overall[key] += value
    return {"centers": list(groups.values()), "totals": overall, "count": sum(len(g.networks) for g in groups.values()),
            "columns": [(key, KIND_LABELS[key]) for key in COLUMNS]}


def listing_document(listing: dict) -> dict:
    """The same listing as JSON (hub API): counts only."""
    return {
        "count": listing["count"], "totals": listing["totals"],
        "centers": [{
            "center": {"uuid": str(entry.center.center_uuid), "name": entry.center.name},
            "totals": entry.totals,
            "networks": [{"uuid": str(network.entity_uuid), "name": network.name, "fields": network.field_codes,
                          "members": counts, "total": network.total} for network, counts in entry.networks],
        } for entry in listing["centers"]],
    }


