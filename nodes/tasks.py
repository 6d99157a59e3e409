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
