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
    """Whether `document` (parsed JSON) nests objects and lists deeper than `limit`; iterative, so
    that checking a hostile document cannot itself run out of stack."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
