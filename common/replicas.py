"""PostgreSQL read replicas: which reads may go there, and a router that keeps every write on the primary.

A hub that grows past one machine adds streaming replicas (DATABASE_REPLICA_URL, one URL or several
separated by commas; settings names them replica_1, replica_2 …). Only selectors that opt in read
there — the library search and the statistics, the heavy reads coordinators repeat — through
`read_alias()`; every other query stays on the primary, so a page that just wrote reads its own
writes. A replica lags by a fraction of a second: a case synced a moment ago may show a moment later.
"""

from __future__ import annotations

import itertools
import threading

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

_turn = itertools.count()
_turn_lock = threading.Lock()


def replica_aliases() -> list[str]:
    return list(getattr(settings, "KYODO_READ_REPLICAS", ()))


def read_alias() -> str:
    """The database alias for a read-only query of search or statistics: a replica in turn when
    configured, the primary otherwise — and always the primary inside a transaction, which may
    have written rows the replica has not seen (and must read them consistently with its writes)."""
    replicas = replica_aliases()
    if not replicas or transaction.get_connection(DEFAULT_DB_ALIAS).in_atomic_block:
        return DEFAULT_DB_ALIAS
    with _turn_lock:
        turn = next(_turn)
    return replicas[turn % len(replicas)]


class PrimaryWritesRouter:
    """Reads go where the query says (`.using(read_alias())`), or to the primary; writes and
    migrations only ever to the primary.

    Without this router, saving a row read from a replica would write to the replica (Django
    writes an instance back to the database it came from), which a hot standby refuses.
    """

    def db_for_read(self, model, **hints):
        instance = hints.get("instance")
        if instance is not None and instance._state.db in replica_aliases():
            return instance._state.db  # a related row of a replica's row: the same snapshot's source
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's rows: a row read from either may point at the other.
        known = {DEFAULT_DB_ALIAS, *replica_aliases()}
        return True if {obj1._state.db, obj2._state.db} <= known else None

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS
