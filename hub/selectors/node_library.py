"""The shared library as the nodes read it (事例ライブラリ（県）): what a hub coordinator's library,
statistics and directory pages show, as JSON for a center's staff on their own node — never more —
and the reads counted per center and month."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from .. import disclosure
from ..models import CaseLevel, DirectoryGroup, LibraryRead, LibraryReadKind, Node, NodeCenter, SharedCase
from .statistics import Statistics, continuation_total, labelled_shares, statistics_csv_rows

CASES_PER_PAGE = 30  # as the hub's library page
GROUPS_PER_PAGE = 50  # as the hub's directory page


def reader_center(*, node: Node, center_uuid) -> NodeCenter | None:
    """The center whose staff read, if it is one of the signing node's own."""
    return NodeCenter.objects.filter(node=node, center_uuid=center_uuid).first()


def centers() -> list[dict]:
    """The centers a filter offers (the hub's pages list them all)."""
    return [{"uuid": str(c.center_uuid), "name": c.name, "municipality_name": c.municipality_name}
            for c in NodeCenter.objects.order_by("municipality_code", "name")]


def _center(center: NodeCenter) -> dict:
    return {"uuid": str(center.center_uuid), "name": center.name, "municipality_name": center.municipality_name}


def case_row(case: SharedCase) -> dict:
    """A case as a row of the library page: title, level, fields, form, 年度, outcome, center."""
    return {"uuid": str(case.entity_uuid), "title": case.title, "level": case.level, "form": case.form,
            "fields": list(case.field_codes or []), "fiscal_year_start": case.fiscal_year_start,
            "fiscal_year_end": case.fiscal_year_end, "outcome": case.outcome, "center": _center(case.center)}


def _party(party: dict, level: str) -> dict:
    # The page shows no pseudonym (`ref`); a name only on a named case, whatever the copy holds.
    return {"name": party.get("name") if level == CaseLevel.NAMED else None, "kind": party.get("kind", ""),
            "role": party.get("role", ""), "fields": list(party.get("fields") or []),
            "size_band": party.get("size_band") or "", "contribution": party.get("contribution") or ""}


def case_document(case: SharedCase) -> dict:
    """A case as its page on the hub shows it (the coordinators' collections and tour notes aside)."""
    return {**case_row(case), "summary": case.summary, "lessons": case.lessons, "total_cost": case.total_cost,
            "city_share": case.city_share, "published_month": case.published_month.strftime("%Y-%m"),
            "parties": [_party(party, case.level) for party in case.parties or []]}


def case_by_uuid(uuid) -> SharedCase | None:
    return SharedCase.objects.select_related("center").filter(entity_uuid=uuid).order_by("pk").first()


def directory_row(group: DirectoryGroup) -> dict:
    """A group as a row of the directory page: name, reading, fields, area, center."""
    return {"name": group.name, "name_kana": group.name_kana, "fields": list(group.field_codes or []),
            "area": group.area, "center": _center(group.center)}


def statistics_document(stats: Statistics) -> dict:
    """The tables as a coordinator downloads them: already suppressed, cells as text, the symbol for
    a suppressed cell (the rows of statistics_csv_rows, title and note beside)."""
    tables = []
    for table in stats.tables:
        tables.append({"slug": table.slug, "title": str(table.title), "note": str(table.note),
                       "rows": [[str(cell) for cell in row] for row in statistics_csv_rows(stats, table.slug) or []]})
    total = continuation_total(stats)
    return {"first": stats.first, "last": stats.last, "center": _center(stats.center) if stats.center else None,
            "case_count": stats.case_count, "symbol": disclosure.SUPPRESSED, "tables": tables,
            "continuation": {"row": str(stats.focus_label), "total": _cell(total),
                             "shares": [{"label": str(share["label"]), "count": _cell(share["count"]),
                                         "percent": share["percent"]} for share in labelled_shares(stats)]}}


def _cell(entry) -> str | int | None:
    """A figure as the page shows it: the symbol when suppressed."""
    if entry is None:
        return None
    return disclosure.SUPPRESSED if entry.suppressed else entry.value


def library_reads_by_month(*, months: int = 12, today: dt.date | None = None) -> dict:
    """Reads per center and month (the last `months`), by kind: {"months", "kinds", "rows"}."""
    today = today or dt.date.today()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    totals = (LibraryRead.objects.filter(day__gte=first).annotate(month=TruncMonth("day"))
              .values("month", "center__name", "center__node__name", "kind").annotate(n=Sum("count"))
              .order_by("-month", "center__name"))
    rows: dict[tuple, dict] = {}
    for total in totals:
        key = (total["month"], total["center__name"])
        row = rows.setdefault(key, {"month": total["month"], "center": total["center__name"],
                                    "node": total["center__node__name"], "counts": dict.fromkeys(LibraryReadKind.values, 0),
                                    "total": 0})
        row["counts"][total["kind"]] += total["n"]
        row["total"] += total["n"]
    for row in rows.values():
        row["cells"] = [row["counts"][kind] for kind in LibraryReadKind.values]
    return {"since": first, "kinds": LibraryReadKind.choices, "rows": list(rows.values())}
