"""What a node publishes about itself beyond its records: its centers' profiles (announced before
anything of theirs) and counts per center for the hub's statistics (no names, no people)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth

from permissions.models import Organization
from sync.canonical import canonical_json
from sync.models import OutboxEntry
from sync.outbox import record_changed, write_aggregate
from sync.relay import sync_state
from sync.wire import directory

from .figures import form_year_table, programme_cycle_counts
from .models import CenterFigures, Consultation, Event, GroupRegistration
from .projections import PROFILE_TYPE


def ensure_profiles() -> int:
    """Every center of this node has announced its profile (needed before anything of it is accepted)."""
    sent = set(OutboxEntry.objects.filter(entity_type=PROFILE_TYPE).values_list("entity_uuid", flat=True))
    written = 0
    with transaction.atomic():
        for center in Organization.objects.filter(kind="center").exclude(uuid__in=sent):
            record_changed(center)
            written += 1
    return written


def aggregate_counts(center) -> dict:
    """Counts only — no names, no people: groups by activity field, events per month, consultations per
    step, the center's collaborations by form × 年度 (with the 公表値 flag) and its 協働推進事業 calls
    (sync.wire.directory.COUNTS_DATA_KEYS)."""
    groups = GroupRegistration.objects.filter(center=center, status="active")
    by_field = (GroupRegistration.activity_fields.through.objects.filter(groupregistration__in=groups)
                .values_list("activityfield__code").annotate(n=Count("id")).order_by("activityfield__code"))
    by_month = (Event.objects.filter(center=center).exclude(status="cancelled")
                .annotate(month=TruncMonth("starts_at", tzinfo=dt.UTC)).values_list("month")
                .annotate(n=Count("id")).order_by("month"))
    by_step = (Consultation.objects.filter(center=center).values_list("step").annotate(n=Count("id"))
               .order_by("step"))
    return {
        "groups_total": groups.count(),
        "groups_by_field": {str(code): n for code, n in by_field},
        "events_per_month": {month.strftime("%Y-%m"): n for month, n in by_month},
        "consultations_per_step": dict(by_step),
        "form_years": form_years(center),
        "programme_cycle": programme_cycle(center),
    }


def form_years(center) -> dict:
    """The form × 年度 table of nodes.figures as the hub receives it: its latest 年度 (as many as the
    wire takes), where each 年度's figures come from, 協働推進事業 by track, and whether the center
    marked the table public (公表値, shown on the hub without suppression; not marked when the
    center never set its figures)."""
    table = form_year_table(center)
    years = table.years[-directory.MAX_AGGREGATE_YEARS:]
    counts: dict[str, dict[str, int]] = {}
    for (row, year), n in sorted(table.counts.items()):
        if year in years:
            counts.setdefault(row, {})[str(year)] = n
    tracks: dict[str, dict[str, int]] = {}
    for (form, year), n in sorted(table.tracks.items()):
        if year in years:
            tracks.setdefault(form, {})[str(year)] = n
    public = CenterFigures.objects.filter(center=center).values_list("form_counts_public", flat=True).first()
    return {"public": bool(public), "counts": counts, "sources": {str(year): table.sources[year] for year in years},
            "tracks": tracks}


def programme_cycle(center) -> dict:
    """意見交換会, 申込 and 採択 per 募集年度 of the center's 協働推進事業 calls (both tracks), the latest ones."""
    cycle = programme_cycle_counts(center)
    return {str(year): counts for year, counts in list(cycle.items())[-directory.MAX_AGGREGATE_YEARS:]}


@transaction.atomic
def publish_aggregates() -> int:
    """Write new aggregate snapshots for the centers whose counts changed since the last one."""
    state = sync_state(lock=True)
    snapshots = {str(c.uuid): aggregate_counts(c) for c in Organization.objects.filter(kind="center")}
    digest = hashlib.sha256(canonical_json(snapshots)).hexdigest()
    if digest == state.aggregates_sha256:
        return 0
    for center in Organization.objects.filter(kind="center"):
        write_aggregate(center=center, data=snapshots[str(center.uuid)])
    state.aggregates_sha256 = digest
    state.save(update_fields=["aggregates_sha256"])
    return len(snapshots)
