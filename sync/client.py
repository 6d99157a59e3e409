"""The node's side of the conversation with its hub: push the outbox, pull the feed, compare digests.

Every request is signed (sync.signing). The node's checkpoint (`last_acked_seq`) moves only when
the hub answers a batch with the seq it has committed, so a lost answer means the batch is sent
again — harmless, the hub skips what it already applied.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import feed
from .keys import NodeKeyPair, load_key
from .models import FeedItem, Op, OutboxEntry, Priority
from .outbox import canonical_json
from .relay import oldest_unsent_at, relay_window, sync_state, unnumbered_count
from .signing import sign_request

BATCH_MAX_ENTRIES = 500
BATCH_MAX_BYTES = 4 * 1024 * 1024
BATCH_FORMAT = "kyodo.sync.batch/1"
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


class HubClient:
    def __init__(self, base_url: str | None = None, key: NodeKeyPair | None = None, transport=None, timeout=None):
        self.base_url = (base_url or settings.KYODO_HUB_URL).rstrip("/")
        if not self.base_url:
            raise SyncError("no_hub", "KYODO_HUB_URL is not set", retry=False)
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


def _entry_wire(entry: OutboxEntry) -> dict:
    return {"seq": entry.publish_seq, "type": entry.entity_type, "uuid": str(entry.entity_uuid), "op": entry.op,
            "schema": entry.schema_version, "version": entry.version, "payload": entry.payload,
            "sha256": entry.payload_sha256}


def _batch_limit() -> int:
    return min(settings.SYNC_BATCH_ENTRIES, BATCH_MAX_ENTRIES)


def _next_batch(after_seq: int) -> list[dict]:
    wires, size = [], 0
    first_priority = None
    for entry in OutboxEntry.objects.filter(publish_seq__gt=after_seq).order_by("publish_seq")[:_batch_limit()]:
        # Disaster entries at the head of the window go alone: a small batch the hub applies at once,
        # instead of waiting for 500 catch-up entries to be applied with them.
        if first_priority == Priority.DISASTER and entry.priority != Priority.DISASTER:
            break
        first_priority = entry.priority if first_priority is None else first_priority
        wire = _entry_wire(entry)
        wire_size = len(canonical_json(wire))
        if wires and size + wire_size > BATCH_MAX_BYTES:
            break
        wires.append(wire)
        size += wire_size
    return wires


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
    from .services import ensure_profiles, lease_renew

    ensure_profiles()
    client = client or HubClient()
    state = sync_state()
    state.last_attempt_at = timezone.now()
    state.save(update_fields=["last_attempt_at"])
    result = PushResult(last_published_seq=state.last_published_seq)
    try:
        hub_seq = client.json("GET", "/sync/v1/checkpoint")["last_applied_seq"]
        if hub_seq > state.last_published_seq:
            raise SyncError("hub_ahead", f"the hub has applied seq {hub_seq}, beyond what this node published "
                            f"({state.last_published_seq}); was this node restored from an old backup?", retry=False)
        acked = _acknowledge(hub_seq)
        total = state.last_published_seq - acked + unnumbered_count()
        while max_batches is None or result.batches < max_batches:
            relay_window(acked_seq=acked, window=_batch_limit())
            wires = _next_batch(acked)
            if not wires:
                break
            unsent = oldest_unsent_at()
            # Numbered one batch ahead (sync.relay.relay_window): tell the hub the whole backlog for its lag.
            published = sync_state().last_published_seq + unnumbered_count()
            batch = {"format": BATCH_FORMAT, "published_seq": published,
                     "oldest_unsent_at": unsent.isoformat() if unsent else None, "entries": wires}
            body = gzip.compress(canonical_json(batch), compresslevel=6)
            answer = client.request("POST", "/sync/v1/batches", body=body, headers={
                "Content-Type": "application/json", "Content-Encoding": "gzip"}).json()
            acked = _acknowledge(answer["last_applied_seq"])
            result.batches += 1
            result.entries += len(wires)
            if progress:
                progress(result.entries, total)
            if lease_owner is not None and not lease_renew(lease_owner):
                raise SyncError("lease_lost", "another push took over this node's sync lease")
    except SyncError as error:
        _record_error(error)
        raise
    result.last_acked_seq = acked
    result.last_published_seq = sync_state().last_published_seq
    return result


def _acknowledge(seq: int) -> int:
    state = sync_state()
    state.last_acked_seq = seq
    state.last_success_at = timezone.now()
    state.last_error = ""
    state.save(update_fields=["last_acked_seq", "last_success_at", "last_error"])
    return seq


def pull(*, client: HubClient | None = None) -> int:
    """Fetch the hub → node feed after our cursor; returns how many entries arrived."""
    client = client or HubClient()
    received = 0
    try:
        while True:
            state = sync_state()
            answer = client.json("GET", f"/sync/v1/feed?after={state.feed_cursor}&limit=500")
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
    return json.loads(raw)
