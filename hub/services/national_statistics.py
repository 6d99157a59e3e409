"""Statistics one tier up. A prefectural hub counts its shared cases by 年度 × form family and sends
the snapshot to its national hub (signed, on its own endpoint, not through the record sync: these
are counts, replaced whole, with nothing to retract one by one); the national hub keeps the last
snapshot of each prefecture and suppresses again when it shows them (hub.selectors.national_statistics).

The counts cover every shared case of the prefecture, 県内のみ ones included: a count names no case,
and the national suppression treats every cell as about the organizations in it, so a cell about one
or two organizations — a 県内のみ case's among them — is never shown."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.replicas import read_alias
from common.vocabulary import form_family
from permissions.audit import audit_record
from sync.client import HubClient, SyncError
from sync.wire import national_statistics as wire

from ..models import NationalStatisticsCell, Node, NodeKind, SharedCase
from ..selectors.library import case_years, current_fiscal_year
from ..selectors.statistics import FORM_FAMILIES, case_organizations

logger = logging.getLogger(__name__)
MAX_SNAPSHOT_YEARS = 20  # the latest 年度 only, as the centers' own aggregates


class StatisticsRefused(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


def statistics_snapshot(*, salt: bytes | None = None) -> dict:
    """This prefecture's cases by 年度 × form family, each cell with its organizations as tokens
    keyed with a salt made for this snapshot alone (and never sent)."""
    salt = salt or secrets.token_bytes(32)
    today_fy = current_fiscal_year()
    cells: dict[tuple[int, str], dict] = {}
    for row in (SharedCase.objects.using(read_alias())
                .values("node_id", "entity_uuid", "form", "fiscal_year_start", "fiscal_year_end", "outcome",
                        "parties").iterator(chunk_size=1000)):
        tokens = {_token(salt, organization)
                  for organization in case_organizations(row["node_id"], row["entity_uuid"], row["parties"])}
        family = form_family(row["form"])
        for year in case_years(row["fiscal_year_start"], row["fiscal_year_end"], row["outcome"], today_fy=today_fy):
            if today_fy - MAX_SNAPSHOT_YEARS < year <= today_fy and year in wire.YEARS:
                cell = cells.setdefault((year, family), {"cases": 0, "organizations": set()})
                cell["cases"] += 1
                cell["organizations"] |= tokens
    return {"format": wire.FORMAT, "prefecture": settings.KYODO_PREFECTURE_CODE,
            "generated_at": timezone.now().isoformat(),
            "cells": [{"year": year, "form": form, "cases": cell["cases"],
                       "organizations": sorted(cell["organizations"])}
                      for (year, form), cell in sorted(cells.items())]}


def _token(salt: bytes, organization) -> str:
    return hmac.new(salt, repr(organization).encode(), hashlib.sha256).hexdigest()[:16]


def statistics_push(*, client: HubClient | None = None) -> int | None:
    """Send this hub's snapshot to its national hub; the number of cells it took, or None without a
    national hub. SyncError when it refused or could not be reached (beat tries again)."""
    if not settings.KYODO_PARENT_HUB_URL:
        return None
    snapshot = statistics_snapshot()
    answer = (client or HubClient()).json("POST", wire.PATH, snapshot)
    if not isinstance(answer, dict) or "cells" not in answer:
        raise SyncError("unexpected_answer", "the national hub did not say how many cells it took")
    logger.info("national statistics: %d cell(s) sent, %d taken", len(snapshot["cells"]), answer["cells"])
    return answer["cells"]


@transaction.atomic
def statistics_receive(*, hub: Node, payload: object) -> int:
    """On the national hub: replace `hub`'s snapshot with this one (StatisticsRefused for a snapshot
    that is not a prefectural hub's own, or not well formed)."""
    if settings.KYODO_HUB_LEVEL != "national":
        raise StatisticsRefused("not_national", "only a national hub takes statistics snapshots", 409)
    if hub.kind != NodeKind.PREFECTURAL_HUB:
        raise StatisticsRefused("not_a_prefectural_hub", "only a prefectural hub sends statistics", 403)
    try:
        snapshot = wire.parse(payload)
    except ValueError as error:
        raise StatisticsRefused("snapshot_invalid", f"the snapshot is not well formed: {error}") from None
    if snapshot["prefecture"] != hub.municipality_code[:2]:
        raise StatisticsRefused("outside_partition", "a prefectural hub sends its own prefecture's statistics", 403)
    if unknown := {cell["form"] for cell in snapshot["cells"]} - set(FORM_FAMILIES):
        raise StatisticsRefused("snapshot_invalid", f"unknown form(s): {', '.join(sorted(unknown))}")
    now = timezone.now()
    Node.objects.select_for_update().filter(pk=hub.pk).first()  # one snapshot at a time per hub
    NationalStatisticsCell.objects.filter(hub=hub).delete()
    NationalStatisticsCell.objects.bulk_create([
        NationalStatisticsCell(hub=hub, fiscal_year=cell["year"], form=cell["form"], cases=cell["cases"],
                               organizations=cell["organizations"], received_at=now)
        for cell in snapshot["cells"]])
    audit_record(actor=None, action="hub.national_statistics_receive", target=hub,
                 detail={"cells": len(snapshot["cells"]), "cases": sum(c["cases"] for c in snapshot["cells"])})
    return len(snapshot["cells"])
