"""The relay: gives outbox entries a dense `publish_seq` in commit order, under one lock per node.

A sequence value (the row id) is handed out when a row is inserted, but rows become visible when
their transaction commits, and a slow transaction can commit after a faster, later one. Numbering
rows as soon as they are visible could then skip the slow one forever. So on PostgreSQL the relay
first waits briefly for the writers of the outbox itself: once it holds a lock no writer can hold
with it, every row ever inserted is committed or gone, and all of them can be numbered. When a writer
keeps its transaction open longer (an import), it falls back to numbering only rows whose writing
transaction is older than every transaction still running (`txid < pg_snapshot_xmin(...)`), which
on a cluster shared with other databases also waits for their transactions: five nodes and a hub
applying catch-up batches on one server left a need unnumbered for a second. SQLite has a single
writer, so every committed row is safe to number.
"""

from __future__ import annotations

from django.db import OperationalError, connection, transaction
from django.db.models import Min

from .models import OutboxEntry, Priority, SyncState

RELAY_CHUNK = 5000
# How long the relay queues for the outbox's writers; a form being saved waits at most this long.
WRITERS_WAIT = "100ms"


def sync_state(*, lock: bool = False) -> SyncState:
    SyncState.objects.get_or_create(pk=1)
    queryset = SyncState.objects.select_for_update() if lock else SyncState.objects
    return queryset.get(pk=1)


def _ready_ids(limit: int) -> list[int]:
    """The next entries to number: disaster traffic first among what is ready, then the order the
    changes were made in."""
    if connection.vendor != "postgresql":
        return list(OutboxEntry.objects.filter(publish_seq__isnull=True).order_by("-priority", "id")
                    .values_list("id", flat=True)[:limit])
    table = OutboxEntry._meta.db_table
    committed_only = _writers_done(table)
    with connection.cursor() as cursor:
        # The outbox's statistics lag behind bulk writes (an import of thousands of groups): the
        # planner then expects a few unnumbered rows and reads all of them to sort them, 40 ms per
        # chunk at 40,000 waiting. Without a sort it takes the ordered scan of `outbox_unpublished`,
        # which stops after one chunk however long the backlog.
        cursor.execute("SELECT current_setting('enable_sort'), set_config('enable_sort', 'off', true)")
        previous = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT id FROM {table} WHERE publish_seq IS NULL"
            + ("" if committed_only else " AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            + " ORDER BY priority DESC, id LIMIT %s", [limit])
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT set_config('enable_sort', %s, true)", [previous])
    return ids


def _writers_done(table: str) -> bool:
    """Lock the outbox against writers (SHARE ROW EXCLUSIVE waits for every transaction holding ROW
    EXCLUSIVE on it, i.e. every writer, and keeps new ones out until this transaction ends); False
    when that takes longer than WRITERS_WAIT."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
                           [WRITERS_WAIT])
            previous = cursor.fetchone()[0]
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        return False
    return True


@transaction.atomic
def relay_publish(limit: int | None = None, *, ahead_of: int | None = None) -> int:
    """Number the next ready entries (a chunk); returns how many. Safe to run concurrently (the lock
    serializes).

    With `ahead_of` (the acknowledged seq), number only until `limit` entries wait numbered beyond it.
    """
    limit = limit or RELAY_CHUNK  # read at each run, so a test (or a bench) may change it
    state = sync_state(lock=True)
    if ahead_of is not None:
        limit -= state.last_published_seq - ahead_of
        if limit <= 0:
            return 0
    ids = _ready_ids(limit)
    if not ids:
        return 0
    first = state.last_published_seq
    if connection.vendor == "postgresql":
        # One statement for the whole chunk: the n-th id in order gets seq first + n.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {OutboxEntry._meta.db_table} AS o SET publish_seq = %s + n.ord"
                " FROM unnest(%s::bigint[]) WITH ORDINALITY AS n(id, ord) WHERE o.id = n.id", [first, ids])
    else:
        entries = OutboxEntry.objects.in_bulk(ids)
        for offset, entry_id in enumerate(ids, start=1):
            entries[entry_id].publish_seq = first + offset
        OutboxEntry.objects.bulk_update(entries.values(), ["publish_seq"], batch_size=1000)
    state.last_published_seq = first + len(ids)
    state.save(update_fields=["last_published_seq"])
    return len(ids)


def relay_all() -> int:
    total = 0
    while (numbered := relay_publish()) > 0:
        total += numbered
    return total


def relay_window(*, acked_seq: int, window: int) -> int:
    """Number just what the next batch needs: at most `window` entries wait numbered and unsent.

    Numbering a whole backlog up front would fix its order, and a need written during a 50,000-entry
    catch-up would be sent after all of it; numbered one batch at a time, disaster traffic written
    meanwhile is taken first by `_ready_ids` and rides in the very next batch.
    """
    return relay_publish(window, ahead_of=acked_seq)


def unnumbered_count() -> int:
    return OutboxEntry.objects.filter(publish_seq__isnull=True).count()


def oldest_unsent_at():
    """When the oldest entry the hub has not acknowledged was written. Read through indexes, so that
    it costs the same at a backlog of a million as of ten: the numbered unsent rows are a short range
    of `publish_seq`, and among the unnumbered the first in id order of each priority (an ordered
    scan of `outbox_unpublished`) stands for the oldest — ids follow the writes, give or take the
    moments of transactions running side by side. (A MIN over the whole backlog took 0.2 s at
    100,000 waiting, and it is asked every few seconds during a catch-up.)"""
    state = sync_state()
    times = [OutboxEntry.objects.filter(publish_seq__gt=state.last_acked_seq).aggregate(
        oldest=Min("created_at"))["oldest"]]
    for priority in Priority.values:
        times.append(OutboxEntry.objects.filter(publish_seq__isnull=True, priority=priority).order_by("-priority", "id")
                     .values_list("created_at", flat=True).first())
    return min((t for t in times if t is not None), default=None)
