"""Reads on the hub: the federation overview, the cross-center directory and calendar, the shared
case library and its statistics, disaster coordination, disaster contacts (through grants, audited)
and emergency survey results (through hub.disclosure)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Hashable
from dataclasses import dataclass, field as dataclass_field

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Now
from django.utils import timezone

from common.charts import bar_chart
from common.japanese import fiscal_year_label, fiscal_year_of, wareki_fiscal_year
from common.search import search
from permissions.audit import audit_record
from permissions.models import OrganizationKind
from permissions.scoping import permission_map
from sync import disaster
from sync.disaster import NO_RESPONSE_LABEL, PREFECTURE_CODE, CenterStatus

from . import disclosure
from .models import (
    ACTIVITY_FIELDS,
    CaseCollection,
    CaseOutcome,
    CenterStatusCopy,
    CollaborationForm,
    CollectionCase,
    ContactGrant,
    DirectoryGroup,
    DisasterCommitment,
    DisasterContactCopy,
    DisasterDeclaration,
    DisasterNeedCopy,
    DisasterOfferCopy,
    EmergencySurvey,
    KeyStatus,
    Node,
    NodeCenter,
    NodeKey,
    PartyRole,
    SharedCase,
    SharedEvent,
    SharedOffer,
)


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
        groups = groups.filter(center__center_uuid=center) if _is_uuid(center) else groups.none()
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
        offers = search(offers, q)
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
        events = search(events, q)
    if center:
        events = events.filter(center__center_uuid=center) if _is_uuid(center) else events.none()
    days: dict[dt.date, list] = {}
    for event in events.order_by("starts_at"):
        days.setdefault(timezone.localtime(event.starts_at).date(), []).append(event)
    return {"month": month, "days": sorted(days.items()), "count": sum(len(v) for v in days.values()),
            "previous": (start - dt.timedelta(days=1)).date().replace(day=1), "next": end.date()}


def _is_uuid(value: str) -> bool:
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


# --- the shared case library ---------------------------------------------------------------------


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


def case_years(start: int, end: int | None, outcome: str, *, today_fy: int | None = None) -> range:
    """The 年度 a case counts in. Without a stated end, an ongoing case runs to this 年度 and any
    other is taken as a single-year case, so that a missing end never counts a case twice."""
    if end is None:
        end = max(start, today_fy or current_fiscal_year()) if outcome == CaseOutcome.ONGOING else start
    return range(start, end + 1)


def in_fiscal_years(first: int, last: int) -> Q:
    """Cases active in any 年度 of first..last, by the same rule as `case_years`."""
    open_ended = Q(fiscal_year_end__isnull=True, fiscal_year_start__gte=first)
    if current_fiscal_year() >= first:
        open_ended |= Q(fiscal_year_end__isnull=True, outcome=CaseOutcome.ONGOING)
    return Q(fiscal_year_start__lte=last) & (Q(fiscal_year_end__gte=first) | open_ended)


def case_library(*, q: str = "", form: str = "", field: int | None = None, center: NodeCenter | None = None,
                 fiscal_year: int | None = None, outcome: str = "", level: str = "") -> QuerySet:
    """Shared cases, searched in Japanese (every word, ignoring width and kana) and filtered."""
    cases = SharedCase.objects.select_related("center")
    if q:
        cases = search(cases, q)
    if form:
        cases = cases.filter(form=form)
    if field:
        cases = cases.filter(field_index__contains=f",{int(field)},")
    if center is not None:
        cases = cases.filter(center=center)
    if fiscal_year:
        cases = cases.filter(in_fiscal_years(fiscal_year, fiscal_year))
    if outcome:
        cases = cases.filter(outcome=outcome)
    if level:
        cases = cases.filter(level=level)
    return cases.order_by("-fiscal_year_start", "title", "id")


def case_detail(pk: int) -> SharedCase | None:
    return SharedCase.objects.select_related("center", "node").filter(pk=pk).first()


def case_collection_entries(case: SharedCase) -> QuerySet:
    """The collections a case is in, for its page."""
    return CollectionCase.objects.filter(case=case).select_related("collection").order_by("collection__title")


def collections() -> QuerySet:
    return CaseCollection.objects.select_related("created_by").annotate(case_count=Count("entries"))


def collection_entries(collection: CaseCollection) -> QuerySet:
    return collection.entries.select_related("case", "case__center").order_by("order", "id")


# --- statistics (統計) -------------------------------------------------------------------------------

# The city (and the prefecture) and the center itself are parties to most cases; counting them as
# organizations would make every cell look like "three or more organizations" and let cells about
# one or two groups through. Cells count the groups, companies and others the figures are about.
NOT_COUNTED_KINDS = frozenset({OrganizationKind.CITY_DEPARTMENT, OrganizationKind.PREFECTURE, OrganizationKind.CENTER})
MAX_STATISTICS_YEARS = 12  # wider tables make the exact suppression audit slow; seed 001 shows 8 years
DEFAULT_STATISTICS_YEARS = 8
NO_FIELD = 0
ONE_WAY_COLUMN = "件数"


def case_organizations(node_id: int, entity_uuid, parties: list[dict]) -> frozenset:
    """Whom a case's figures are about. Refs are pseudonyms per node, so they are kept with it."""
    refs = frozenset((node_id, party["ref"]) for party in parties
                     if party["role"] != PartyRole.GOVERNMENT and party["kind"] not in NOT_COUNTED_KINDS)
    # A case between the city and the center only is still about someone: count it as its own
    # organization, so it is protected like a case of one group (the disclosure helper refuses none).
    return refs or frozenset({("case", node_id, str(entity_uuid))})


