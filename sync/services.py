"""Node-side sync services: profiles and aggregate counts into the outbox, the push lease, status."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import OutboxEntry, SyncState
from .outbox import canonical_json, record_changed, write_aggregate
from .relay import oldest_unsent_at, sync_state


def ensure_profiles() -> int:
    """Every center of this node has announced its profile (needed before anything of it is accepted)."""
    from permissions.models import Organization

    sent = set(OutboxEntry.objects.filter(entity_type="node_profile").values_list("entity_uuid", flat=True))
    written = 0
    with transaction.atomic():
        for center in Organization.objects.filter(kind="center").exclude(uuid__in=sent):
            record_changed(center)
            written += 1
    return written


def aggregate_counts(center) -> dict:
    """Counts only — no names, no people: groups by activity field, events per month, consultations per step."""
    from nodes import models as m

    groups = m.GroupRegistration.objects.filter(center=center, status="active")
    by_field = (m.GroupRegistration.activity_fields.through.objects.filter(groupregistration__in=groups)
                .values_list("activityfield__code").annotate(n=Count("id")).order_by("activityfield__code"))
    by_month = (m.Event.objects.filter(center=center).exclude(status="cancelled")
                .annotate(month=TruncMonth("starts_at", tzinfo=dt.UTC)).values_list("month")
                .annotate(n=Count("id")).order_by("month"))
    by_step = (m.Consultation.objects.filter(center=center).values_list("step").annotate(n=Count("id"))
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
    from permissions.models import Organization

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


def lease_acquire(owner: str | None = None, seconds: int | None = None) -> str | None:
    """One push at a time per node: take the lease if it is free or expired. Returns the owner token."""
    owner = owner or uuid.uuid4().hex
    now = timezone.now()
    sync_state()
    taken = SyncState.objects.filter(pk=1).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(
        lease_owner=owner, lease_until=now + dt.timedelta(seconds=seconds or settings.SYNC_LEASE_SECONDS))
    return owner if taken else None


def lease_renew(owner: str) -> bool:
    """Extend a lease we still hold; False when it expired and someone else took it."""
    until = timezone.now() + dt.timedelta(seconds=settings.SYNC_LEASE_SECONDS)
    return SyncState.objects.filter(pk=1, lease_owner=owner).update(lease_until=until) == 1


def lease_release(owner: str) -> None:
    SyncState.objects.filter(pk=1, lease_owner=owner).update(lease_owner="", lease_until=None)


def status() -> dict:
    """What the sync page and `kyodo sync status` show."""
    state = sync_state()
    unsent = OutboxEntry.objects.filter(Q(publish_seq__isnull=True) | Q(publish_seq__gt=state.last_acked_seq))
    oldest = oldest_unsent_at()
    now = timezone.now()
    return {
        "hub_url": _hub_url(),
        "lag_entries": unsent.count(),
        "lag_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0.0,
        "last_published_seq": state.last_published_seq,
        "last_acked_seq": state.last_acked_seq,
        "last_success_at": state.last_success_at.isoformat() if state.last_success_at else None,
        "last_attempt_at": state.last_attempt_at.isoformat() if state.last_attempt_at else None,
        "last_error": state.last_error,
        "last_error_at": state.last_error_at.isoformat() if state.last_error_at else None,
        "feed_cursor": state.feed_cursor,
        "last_pull_at": state.last_pull_at.isoformat() if state.last_pull_at else None,
        "drift": state.drift,
        "drift_checked_at": state.drift_checked_at.isoformat() if state.drift_checked_at else None,
        "lease_until": state.lease_until.isoformat() if state.lease_until else None,
    }


def _hub_url() -> str:
    return settings.KYODO_HUB_URL


def status_json() -> str:
    return json.dumps(status(), ensure_ascii=False, indent=2)
