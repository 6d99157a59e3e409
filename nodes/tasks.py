"""Celery tasks of a node's own records: thin, idempotent wrappers around services."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def remind_stalled_matches() -> int:
    """Daily: flag matches with no step or meeting for MATCH_STALLED_DAYS (one reminder per stall)."""
    count = services.match_remind_stalled()
    if count:
        logger.info("matching: %d stalled match(es) reminded", count)
    return count


@shared_task(ignore_result=True)
def close_tours() -> int:
    """Hourly: tours whose reading period is over withdraw their case copies from the hub."""
    from .tours import tours_close_due

    count = tours_close_due()
    if count:
        logger.info("tours: %d tour(s) closed", count)
    return count
