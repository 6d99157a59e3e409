"""What a node does with hub → node feed entries: each kind may have one handler, registered by the
app that owns it (e.g. emergency registers `disaster_declaration`). Handlers must be idempotent:
an entry can arrive more than once."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .models import FeedItem

logger = logging.getLogger(__name__)
HANDLERS: dict[str, Callable[[FeedItem], object]] = {}


def register(kind: str, handler: Callable[[FeedItem], object]) -> None:
    HANDLERS[kind] = handler


def dispatch(item: FeedItem) -> None:
    """Run the kind's handler. A bad entry is logged and kept; it must not stop the feed behind it."""
    handler = HANDLERS.get(item.kind)
    if handler is None:
        return
    try:
        handler(item)
    except ValueError as error:
        logger.warning("feed entry %s (%s) refused: %s", item.seq, item.kind, error)
