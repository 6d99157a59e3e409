"""Celery tasks of a node's own records: thin, idempotent wrappers around services."""

from __future__ import annotations

import logging

from celery import shared_task

from sync.tasks import hub_configured, schedule_push

from . import publishing, services, sharing, tours

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def remind_stalled_matches() -> int:
    """Daily: flag matches with no step or meeting for MATCH_STALLED_DAYS (one reminder per stall)."""
    count = services.match_remind_stalled()
    if count:
        logger.info("matching: %d stalled match(es) reminded", count)
    return count


@shared_task(ignore_result=True)
def sweep_renewals() -> dict:
    """Daily: open renewals 90 days ahead, remind at 90/30/7 days, lapse what passed its due date."""
    counts = services.renewals_sweep()
    if any(counts.values()):
        logger.info("renewals: %(opened)d opened, %(reminded)d reminded, %(lapsed)d lapsed", counts)
    return counts


@shared_task(ignore_result=True)
def close_tours() -> int:
    """Hourly: tours whose reading period is over withdraw their case copies from the hub."""
    count = tours.tours_close_due()
    if count:
        logger.info("tours: %d tour(s) closed", count)
    return count


@shared_task(acks_late=True, ignore_result=True)
def publish_aggregates() -> str:
    """Every 10 minutes: counts per center for the hub, written only when they changed."""
    if not hub_configured():
        return "no hub"
    written = publishing.publish_aggregates()
    if written:
        schedule_push(reason="aggregates")
    return f"{written} snapshots"


@shared_task(acks_late=True, ignore_result=True)
def rescan_shared_cases() -> str:
    """Beat: re-check shared cases against personal data registered since they were sent."""
    if not hub_configured():
        return "no hub"
    return f"{sharing.rescan_shared_cases()} cases re-sent or retracted"
