"""Emergency mode's fast sync: while a declaration covers this node, pull and push every few seconds."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from sync import client
from sync.models import OutboxEntry
from sync.relay import sync_state
from sync.tasks import schedule_push

from .selectors import emergency_state
from .services import needs_expire

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def emergency_sync():
    """Beat, every few seconds, on the disaster queue. Outside emergency mode it only reads one table.

    The declaration that starts emergency mode arrives through the hub's poke (sync.poke), or at
    the normal pull interval if the poke was lost; from then on, and until the close arrives, this
    tick is the fallback that keeps the node fast.
    """
    if settings.KYODO_ROLE != "node" or not settings.KYODO_HUB_URL:
        return "no hub"
    if not emergency_state().active:
        return "normal"
    try:
        received = client.pull()
    except client.SyncError as error:
        logger.warning("emergency pull failed: %s", error.code)
        received = 0
    state = sync_state()
    pushed = OutboxEntry.objects.unsent(state.last_acked_seq).exists() and schedule_push(reason="emergency", disaster=True)
    return f"emergency: {received} feed entries, push {'scheduled' if pushed else 'not needed'}"


@shared_task(acks_late=True, ignore_result=True)
def expire_needs():
    """Beat: needs not reconfirmed in time expire (and the hub hears of it as disaster traffic)."""
    return f"{needs_expire()} needs expired"
