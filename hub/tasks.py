"""Thin Celery tasks of the hub."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def nodes_poke(seq: int, node_ids: list[int] | None = None):
    """Tell nodes a feed entry is waiting (hub.pokes); queued on the disaster queue after commit."""
    from .pokes import poke_nodes

    outcomes = poke_nodes(seq=seq, node_ids=node_ids)
    return f"poked {len(outcomes)} nodes"
