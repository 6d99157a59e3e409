"""The envelope of a node's push: the batch document and what each entry carries."""

from __future__ import annotations

FORMAT = "kyodo.sync.batch/1"
SCHEMA = 1  # every entity type's payload schema; a new one is a new number here and on both sides
OPS = frozenset({"upsert", "retract", "purge"})
MAX_ENTRIES = 500
MAX_BYTES = 4 * 1024 * 1024  # of entries, before compression
