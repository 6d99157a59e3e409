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

from .models import Consultation, Event, GroupRegistration
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
    """Counts only — no names, no people: groups by activity field, events per month, consultations per step."""
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
    }


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
