"""Disaster coordination (みんかな) for the hub's coordinators: declarations, each covered center's
status and its freshness, needs against offers and commitments by area × sector, and the
who-does-what-where export (HXL)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from sync import disaster
from sync.disaster import NO_RESPONSE_LABEL, CenterStatus, prefecture_code

from ..models import (
    CenterStatusCopy,
    DisasterCommitment,
    DisasterDeclaration,
    DisasterNeedCopy,
    DisasterOfferCopy,
    NodeCenter,
)
from .directory import centers

# A center that has not reported for this long shows as 「応答なし」 on the board.
CENTER_STATUS_STALE_HOURS = 6


def disasters() -> QuerySet:
    """Open declarations first (newest first), then closed ones."""
    return DisasterDeclaration.objects.select_related("declared_by").order_by(F("closed_at").desc(nulls_first=True), "-started_at", "-id")


def open_disasters() -> list:
    """What the banner shows on the hub: every open declaration, drills apart from real ones."""
    return list(DisasterDeclaration.objects.filter(closed_at__isnull=True).order_by("exercise", "-started_at"))


def centers_to_ask(declaration, need) -> list[tuple[NodeCenter, bool]]:
    """Centers a coordinator may ask directly for a need with no fitting offer: every center but the
    need's own, those the declaration covers first (the flag)."""
    covered = set(covered_centers(declaration).values_list("pk", flat=True))
    rows = [(center, center.pk in covered) for center in centers() if center.pk != need.center_id]
    return sorted(rows, key=lambda row: not row[1])


def covered_centers(declaration) -> QuerySet:
    """The centers a declaration covers, from the municipality each node's profile announced."""
    centers = NodeCenter.objects.select_related("node")
    if declaration.whole_prefecture:
        return centers.filter(Q(municipality_code__startswith=prefecture_code()) | Q(municipality_code=""))
    return centers.filter(municipality_code__in=declaration.municipality_codes)


@dataclass
class BoardRow:
    center: NodeCenter
    status: str | None  # a CenterStatus value, or None: 応答なし
    label: str
    as_of: dt.datetime | None
    note: str
    stale: bool
    reported_status: str | None  # the last report, even when too old to count


@dataclass
class DisasterBoard:
    declaration: object
    rows: list[BoardRow]
    counts: dict[str, int]
    stale_hours: int


def disaster_board(declaration, *, now: dt.datetime | None = None,
                   stale_hours: int = CENTER_STATUS_STALE_HOURS) -> DisasterBoard:
    """Each covered center's latest status and its freshness: no report within `stale_hours` is 応答なし."""
    now = now or timezone.now()
    limit = now - dt.timedelta(hours=stale_hours)
    latest: dict[int, CenterStatusCopy] = {}
    # Newest first, so the first row seen per center is its latest (one per center normally).
    for copy in CenterStatusCopy.objects.filter(declaration=declaration).order_by("center_id", "-as_of", "-version"):
        latest.setdefault(copy.center_id, copy)
    rows, counts = [], {value: 0 for value in [*CenterStatus.values, "no_response"]}
    for center in covered_centers(declaration):
        copy = latest.get(center.pk)
        fresh = copy is not None and copy.as_of >= limit
        status = copy.status if fresh else None
        counts[status or "no_response"] += 1
        rows.append(BoardRow(
            center=center, status=status, label=str(CenterStatus(status).label if status else NO_RESPONSE_LABEL),
            as_of=copy.as_of if copy else None, note=copy.note if copy else "", stale=copy is not None and not fresh,
            reported_status=copy.status if copy else None))
    # What needs attention first: no answer, then closed, partial, normal.
    order = {None: 0, CenterStatus.CLOSED: 1, CenterStatus.PARTIAL: 2, CenterStatus.NORMAL: 3}
    rows.sort(key=lambda row: (order[row.status], row.center.municipality_code, row.center.name))
    return DisasterBoard(declaration=declaration, rows=rows, counts=counts, stale_hours=stale_hours)




def need_effective_status(need: DisasterNeedCopy, now: dt.datetime) -> str:
    """Past its expiry a live need counts as expired on the hub, whether or not its node said so yet."""
    if need.status in disaster.NEED_LIVE and need.expires_at <= now:
        return disaster.NeedStatus.EXPIRED
    return need.status


@dataclass
class NeedRow:
    need: DisasterNeedCopy
    status: str
    label: str
    committed: int
    delivered: int
    reached: int


@dataclass
class CommitmentRow:
    commitment: DisasterCommitment
    status: str
    label: str
    delivered: int
    reached: int
    reported_at: dt.datetime | None


@dataclass
class MatrixCell:
    municipality_code: str
    sector: str
    sector_label: str
    requested: int = 0
    offered: int = 0
    committed: int = 0
    delivered: int = 0

    @property
    def signal(self) -> str:
        """missing: asked for and not (fully) covered; piling: more committed or offered than asked."""
        if self.requested > self.committed and self.offered == 0:
            return "missing"
        if self.requested and (self.committed > self.requested or self.offered > 2 * self.requested):
            return "piling"
        if self.requested > self.committed:
            return "short"
        return "ok"


@dataclass
class Coordination:
    needs: list[NeedRow]
    offers: list[DisasterOfferCopy]
    commitments: list[CommitmentRow]
    matrix: list[MatrixCell]
    live_needs: list[NeedRow]
    open_offers: list[DisasterOfferCopy]


def offer_amount(offer: DisasterOfferCopy) -> int:
    return offer.volunteers + offer.vehicles + disaster.lines_total(offer.supplies)


