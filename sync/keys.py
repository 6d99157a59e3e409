"""The node's Ed25519 signing key: one file on the node (mode 0600), never in the database."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .signing import fingerprint, new_key_pair


@dataclass(frozen=True)
class NodeKeyPair:
    key_id: str
    private_key: bytes
    public_key: bytes

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key).decode()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)


def key_id_for(public_key: bytes) -> str:
    return "k" + hashlib.sha256(public_key).hexdigest()[:20]


def _pair(private_key: bytes) -> NodeKeyPair:
    from nacl.signing import SigningKey

    public_key = bytes(SigningKey(private_key).verify_key)
    return NodeKeyPair(key_id=key_id_for(public_key), private_key=private_key, public_key=public_key)


def key_path(name: str = "current") -> Path:
    base = Path(settings.KYODO_NODE_KEY_FILE)
    return base if name == "current" else base.with_name(f"{base.name}.{name}")


def load_key(name: str = "current") -> NodeKeyPair | None:
    path = key_path(name)
    if not path.exists():
        return None
    return _pair(base64.b64decode(path.read_text().strip()))


def create_key(name: str = "current") -> NodeKeyPair:
    """Write a new key pair; refuses to overwrite an existing key file."""
    path = key_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    private_key, _public = new_key_pair()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(base64.b64encode(private_key).decode() + "\n")
    return _pair(private_key)


def rotate_key() -> tuple[NodeKeyPair, NodeKeyPair]:
    """Make a `next` key; the node keeps signing with `current` until `promote_next_key`."""
    current = load_key()
    if current is None:
        raise RuntimeError("no current key to rotate from; run `kyodo manage sync_keygen` first")
    return current, (load_key("next") or create_key("next"))


def promote_next_key() -> NodeKeyPair:
    """After the hub registered the next key: sign with it from now on (old file kept as .previous)."""
    nxt, current = key_path("next"), key_path()
    if not nxt.exists():
        raise RuntimeError("there is no next key")
    current.replace(key_path("previous"))
    nxt.replace(current)
    return load_key()


# Who wants to hear that this deployment's keys changed: the hub publishes its public keys to every
# node through the feed. Registered by the app that cares, so this module imports none.
_key_listeners: list[Callable[[list[NodeKeyPair]], object]] = []


def on_keys_changed(listener: Callable[[list[NodeKeyPair]], object]) -> None:
    if listener not in _key_listeners:
        _key_listeners.append(listener)


def announce_keys() -> None:
    """Tell the listeners the keys in use now: the current one first, then the next during a rotation."""
    pairs = [pair for pair in (load_key(), load_key("next")) if pair]
    for listener in _key_listeners:
        listener(pairs)
