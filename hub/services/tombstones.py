"""Tombstones: the version that deleted a copy, kept so that a late older upsert cannot bring it back."""

from __future__ import annotations

from ..models import Node, Tombstone


def bury(node: Node, entity_type: str, entity_uuid, version: int, op: str) -> None:
    tomb, created = Tombstone.objects.get_or_create(
        node=node, entity_uuid=entity_uuid, defaults={"entity_type": entity_type, "version": version, "op": op})
    if not created and tomb.version < version:
        tomb.version, tomb.op = version, op
        tomb.save(update_fields=["version", "op", "at"])