def disaster_coordination(declaration, *, now: dt.datetime | None = None) -> Coordination:
    """Needs, offers and commitments of a declaration, and the area × sector matrix of requested /
    offered / committed / delivered amounts (live needs only; expired and withdrawn ones drop out)."""
    now = now or timezone.now()
    commitments = []
    by_need: dict[uuid.UUID, list[CommitmentRow]] = {}
    for commitment in (DisasterCommitment.objects.filter(declaration=declaration)
                       .select_related("center", "center__node", "report").order_by("-created_at", "-id")):
        report = getattr(commitment, "report", None)
        status = report.status if report else disaster.CommitmentStatus.COMMITTED
        row = CommitmentRow(commitment=commitment, status=status, label=str(disaster.CommitmentStatus(status).label),
                            delivered=report.delivered if report else 0, reached=report.reached if report else 0,
                            reported_at=report.reported_at if report else None)
        commitments.append(row)
        by_need.setdefault(commitment.need_uuid, []).append(row)
    needs = []
    for need in DisasterNeedCopy.objects.filter(declaration=declaration).select_related("center", "node").order_by(
            "municipality_code", "sector", "-last_confirmed_at"):
        status = need_effective_status(need, now)
        rows = by_need.get(need.entity_uuid, [])
        needs.append(NeedRow(need=need, status=status, label=str(disaster.NeedStatus(status).label),
                             committed=sum(r.commitment.quantity for r in rows),
                             delivered=sum(r.delivered for r in rows), reached=sum(r.reached for r in rows)))
    offers = list(DisasterOfferCopy.objects.filter(declaration=declaration).select_related("center", "node")
                  .order_by("municipality_code", "sector", "-created_at"))
    open_offers = [o for o in offers if o.status == disaster.OfferStatus.OPEN and o.valid_until > now]
    cells: dict[tuple[str, str], MatrixCell] = {}

    def cell(code: str, sector: str) -> MatrixCell:
        return cells.setdefault((code, sector), MatrixCell(code, sector, str(disaster.Sector(sector).label)))

    live = [row for row in needs if row.status in disaster.NEED_LIVE]
    for row in live:
        target = cell(row.need.municipality_code, row.need.sector)
        target.requested += row.need.requested
        target.committed += row.committed
        target.delivered += row.delivered
    for offer in open_offers:
        cell(offer.municipality_code, offer.sector).offered += offer_amount(offer)
    matrix = sorted(cells.values(), key=lambda c: (c.municipality_code, disaster.Sector.values.index(c.sector)))
    return Coordination(needs=needs, offers=offers, commitments=commitments, matrix=matrix, live_needs=live,
                        open_offers=open_offers)


HXL_COLUMNS = [
    ("organization", "団体・センター", "#org+name"),
    ("organization_type", "種別", "#org+type+name"),
    ("sector", "分野", "#sector"),
    ("activity", "内容", "#activity"),
    ("status", "状況", "#status"),
    ("adm1_code", "都道府県コード", "#adm1+code+v_jisx0402"),
    ("adm2_code", "市区町村コード", "#adm2+code+v_jisx0402"),
    ("location", "場所", "#loc+name"),
    ("date_start", "開始", "#date+start"),
    ("date_end", "期限", "#date+end"),
    ("date_reported", "報告日時", "#date+reported"),
    ("in_need", "必要数", "#inneed+ind"),
    ("reached", "支援が届いた人数", "#reached+ind"),
    ("id", "ID", "#meta+id"),
]


def _lines_text(lines) -> str:
    return "、".join(f"{line['description']} {line['quantity']}{line['unit']}" for line in lines)


def disaster_export_rows(declaration, *, now: dt.datetime | None = None) -> list[dict]:
    """Who does what where: one row per need and per offer, with the HXL columns above (no people:
    centers, and groups that consented to be listed, by name only)."""
    now = now or timezone.now()
    data = disaster_coordination(declaration, now=now)
    rows = []
    for row in data.needs:
        need = row.need
        rows.append({"organization": need.center.name, "organization_type": "センター（ニーズ）",
                     "sector": need.sector, "activity": _lines_text(need.lines), "status": row.status,
                     "adm1_code": disaster.PREFECTURE_ORG_CODE, "adm2_code": need.municipality_code,
                     "location": need.place_name, "date_start": need.created_at.isoformat(),
                     "date_end": need.expires_at.isoformat(), "date_reported": need.last_confirmed_at.isoformat(),
                     "in_need": need.requested, "reached": row.reached, "id": str(need.entity_uuid)})
    for offer in data.offers:
        activity = [part for part in (
            f"ボランティア{offer.volunteers}人" if offer.volunteers else "", offer.skills,
            _lines_text(offer.supplies), f"車両{offer.vehicles}台" if offer.vehicles else "") if part]
        rows.append({"organization": offer.group_name or offer.center.name, "organization_type": "団体（申し出）",
                     "sector": offer.sector, "activity": "、".join(activity),
                     "status": offer.status if offer.valid_until > now else "expired",
                     "adm1_code": disaster.PREFECTURE_ORG_CODE, "adm2_code": offer.municipality_code,
                     "location": offer.area_served, "date_start": offer.created_at.isoformat(),
                     "date_end": offer.valid_until.isoformat(), "date_reported": offer.received_at.isoformat(),
                     "in_need": "", "reached": "", "id": str(offer.entity_uuid)})
    return rows


def stale_centers(board, *, now: dt.datetime | None = None) -> list:
    """Freshness: covered centers with no valid status report (応答なし), with their last report time."""
    return [row for row in board.rows if row.status is None]