def statistics_default_years(*, center: NodeCenter | None = None) -> tuple[int, int]:
    """The last eight 年度 that have cases (up to this one)."""
    cases = SharedCase.objects.filter(center=center) if center is not None else SharedCase.objects.all()
    found = cases.aggregate(start=Max("fiscal_year_start"), end=Max("fiscal_year_end"))
    today = current_fiscal_year()
    latest = min(max(found["start"] or today, found["end"] or 0), today) if found["start"] else today
    return latest - DEFAULT_STATISTICS_YEARS + 1, latest


@dataclass
class StatisticsTable:
    """One suppressed table ready for a page and a CSV file."""

    slug: str
    title: str
    corner: str
    table: disclosure.Table
    labels: dict[Hashable, str]
    one_way: bool = False
    note: str = ""
    chart: dict = dataclass_field(default_factory=dict)
    header: list[dict] = dataclass_field(default_factory=list)
    rows: list[dict] = dataclass_field(default_factory=list)


@dataclass
class Statistics:
    first: int
    last: int
    center: NodeCenter | None
    case_count: int
    tables: list[StatisticsTable]
    rates: disclosure.ContinuationRates | None

    def table(self, slug: str) -> StatisticsTable | None:
        return next((t for t in self.tables if t.slug == slug), None)


def _chart(entries: list[tuple[str, disclosure.Entry]]) -> dict:
    """Bars of published figures only; a suppressed one gets the symbol and no bar."""
    chart = bar_chart([(label, entry.value or 0) for label, entry in entries])
    for bar, (_label, entry) in zip(chart["bars"], entries, strict=True):
        if entry.suppressed:
            bar["value"], bar["suppressed"] = disclosure.SUPPRESSED, True
    return chart


def _lay_out(stat: StatisticsTable) -> StatisticsTable:
    table = stat.table
    columns = [] if stat.one_way else list(table.col_keys)
    stat.header = [{"key": key, "label": stat.labels.get(key, str(key))} for key in columns]
    stat.rows = [{"label": stat.labels.get(row.key, str(row.key)), "cells": [] if stat.one_way else list(row.cells),
                  "total": row.total, "is_total": row.key is disclosure.TOTAL}
                 for row in [*table.rows, table.total_row]]
    for row in stat.rows:
        if row["is_total"]:
            row["label"] = "合計"
    stat.chart = _chart([(stat.labels.get(row.key, str(row.key)), row.total) for row in table.rows])
    return stat


