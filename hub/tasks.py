"""Thin Celery tasks of the hub."""

from __future__ import annotations

import logging

from celery import shared_task

from sync.client import SyncError

from . import figures_cache
from .pokes import poke_nodes
from .services import directory_index, national_statistics
from .services.enrollment import nonces_forget_expired
from .services.search_index import cases_index_pending
from .services.tours import purge_closed, visitors_forget

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def nodes_poke(seq: int, node_ids: list[int] | None = None):
    """Tell nodes a feed entry is waiting (hub.pokes); queued on the disaster queue after commit."""
    outcomes = poke_nodes(seq=seq, node_ids=node_ids)
    return f"poked {len(outcomes)} nodes"


@shared_task(ignore_result=True)
def purge_closed_tours() -> int:
    """Tour-only case copies go when the tour's reading period ends (the reader queries already
    refuse them from that moment; this removes the data)."""
    count = purge_closed()
    if count:
        logger.info("tours: %d tour case copy(ies) purged", count)
    return count


@shared_task(ignore_result=True)
def forget_tour_visitors() -> dict:
    """Visitors' names, reports and accounts go when their tour's reading period ends."""
    counts = visitors_forget()
    if any(counts.values()):
        logger.info("tours: visitors forgotten %s", counts)
    return counts


@shared_task(ignore_result=True)
def forget_expired_nonces() -> int:
    """Seen nonces whose signatures have expired can never be replayed: beat deletes them hourly."""
    count = nonces_forget_expired()
    if count:
        logger.info("sync: %d expired nonce(s) forgotten", count)
    return count


@shared_task(ignore_result=True, soft_time_limit=120)
def index_case_search() -> int:
    """Tokenize received cases for the word search (after each batch with cases, and every minute)."""
    count = cases_index_pending()
    if count:
        logger.info("library: %d case(s) added to the word index", count)
        # Queued after each batch with cases, as this task is: the statistics follow the batch.
        refresh_default_statistics.delay()
    return count


@shared_task(ignore_result=True, soft_time_limit=300)
def push_national_statistics() -> int | None:
    """A prefectural hub's statistics snapshot to its national hub (beat, hourly; a failure waits for
    the next hour: the snapshot is counted afresh each time, nothing is queued)."""
    try:
        return national_statistics.statistics_push()
    except SyncError as error:
        logger.warning("national statistics not sent: %s", error.code)
        return None


@shared_task(ignore_result=True)
def refresh_default_statistics() -> int:
    """The statistics pages as first opened, computed again when their data changed (beat: every minute)."""
    return figures_cache.refresh_defaults()


@shared_task(ignore_result=True)
def refresh_statistics(kind: str, params: dict, language: str) -> None:
    """Figures a reader found stale, computed again (queued once by hub.figures_cache)."""
    figures_cache.refresh(kind=kind, params=params, language=language)


@shared_task(ignore_result=True, soft_time_limit=120)
def index_directory_search() -> int:
    """Put received groups into the directory's substring index (after each batch with groups, and
    every minute)."""
    count = directory_index.index_pending()
    if count:
        logger.info("directory: %d group(s) added to the search index", count)
    return count
