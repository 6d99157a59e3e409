"""The envelope of a node's push: the batch document and what each entry carries."""

from __future__ import annotations

FORMAT = "kyodo.sync.batch/1"
SCHEMA = 1  # every entity type's payload schema; a new one is a new number here and on both sides
OPS = frozenset({"upsert", "retract", "purge"})
MAX_ENTRIES = 500
MAX_BYTES = 4 * 1024 * 1024  # of entries, before compression
# Levels of nesting of a whole batch document (objects and lists): the deepest the nodes send is 7
# (batch → entries → entry → payload → data → counts → count). The receiver walks payloads
# recursively; a document nested hundreds deep would exhaust its stack, so it is refused first.
MAX_DEPTH = 16


def nesting_exceeds(document, limit: int = MAX_DEPTH) -> bool:
    """Whether `document` (parsed JSON) nests objects and lists deeper than `limit`. Recursive, but it
    stops one level past `limit`, so checking a hostile document cannot itself run out of stack; a
    call per container rather than a tuple per child (the receiver runs this over every batch)."""

    def deeper(value, depth: int) -> bool:
        if depth > limit:
            return True
        for child in value.values() if isinstance(value, dict) else value:
            if isinstance(child, dict | list) and deeper(child, depth + 1):
                return True
        return False

    return isinstance(document, dict | list) and deeper(document, 1)