def statistics_range(*, first: int | None, last: int | None, center: NodeCenter | None = None) -> tuple[int, int]:
    """The 年度 range asked for, filled in: eight 年度 ending with the latest that has cases."""
    span = DEFAULT_STATISTICS_YEARS - 1
    if first is None and last is None:
        return statistics_default_years(center=center)
    if first is None:
        return max(last - span, 1950), last
    if last is None:
        return first, min(first + span, 2100)
    return first, last


STATISTICS_TABLES = ("forms", "fields", "centers", "continuation")


def _statistics_records(cases: QuerySet, first: int, last: int) -> list[dict]:
    today_fy = current_fiscal_year()
    records = []
    for row in cases.values("node_id", "entity_uuid", "center_id", "form", "field_codes", "fiscal_year_start",
                            "fiscal_year_end", "outcome", "parties").iterator(chunk_size=1000):
        years = [y for y in case_years(row["fiscal_year_start"], row["fiscal_year_end"], row["outcome"],
                                       today_fy=today_fy) if first <= y <= last]
        records.append({**row, "years": years, "fields": row["field_codes"] or [NO_FIELD],
                        "organizations": case_organizations(row["node_id"], row["entity_uuid"], row["parties"])})
    return records


def case_statistics(*, first: int, last: int, center: NodeCenter | None = None, only: str | None = None) -> Statistics:
    """Counts by form × 年度, by activity field and by center, and continuation rates, for the cases
    active in first..last; every figure goes through hub.disclosure. Nothing is cached: a retracted
    case is gone from the next page. `only` builds one table (suppression is the costly part)."""
    cases = SharedCase.objects.filter(in_fiscal_years(first, last))
    if center is not None:
        cases = cases.filter(center=center)
    records = _statistics_records(cases, first, last)
    wanted = set(STATISTICS_TABLES) if only is None else {only}
    one_way = {"col_order": [ONE_WAY_COLUMN]}
    tables = []
    if "forms" in wanted:
        years = list(range(first, last + 1))
        forms = [f for f in CollaborationForm.values if any(r["form"] == f for r in records)]
        labels = {**{value: str(label) for value, label in CollaborationForm.choices},
                  **{y: fiscal_year_label(y) for y in years}}
        stat = _lay_out(StatisticsTable(
            "forms", "協働の形態別・年度別の件数", "協働の形態",
            disclosure.counts_by(records, "form", "years", row_order=forms, col_order=years), labels,
            note="複数年度にわたる事例は年度ごとに数えます（合計は延べ件数）。"))
        # Years head the columns as 西暦 with the 和暦 under it; the CSV spells both out.
        stat.header = [{"key": y, "label": f"{y}年度", "sub": wareki_fiscal_year(y)} for y in years]
        tables.append(stat)
    if "fields" in wanted:
        fields = sorted({code for r in records for code in r["fields"]})
        labels = {code: f"{code} {ACTIVITY_FIELDS[code]}" for code in fields if code != NO_FIELD}
        labels[NO_FIELD] = "（分野の記載なし）"
        tables.append(_lay_out(StatisticsTable(
            "fields", "活動分野別の件数", "活動分野",
            disclosure.counts_by(records, "fields", lambda r: ONE_WAY_COLUMN, row_order=fields, **one_way),
            labels, one_way=True, note="複数の分野にまたがる事例は分野ごとに数えます（合計は延べ件数）。")))
    if "centers" in wanted:
        centers_found = list(NodeCenter.objects.filter(pk__in={r["center_id"] for r in records}))
        tables.append(_lay_out(StatisticsTable(
            "centers", "センター別の件数", "センター",
            disclosure.counts_by(records, "center_id", lambda r: ONE_WAY_COLUMN,
                                 row_order=[c.pk for c in centers_found], **one_way),
            {c.pk: c.name for c in centers_found}, one_way=True)))
    rates = None
    if "continuation" in wanted:
        rates = disclosure.continuation_rates(records)
        stat = _lay_out(StatisticsTable("continuation", "事業期間後の継続状況", "", rates.table,
                                        dict(disclosure.OUTCOMES), note="実施中の事例は含みません。"))
        stat.chart = _chart([(share.label, share.count) for share in rates.shares])
        tables.append(stat)
    return Statistics(first=first, last=last, center=center, case_count=len(records), tables=tables, rates=rates)


