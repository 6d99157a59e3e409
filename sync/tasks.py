"""Thin Celery tasks around sync: they take no data (it is all in the outbox) and are safe to repeat."""

from __future__ import annotations

import datetime as dt
import logging
import random

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from . import client, services
from .models import OutboxEntry, Priority, SyncState
from .relay import sync_state

logger = logging.getLogger(__name__)
PUSH_DEBOUNCE_SECONDS = 2
RETRY_LIMIT = 6
DISASTER_RETRY_SECONDS = 60


def backoff(retries: int) -> float:
    """Exponential backoff with full jitter: 0–2 s, 0–4 s … capped at 5 minutes."""
    return random.uniform(0, min(300, 2 ** (retries + 1)))


def hub_configured() -> bool:
    """A node with a hub, or a prefectural hub with a national hub above it."""
    return bool(client.upstream_url())


def schedule_push(*, reason: str, disaster: bool = False) -> bool:
    """Ask for a push in a moment, unless one was asked for very recently (a burst of writes → one push)."""
    if not hub_configured():
        return False
    now = timezone.now()
    sync_state()
    claimed = SyncState.objects.filter(pk=1).filter(
        Q(push_requested_at__isnull=True) | Q(push_requested_at__lt=now - dt.timedelta(seconds=PUSH_DEBOUNCE_SECONDS))
    ).update(push_requested_at=now)
    if not claimed and not disaster:
        return False
    try:
        sync_push.apply_async(countdown=0 if disaster else PUSH_DEBOUNCE_SECONDS,
                              queue="disaster" if disaster else "default")
    except OperationalError as error:
        # The change is safe in the outbox; the beat schedule pushes it once the broker is back.
        # Failing here would turn a committed save into an error page.
        logger.warning("sync push not scheduled (%s): broker unavailable: %s", reason, type(error).__name__)
        return False
    logger.info("sync push scheduled (%s)", reason)
    return True


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=RETRY_LIMIT, ignore_result=True)
def sync_push(self):
    if not hub_configured():
        return "no hub"
    owner = services.lease_acquire(owner=self.request.id)
    if owner is None:
        return "another push holds the lease"
    try:
        result = client.push(lease_owner=owner)
    except client.SyncError as error:
        logger.warning("sync push failed: %s", error.code)
        if error.retry and self.request.retries < RETRY_LIMIT:
            raise self.retry(countdown=backoff(self.request.retries)) from error
        return f"failed: {error.code}"
    finally:
        services.lease_release(owner)
    _push_leftovers(sent=result.entries)
    return f"pushed {result.entries} entries in {result.batches} batches"


def _push_leftovers(*, sent: int) -> None:
    """Push again what this push left behind, rather than leave it to the sweeper.

    A change committed while our last batch was in flight found the lease taken and its own push gave
    up. A disaster entry can also be not yet numberable: an older transaction is still open somewhere
    on the PostgreSQL cluster (sync.relay) — e.g. the hub applying a catch-up batch on a shared
    server. Disaster entries are retried every half second for DISASTER_RETRY_SECONDS after they were
    written, other leftovers once after a push that sent something, so nothing loops for long.
    """
    unnumbered = OutboxEntry.objects.filter(publish_seq__isnull=True)
    recent = timezone.now() - dt.timedelta(seconds=DISASTER_RETRY_SECONDS)
    try:
        if unnumbered.filter(priority=Priority.DISASTER, created_at__gte=recent).exists():
            sync_push.apply_async(countdown=0.5, queue="disaster")
            return
    except OperationalError as error:
        logger.warning("disaster push not re-scheduled: broker unavailable: %s", type(error).__name__)
        return
    if sent and unnumbered.exists():
        schedule_push(reason="written during push")


POKE_PULL_MARKER = "kyodo:sync:poke-pull-queued"


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=RETRY_LIMIT, ignore_result=True)
def sync_pull(self, poked: bool = False):
    if not hub_configured():
        return "no hub"
    if poked:
        # From here on a new poke must queue another pull: this one may read the feed too early.
        cache.delete(POKE_PULL_MARKER)
        logger.info("feed pull (poked by the hub)")
    try:
        return f"received {client.pull()} feed entries"
    except client.SyncError as error:
        if error.retry and self.request.retries < RETRY_LIMIT:
            raise self.retry(countdown=backoff(self.request.retries)) from error
        return f"failed: {error.code}"


def pull_on_poke() -> str:
    """The hub poked us: pull the feed now on the disaster queue, unless a poked pull is already
    queued (it has not read the feed yet, so it will see whatever the poke announced)."""
    if not cache.add(POKE_PULL_MARKER, 1, timeout=60):
        return "pull_already_queued"
    try:
        sync_pull.apply_async(kwargs={"poked": True}, queue="disaster")
    except OperationalError as error:
        cache.delete(POKE_PULL_MARKER)
        logger.warning("poked pull not scheduled: broker unavailable: %s", type(error).__name__)
        return "broker_unavailable"
    return "pull_scheduled"


@worker_ready.connect
def _pull_on_start(sender=None, **_kwargs):
    """A worker that starts pulls the feed once: a restarted node catches up at once, and a new node
    learns its hub's signing key (feed kind `hub_key`) before the first poke arrives."""
    if hub_configured():
        sync_pull.apply_async(queue="disaster")


@shared_task(acks_late=True, ignore_result=True)
def sync_sweep():
    """Beat: re-ask for a push when unsent work has waited too long (the push numbers entries as it
    goes, one batch ahead, see sync.relay.relay_window).

    A push that died with its worker leaves an expired lease; the debounce marker keeps the
    sweeper from queueing a second push while one is already waiting.
    """
    if not hub_configured():
        return "no hub"
    state = sync_state()
    pending = OutboxEntry.objects.unsent(state.last_acked_seq).exists()
    now = timezone.now()
    lease_free = state.lease_until is None or state.lease_until < now
    stale = state.push_requested_at is None or state.push_requested_at < now - dt.timedelta(
        seconds=settings.SYNC_LEASE_SECONDS)
    if pending and lease_free and stale:
        schedule_push(reason="sweeper")
        return "re-enqueued"
    return "nothing stalled"


@shared_task(acks_late=True, ignore_result=True)
def sync_check_drift():
    if not hub_configured():
        return "no hub"
    try:
        drift = client.check_drift()
    except client.SyncError as error:
        return f"failed: {error.code}"
    return "drift" if any(not row["ok"] for row in drift.values()) else "in step"
