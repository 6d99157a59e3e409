"""Node-side sync services: the push lease and where the node stands with its hub."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import OutboxEntry, SyncState
from .relay import oldest_unsent_at, sync_state
from .upstream import upstream_url


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
    unsent = OutboxEntry.objects.unsent(state.last_acked_seq)
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
    return upstream_url()


def status_json() -> str:
    return json.dumps(status(), ensure_ascii=False, indent=2)