def statistics_csv_rows(stats: Statistics, slug: str) -> list[list[str]] | None:
    """One table as CSV rows: suppressed cells as the one symbol, then the general footnote."""
    stat = stats.table(slug)
    if stat is None:
        return None
    rows = disclosure.to_csv_rows(stat.table, labels=stat.labels, corner=stat.corner)
    if stat.one_way:
        # A one-column table's total column repeats it (same value, same suppression).
        rows = [row[:-1] if len(row) == 3 else row for row in rows]
    if slug == "continuation" and stats.rates is not None:
        # Percentages of published counts only: a suppressed count has no percentage either.
        percents = [disclosure.SUPPRESSED if share.count.suppressed else "" if share.percent is None
                    else f"{share.percent}%" for share in stats.rates.shares]
        rows.insert(len(stat.table.row_keys) + 2, ["割合", *percents, "100%" if stats.rates.total.value else ""])
    if stat.note:
        rows.append([f"注：{stat.note}"])
    return rows


# --- disaster coordination (みんかな) ---------------------------------------------------------------

# A center that has not reported for this long shows as 「応答なし」 on the board.
CENTER_STATUS_STALE_HOURS = 6


def disasters() -> QuerySet:
    """Open declarations first (newest first), then closed ones."""
    return DisasterDeclaration.objects.order_by(F("closed_at").desc(nulls_first=True), "-started_at", "-id")


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
        return centers.filter(Q(municipality_code__startswith=PREFECTURE_CODE) | Q(municipality_code=""))
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


# --- needs against offers (the coordinators' board) ------------------------------------------------


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



# --- disaster contacts (item 5) -------------------------------------------------------------------------


def valid_contact_grants(*, user, declaration) -> QuerySet:
    """The user's approved grants on this declaration that have not ended — the end is compared with
    the database's clock in the query itself, so an expired grant can never be used."""
    return ContactGrant.objects.filter(declaration=declaration, grantee=user, approved_at__isnull=False,
                                       ends_at__gt=Now(), declaration__closed_at__isnull=True)


def disaster_contacts(*, user, declaration, purpose: str = "list") -> tuple[ContactGrant | None, list]:
    """The declaration's disaster contacts if the user holds a valid grant, else none. Every read
    leaves an audit row naming the grant, its reason and the contacts read (uuids, never values);
    a read without a grant is audited as refused."""
    grant = valid_contact_grants(user=user, declaration=declaration).order_by("-ends_at").first()
    if grant is None:
        audit_record(actor=user, action="hub.disaster_contacts_refused", target=declaration,
                     detail={"purpose": purpose})
        return None, []
    # The grant is checked again in the same statement that reads the values.
    contacts = list(DisasterContactCopy.objects.filter(declaration=declaration).filter(
        Exists(valid_contact_grants(user=user, declaration=OuterRef("declaration")))).select_related("center")
        .order_by("center__municipality_code", "group_name", "id"))
    audit_record(actor=user, action="hub.disaster_contacts_read", target=declaration, detail={
        "grant": str(grant.uuid), "reason": grant.reason, "purpose": purpose, "count": len(contacts),
        "contacts": [str(c.entity_uuid) for c in contacts], "fields": ["contact_name", "phone", "email"]})
    return grant, contacts


def contact_grants(*, declaration) -> QuerySet:
    return ContactGrant.objects.filter(declaration=declaration).select_related("grantee", "approver")


def contact_count(*, declaration) -> int:
    """How many groups shared a contact: a count only, shown without a grant."""
    return DisasterContactCopy.objects.filter(declaration=declaration).count()


# --- emergency surveys (item 6) -------------------------------------------------------------------------


