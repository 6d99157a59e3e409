"""The directory's substring index, filled after the batches: the receiver writes a group with
`search_indexed` false, which keeps it out of the trigram index (a partial index), and this marks
the rows, in chunks, once groups have stopped arriving for QUIET seconds. A row's ~80 trigrams
cost most of its write; marking them while a node catches up would only compete with the catch-up
for the same CPU. Until then search finds such a group by scanning the rows not yet indexed
(hub.selectors.directory): nothing is missing meanwhile, only slower; /healthz shows the lag."""

from __future__ import annotations

import datetime as dt
import logging
import time

from celery import current_app
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from ..models import DirectoryGroup

logger = logging.getLogger(__name__)

INDEX_TASK = "hub.tasks.index_directory_search"
CHUNK = 2000
QUIET = 5.0  # seconds without a new group before indexing starts


def request_indexing() -> None:
    """After commit of a batch with groups: queue the indexing (beat also runs it every minute)."""
    try:
        current_app.send_task(INDEX_TASK, countdown=QUIET)
    except OperationalError as error:
        logger.warning("directory search index not requested: broker unavailable: %s", type(error).__name__)


@transaction.atomic
def index_chunk(*, limit: int = CHUNK) -> int:
    """Mark up to `limit` groups as indexed; returns how many. Locked rows are skipped, so two workers
    share the queue; a group the receiver rewrites meanwhile waits for this transaction, and its
    upsert writes False again (its new text is indexed by a later run)."""
    if connection.vendor != "postgresql":
        ids = list(DirectoryGroup.objects.filter(search_indexed=False).order_by("id")
                   .values_list("id", flat=True)[:limit])
        return DirectoryGroup.objects.filter(id__in=ids).update(search_indexed=True)
    table = DirectoryGroup._meta.db_table
    with connection.cursor() as cursor:
        # Two statements, so the update goes by primary key: as one `id IN (subquery)` the planner
        # chose a scan of the whole table for each chunk.
        cursor.execute(f"SELECT id FROM {table} WHERE NOT search_indexed ORDER BY id LIMIT %s"
                       " FOR UPDATE SKIP LOCKED", [limit])
        ids = [row[0] for row in cursor.fetchall()]
        if ids:
            cursor.execute(f"UPDATE {table} SET search_indexed = true WHERE id = ANY(%s)", [ids])
        return len(ids)


def arriving() -> bool:
    """Whether the newest group not yet indexed came in the last QUIET seconds (batches are still
    arriving; the task queued after the last of them indexes)."""
    newest = (DirectoryGroup.objects.filter(search_indexed=False).order_by("-id")
              .values_list("received_at", flat=True).first())
    return newest is not None and newest > timezone.now() - dt.timedelta(seconds=QUIET)


def index_pending(*, seconds: float = 50.0) -> int:
    """Chunks until none is left, groups arrive again, or `seconds` have passed (the next run, queued
    after a batch or by beat every minute, takes the rest)."""
    done, deadline = 0, time.monotonic() + seconds
    while not arriving():
        if time.monotonic() >= deadline:
            request_indexing()  # more to do: the next run goes on (after other tasks queued meanwhile)
            break
        count = index_chunk()
        done += count
        if count < CHUNK:
            break
    return done


def index_lag() -> int:
    """Groups not yet in the substring index: a count over their small partial index."""
    return DirectoryGroup.objects.filter(search_indexed=False).count()
