"""What node and hub tell each other so that either can be restored from an older backup.

Two additions to existing exchanges, nothing else: batches keep their format.

- The digest request (`POST /sync/v1/digest`) may carry `LIST: true`; the answer then also lists
  what the hub holds of the node (`HELD`) and what it buried (`BURIED`). A node restored from an
  older backup, whose hub has acknowledged seqs the node no longer has, re-announces its current
  state from that list (sync.resync): every version it sends is above the hub's, so the hub's
  ordinary "only when newer" rule converges it to the node's truth.
- The feed answer carries the feed's head (`FEED_HEAD`) and its epoch (`FEED_EPOCH`, `FEED_EPOCH_AFTER`).
  A hub restored from a backup starts a new epoch that continues after the seq it was restored to;
  a node that sees a new epoch, or a cursor beyond the head, forgets the entries numbered after
  that seq (the hub will number different entries there) and pulls from it.
"""

from __future__ import annotations

LIST = "list"
# entity type → [[uuid, version, center uuid, status or None], …]: every copy the hub holds of the node.
HELD = "held"
# entity type → [[uuid, version], …]: the versions that deleted a copy (a lower upsert is ignored).
BURIED = "buried"

FEED_HEAD = "last_seq"
FEED_EPOCH = "epoch"
FEED_EPOCH_AFTER = "epoch_after"