def surveys(*, declaration) -> QuerySet:
    return EmergencySurvey.objects.filter(declaration=declaration)


@dataclass
class SurveyResults:
    survey: EmergencySurvey
    respondents: disclosure.Entry
    tables: list[StatisticsTable]

    def table(self, slug: str) -> StatisticsTable | None:
        return next((t for t in self.tables if t.slug == slug), None)


RESPONDENTS_COLUMN = "回答団体数"
SUM_COLUMN = "合計"


def survey_results(survey: EmergencySurvey) -> SurveyResults:
    """Each question as a table suppressed like the statistics: choice questions by option ×
    center (groups), number questions by center (sums), and the groups answering by center. Every
    answering group is an organization the figures are about, so a cell about 1–2 groups is hidden
    and complements keep it from being worked out from the totals."""
    copies = list(survey.counts.select_related("center").order_by("center__municipality_code", "center__name"))
    centers = [copy.center for copy in copies]
    center_labels = {center.pk: center.name for center in centers}
    order = [center.pk for center in centers]
    one_way = {"col_order": [RESPONDENTS_COLUMN]}
    respondent_records = [{"center": c.center_id, "n": c.respondents,
                           "organizations": frozenset(("g", c.center_id, i) for i in range(c.respondents))}
                          for c in copies if c.respondents]
    respondents_table = disclosure.build_table(respondent_records, "center", lambda r: RESPONDENTS_COLUMN,
                                               unit=disclosure.Unit.CASES, value_key="n", row_order=order, **one_way)
    tables = [_lay_out(StatisticsTable("respondents", "回答した団体の数", "センター", respondents_table,
                                       center_labels, one_way=True))]
    for question in survey.questions:
        key = question["key"]
        if question["kind"] == disaster.QuestionKind.NUMBER:
            records = [{"center": c.center_id, "sum": c.questions[key]["sum"], "organizations": frozenset(
                ("g", c.center_id, i) for i in range(c.questions[key]["answered"]))}
                for c in copies if c.questions[key]["answered"]]
            table = disclosure.build_table(records, "center", lambda r: SUM_COLUMN, unit=disclosure.Unit.CASES,
                                           value_key="sum", row_order=order, col_order=[SUM_COLUMN])
            tables.append(_lay_out(StatisticsTable(key, question["text"], "センター", table, center_labels,
                                                   one_way=True, note="回答の合計（1〜2団体の値は秘匿）。")))
            continue
        single = question["kind"] == disaster.QuestionKind.SINGLE
        records = []
        for copy in copies:
            for option, count in copy.questions[key]["options"].items():
                if count:
                    # A single choice splits the groups between options; with several choices one group
                    # may be behind every option, so totals count no more groups than the largest cell.
                    records.append({"option": option, "center": copy.center_id, "n": count, "organizations":
                                    frozenset(("g", copy.center_id, option if single else "", i) for i in range(count))})
        labels = {**{o["key"]: o["label"] for o in question["options"]}, **center_labels}
        table = disclosure.build_table(records, "option", "center", unit=disclosure.Unit.CASES, value_key="n",
                                       row_order=[o["key"] for o in question["options"]], col_order=order)
        stat = _lay_out(StatisticsTable(key, question["text"], "選択肢", table, labels,
                                        note="" if single else "複数回答のため合計は延べ数です。"))
        stat.header = [{"key": pk, "label": center_labels[pk]} for pk in table.col_keys]
        tables.append(stat)
    return SurveyResults(survey=survey, respondents=respondents_table.entry(disclosure.TOTAL, disclosure.TOTAL),
                         tables=tables)


def survey_csv_rows(results: SurveyResults, slug: str) -> list[list[str]] | None:
    stat = results.table(slug)
    if stat is None:
        return None
    rows = disclosure.to_csv_rows(stat.table, labels=stat.labels, corner=stat.corner)
    if stat.one_way:
        rows = [row[:-1] if len(row) == 3 else row for row in rows]
    if stat.note:
        rows.append([f"注：{stat.note}"])
    return [[f"{results.survey.title}：{stat.title}"], *rows]
