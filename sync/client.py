"""The node's side of the conversation with its hub: push the outbox, pull the feed, compare digests.

Every request is signed (sync.signing). The node's checkpoint (`last_acked_seq`) moves only when
the hub answers a batch with the seq it has committed, so a lost answer means the batch is sent
again — harmless, the hub skips what it already applied.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import feed, registry, resync
from .canonical import canonical_json
from .keys import NodeKeyPair, load_key
from .models import FeedItem, Op, OutboxEntry, Priority, SyncState
from .relay import oldest_unsent_at, relay_window, sync_state, unnumbered_count
from .services import lease_renew
from .signing import sign_request
from .upstream import upstream_url
from .wire import batch, restore as wire_restore

logger = logging.getLogger(__name__)
BATCH_FORMAT, BATCH_MAX_ENTRIES, BATCH_MAX_BYTES = batch.FORMAT, batch.MAX_ENTRIES, batch.MAX_BYTES
PIPELINE_DEPTH = 2  # batches in flight at once
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
# A page that asks the hub while staff wait (他センターのできること): better a clear message than a hang.
LIVE_TIMEOUT = httpx.Timeout(5.0, connect=2.0)



class SyncError(Exception):
    def __init__(self, code: str, message: str, *, retry: bool = True):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.retry = code, message, retry


@dataclass
class PushResult:
    batches: int = 0
    entries: int = 0
    last_acked_seq: int = 0
    last_published_seq: int = 0
    # Set when this push found the hub beyond what the node published and re-announced the node's state.
    reannounced: resync.Reannounced | None = None


class HubClient:
    def __init__(self, base_url: str | None = None, key: NodeKeyPair | None = None, transport=None, timeout=None):
        # A node's hub, or a prefectural hub's national hub: the same protocol one tier up.
        self.base_url = (base_url or upstream_url()).rstrip("/")
        if not self.base_url:
            raise SyncError("no_hub", "KYODO_HUB_URL (or a hub's KYODO_PARENT_HUB_URL) is not set", retry=False)
        self.key = key or load_key()
        if self.key is None:
            raise SyncError("no_key", "this node has no signing key (kyodo manage sync_keygen)", retry=False)
        self.http = httpx.Client(timeout=timeout or TIMEOUT, transport=transport)

    def request(self, method: str, path: str, *, body: bytes = b"", headers: dict | None = None) -> httpx.Response:
        url = f"{self.base_url}{path}"
        signed = sign_request(method=method, url=url, body=body, key_id=self.key.key_id,
                              private_key=self.key.private_key)
        try:
            response = self.http.request(method, url, content=body, headers={**(headers or {}), **signed})
        except httpx.HTTPError as error:
            raise SyncError("hub_unreachable", f"{type(error).__name__}: {error}") from error
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
            except (ValueError, KeyError, TypeError):
                error = {"code": f"http_{response.status_code}", "message": response.text[:200]}
            # 4xx other than 409 (a concurrent push) and 429 will not get better by retrying.
            retry = response.status_code >= 500 or response.status_code in (409, 429)
            raise SyncError(error.get("code", "error"), error.get("message", ""), retry=retry)
        return response

    def json(self, method: str, path: str, payload: dict | None = None) -> dict:
        body = canonical_json(payload) if payload is not None else b""
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        return self.request(method, path, body=body, headers=headers).json()


def _wire_entry(seq: int, entity_type: str, entity_uuid, op: str, schema: int, version: int, payload: str,
                sha256: str) -> bytes:
    """One entry as it goes on the wire. The payload is the stored JSON text, spliced in as is: the
    hub parses it and checks `sha256` against its canonical form, so re-encoding it here would only
    cost time."""
    head = json.dumps({"seq": seq, "type": entity_type, "uuid": str(entity_uuid), "op": op, "schema": schema,
                       "version": version, "sha256": sha256}, ensure_ascii=False, separators=(",", ":"))
    return f'{head[:-1]},"payload":{payload}}}'.encode()


def _batch_limit() -> int:
    return min(settings.SYNC_BATCH_ENTRIES, BATCH_MAX_ENTRIES)


def _pace() -> tuple[int, int]:
    """(entries per batch, batches in flight) for the next batch.

    In emergency mode a catch-up yields to disaster traffic: a need written meanwhile is numbered
    into the next batch, so it waits for the batches in flight to be applied — with five nodes
    catching up at once, two batches of 500 each took the hub about a second. Small batches, one at
    a time, keep that wait short and leave the hub's web threads free for the feed pulls that carry
    declarations; the catch-up goes on more slowly until the disaster is closed."""
    if registry.in_emergency():
        return min(settings.SYNC_EMERGENCY_BATCH_ENTRIES, _batch_limit()), 1
    return _batch_limit(), PIPELINE_DEPTH


def _next_batch(after_seq: int, limit: int | None = None) -> list[tuple[int, bytes]]:
    """(seq, entry on the wire) of the next entries after `after_seq`: at most `limit` (500), at most 4 MB.

    Disaster entries at the head go alone: a small batch the hub applies at once, instead of waiting
    for up to 500 catch-up entries to be applied with them."""
    wires, size, first_priority = [], 0, None
    for seq, priority, wire in _wire_rows(after_seq, limit or _batch_limit()):
        if first_priority == Priority.DISASTER and priority != Priority.DISASTER:
            break
        first_priority = priority if first_priority is None else first_priority
        if wires and size + len(wire) > BATCH_MAX_BYTES:
            break
        wires.append((seq, wire))
        size += len(wire)
    return wires


def _wire_rows(after_seq: int, limit: int):
    if connection.vendor == "postgresql":
        # PostgreSQL writes each entry's JSON itself (the payload is spliced in as stored).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT publish_seq, priority, json_build_object('seq', publish_seq, 'type', entity_type,"
                " 'uuid', entity_uuid, 'op', op, 'schema', schema_version, 'version', version,"
                " 'sha256', payload_sha256, 'payload', payload)::text"
                f" FROM {OutboxEntry._meta.db_table} WHERE publish_seq > %s ORDER BY publish_seq LIMIT %s",
                [after_seq, limit])
            return [(seq, priority, text.encode()) for seq, priority, text in cursor.fetchall()]
    rows = (OutboxEntry.objects.filter(publish_seq__gt=after_seq).order_by("publish_seq")
            .annotate(payload_text=Cast("payload", TextField()))
            .values_list("publish_seq", "priority", "entity_type", "entity_uuid", "op", "schema_version", "version",
                         "payload_text", "payload_sha256")[:limit])
    return [(row[0], row[1], _wire_entry(row[0], *row[2:])) for row in rows]


def _batch_body(wires: list[tuple[int, bytes]], *, published_seq: int, oldest_unsent, pipelined: bool = False
                ) -> bytes:
    head = canonical_json({"format": BATCH_FORMAT, "published_seq": published_seq, "pipelined": pipelined,
                           "oldest_unsent_at": oldest_unsent.isoformat() if oldest_unsent else None})
    body = head[:-1] + b',"entries":[' + b",".join(wire for _seq, wire in wires) + b"]}"
    # Level 1: the entries are small JSON documents; higher levels cost the node far more time than
    # they save on the wire.
    return gzip.compress(body, compresslevel=1)


def _record_error(error: SyncError) -> None:
    state = sync_state()
    state.last_error, state.last_error_at = f"{error.code}: {error.message}"[:2000], timezone.now()
    state.save(update_fields=["last_error", "last_error_at"])


def push(*, client: HubClient | None = None, progress: Callable[[int, int], None] | None = None,
         max_batches: int | None = None, lease_owner: str | None = None) -> PushResult:
    """Number what is ready, learn what the hub has, then send the rest in order, batch by batch.

    With `lease_owner`, the push renews that lease after each batch and stops if it was lost (a
    push that outlived its lease must not race the push that took it over).
    """
    registry.run_before_push()
    client = client or HubClient()
    state = sync_state()
    state.last_attempt_at = timezone.now()
    state.save(update_fields=["last_attempt_at"])
    result = PushResult(last_published_seq=state.last_published_seq)
    try:
        hub_seq = client.json("GET", "/sync/v1/checkpoint")["last_applied_seq"]
        if hub_seq > state.last_published_seq:
            # Restored from an older backup: the hub applied seqs this node no longer has. Numbering
            # goes on after the hub's, and a fresh entry per record tells it the state as it is now.
            result.reannounced = _reannounce(client, hub_seq)
            result.last_published_seq = hub_seq
        # A hub restored from an older backup answers a seq below ours: we send again from there
        # (acknowledged entries stay in the outbox for exactly this).
        acked = _acknowledge(hub_seq)
        backlog = _Backlog()
        # Up to PIPELINE_DEPTH batches in flight, in seq order; every batch after the first is marked
        # `pipelined`, so the hub lets it wait for its predecessor instead of refusing it as a gap
        # (and still refuses it if the predecessor does not come). Answers are taken in order; an
        # answer other than the seq expected, or a pipelined batch refused as a gap after all,
        # sends again from what the hub acknowledged. The requests run in threads that never
        # touch the database; this thread numbers entries and prepares batches meanwhile.
        in_flight: deque = deque()  # (answer, last seq of the batch, entries, pipelined)
        sent_up_to, more = acked, True
        with ThreadPoolExecutor(max_workers=PIPELINE_DEPTH, thread_name_prefix="sync-push") as sender:
            while True:
                limit, depth = _pace()
                while more and len(in_flight) < depth and (
                        max_batches is None or result.batches + len(in_flight) < max_batches):
                    # Numbered one batch ahead of what is sent (sync.relay.relay_window): disaster
                    # traffic written during a long catch-up is numbered first and rides in the next batch.
                    if relay_window(acked_seq=sent_up_to, window=limit):
                        result.last_published_seq = sync_state().last_published_seq
                    wires = _next_batch(sent_up_to, limit)
                    if not wires:
                        more = False
                        backlog.expire()  # nothing left to number: the last answers show the true total
                        break
                    pipelined = bool(in_flight)
                    oldest, unnumbered = backlog.get()
                    # The hub shows the lag from the whole backlog, numbered or not.
                    body = _batch_body(wires, published_seq=result.last_published_seq + unnumbered,
                                       oldest_unsent=oldest, pipelined=pipelined)
                    answer = sender.submit(client.request, "POST", "/sync/v1/batches", body=body, headers={
                        "Content-Type": "application/json", "Content-Encoding": "gzip"})
                    in_flight.append((answer, wires[-1][0], len(wires), pipelined))
                    sent_up_to = wires[-1][0]
                if not in_flight:
                    break
                answer, expected, count, pipelined = in_flight.popleft()
                try:
                    acked = _acknowledge(answer.result().json()["last_applied_seq"])
                except SyncError as error:
                    if not (pipelined and error.code == "gap"):
                        raise
                    # Its predecessor was acknowledged, but too late for it: send again from there.
                else:
                    result.batches += 1
                    result.entries += count
                    if progress:
                        progress(result.entries, result.entries + result.last_published_seq - acked
                                 + backlog.get()[1])
                    if lease_owner is not None and not lease_renew(lease_owner):
                        raise SyncError("lease_lost", "another push took over this node's sync lease")
                if acked != expected:
                    _settle(in_flight)
                    sent_up_to, more = acked, True
    except SyncError as error:
        _record_error(error)
        raise
    result.last_acked_seq = acked
    return result


def _reannounce(client: HubClient, hub_seq: int) -> resync.Reannounced:
    listing = client.json("POST", "/sync/v1/digest", {"up_to_seq": 0, "digest": {}, wire_restore.LIST: True})
    try:
        return resync.reannounce(listing=listing, hub_seq=hub_seq)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise SyncError("hub_listing_invalid", f"the hub's list of what it holds is unusable: {error}",
                        retry=False) from error


def _settle(in_flight: deque) -> None:
    """Wait for batches still in flight whose answers no longer matter (harmless re-deliveries)."""
    while in_flight:
        try:
            in_flight.popleft()[0].result()
        except SyncError:
            pass


def _acknowledge(seq: int) -> int:
    SyncState.objects.filter(pk=1).update(last_acked_seq=seq, last_success_at=timezone.now(), last_error="")
    return seq


class _Backlog:
    """When the oldest entry the hub has not acknowledged was written, and how many wait unnumbered
    (the hub shows the lag from them). Counting the unnumbered reads all of them, so during a long
    catch-up both are looked up again only every few seconds, and at least COST_SHARE⁻¹ times as long
    as the last look-up took (a million waiting: well under a second each time, never more than a
    twentieth of the push): the hub may see the lag that much out of date, never lost."""

    REFRESH = 5.0  # seconds
    COST_SHARE = 0.05

    def __init__(self):
        self.value, self.at, self.interval = (None, 0), None, self.REFRESH

    def expire(self) -> None:
        self.at = None

    def get(self) -> tuple:
        if self.at is None or time.monotonic() - self.at > self.interval:
            started = time.monotonic()
            self.value, self.at = (oldest_unsent_at(), unnumbered_count()), time.monotonic()
            self.interval = max(self.REFRESH, (self.at - started) / self.COST_SHARE)
        return self.value


def pull(*, client: HubClient | None = None) -> int:
    """Fetch the hub → node feed after our cursor; returns how many entries arrived."""
    client = client or HubClient()
    received = 0
    try:
        while True:
            state = sync_state()
            answer = client.json("GET", f"/sync/v1/feed?after={state.feed_cursor}&limit=500")
            if _feed_rewound(state, answer):
                continue
            entries = answer["entries"]
            for entry in entries:
                with transaction.atomic():
                    item, _created = FeedItem.objects.get_or_create(seq=entry["seq"], defaults={
                        "kind": entry["kind"], "payload": entry["payload"],
                        "published_at": parse_datetime(entry["published_at"])})
                    feed.dispatch(item)  # idempotent: a re-delivered entry changes nothing
            if entries:
                state.feed_cursor = entries[-1]["seq"]
            state.last_pull_at = timezone.now()
            state.save(update_fields=["feed_cursor", "last_pull_at"])
            received += len(entries)
            if len(entries) < 500:
                return received
    except SyncError as error:
        _record_error(error)
        raise


def _feed_rewound(state: SyncState, answer: dict) -> bool:
    """True when the hub was restored from an older backup since our last pull: a new feed epoch, or
    our cursor beyond its head. The entries we hold after the point it continues from were numbered
    by the hub's lost future; it will give those seqs to other entries, so we forget them (what their
    handlers did stays done) and pull again from there."""
    epoch, head = answer.get(wire_restore.FEED_EPOCH), answer.get(wire_restore.FEED_HEAD)
    if not isinstance(epoch, str) or not isinstance(head, int):
        return False  # an older hub
    after = None
    if epoch != state.feed_epoch:
        after = answer.get(wire_restore.FEED_EPOCH_AFTER) if isinstance(answer.get(wire_restore.FEED_EPOCH_AFTER),
                                                                          int) else head
    elif state.feed_cursor > head:
        after = head  # restored without a new epoch (by hand): its head is the safe point
    if after is None:
        return False
    with transaction.atomic():
        forgotten, _ = FeedItem.objects.filter(seq__gt=after).delete()
        rewound = state.feed_cursor > after
        SyncState.objects.filter(pk=1).update(feed_epoch=epoch, feed_cursor=min(state.feed_cursor, after))
    if rewound or forgotten:
        logger.warning("the hub's feed went back to seq %s (restored from a backup?): %s entries forgotten, "
                       "pulling again from there", after, forgotten)
    return True


def local_digest(up_to_seq: int) -> dict[str, dict]:
    """Per entity type: how many records the hub should hold from us, and a hash of (uuid, version)."""
    live: dict[tuple[str, str], tuple[str, int]] = {}
    rows = (OutboxEntry.objects.filter(publish_seq__lte=up_to_seq).order_by("publish_seq")
            .values_list("entity_type", "entity_uuid", "op", "version"))
    for entity_type, entity_uuid, op, version in rows.iterator(chunk_size=2000):
        live[(entity_type, str(entity_uuid))] = (op, version)
    return digest_of(
        (entity_type, entity_uuid, version) for (entity_type, entity_uuid), (op, version) in live.items()
        if op == Op.UPSERT
    )


def digest_of(items) -> dict[str, dict]:
    by_type: dict[str, list[str]] = {}
    for entity_type, entity_uuid, version in items:
        by_type.setdefault(entity_type, []).append(f"{entity_uuid}:{version}")
    return {
        entity_type: {"count": len(lines), "sha256": hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()}
        for entity_type, lines in sorted(by_type.items())
    }


def check_drift(*, client: HubClient | None = None) -> dict:
    """Compare what the hub holds of ours with what our acknowledged outbox says it should hold."""
    client = client or HubClient()
    state = sync_state()
    mine = local_digest(state.last_acked_seq)
    try:
        theirs = client.json("POST", "/sync/v1/digest", {"up_to_seq": state.last_acked_seq, "digest": mine})["digest"]
    except SyncError as error:
        _record_error(error)
        raise
    types = sorted(set(mine) | set(theirs))
    drift = {t: {"node": mine.get(t, {"count": 0}), "hub": theirs.get(t, {"count": 0}),
                 "ok": mine.get(t, {}).get("sha256") == theirs.get(t, {}).get("sha256")} for t in types}
    state.drift, state.drift_checked_at = drift, timezone.now()
    state.save(update_fields=["drift", "drift_checked_at"])
    return drift


def decode_batch(body: bytes, encoding: str) -> dict:
    """The hub's side of `push`: decompress and parse (kept next to the encoder)."""
    raw = gzip.decompress(body) if encoding == "gzip" else body
    return orjson.loads(raw)
