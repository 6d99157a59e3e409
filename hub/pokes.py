"""Signed pokes from the hub to its nodes after a disaster feed entry commits (see sync.poke).

Best effort by design: a poke that does not arrive only means the node sees the entry at its next
pull (every 5 s in emergency mode, the sync interval otherwise), so nothing here retries.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import httpx
from celery import current_app
from kombu.exceptions import OperationalError

from sync import disaster
from sync.keys import load_key
from sync.outbox import canonical_json
from sync.poke import POKE_PATH
from sync.signing import sign_request

from .models import Node, NodeStatus

logger = logging.getLogger(__name__)
# Feed kinds worth a poke: what a node should act on within seconds.
POKE_KINDS = frozenset({disaster.FEED_KIND, disaster.COMMITMENT_KIND, disaster.DELIVERY_KIND})
# A node that does not answer quickly pulls on its own schedule anyway.
POKE_TIMEOUT = httpx.Timeout(3.0, connect=1.0)
# Sent by name: the task module calls this one, so importing it here would make a circle.
POKE_TASK = "hub.tasks.nodes_poke"


def request_poke(*, seq: int, node_id: int | None = None) -> None:
    """After commit: queue the pokes on the disaster queue (`node_id` None: every active node)."""
    try:
        current_app.send_task(POKE_TASK, kwargs={"seq": seq, "node_ids": None if node_id is None else [node_id]},
                              queue="disaster")
    except OperationalError as error:
        logger.warning("nodes not poked for feed seq %s: broker unavailable: %s", seq, type(error).__name__)


def poke_nodes(*, seq: int, node_ids: list[int] | None = None, transport=None) -> dict[str, str]:
    """POST a signed poke to each active node with a URL, side by side; slug → outcome."""
    key = load_key()
    if key is None:
        logger.warning("the hub has no signing key (kyodo manage sync_keygen): nodes pull on schedule")
        return {}
    nodes = Node.objects.filter(status=NodeStatus.ACTIVE).exclude(base_url="")
    if node_ids is not None:
        nodes = nodes.filter(pk__in=node_ids)
    nodes = list(nodes)
    if not nodes:
        return {}
    body = canonical_json({"seq": seq})

    def poke(http: httpx.Client, node: Node) -> tuple[str, str]:
        url = f"{node.base_url.rstrip('/')}{POKE_PATH}"
        headers = sign_request(method="POST", url=url, body=body, key_id=key.key_id, private_key=key.private_key)
        try:
            response = http.post(url, content=body, headers={**headers, "Content-Type": "application/json"})
        except httpx.HTTPError as error:
            return node.slug, type(error).__name__
        try:
            answer = response.json()
            outcome = answer.get("status") or answer["error"]["code"]
        except (ValueError, KeyError, TypeError, AttributeError):
            outcome = f"http_{response.status_code}"
        return node.slug, outcome

    with httpx.Client(timeout=POKE_TIMEOUT, transport=transport) as http, \
            ThreadPoolExecutor(max_workers=min(len(nodes), 16)) as pool:
        outcomes = dict(pool.map(lambda node: poke(http, node), nodes))
    logger.info("feed seq %s: poked %s", seq, ", ".join(f"{slug}={outcome}" for slug, outcome in outcomes.items()))
    return outcomes
