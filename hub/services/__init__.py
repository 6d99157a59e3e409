"""Writes on the hub, one module per capability: enrollment (nodes, keys, nonces), receiver (with
receiver_fields and receiver_staging), feed, library, disasters, contacts, surveys, introductions,
tours; checks, shared and tombstones serve several of them."""

# Imported by name from outside hub (sync's key generation publishes the hub's keys through it).
from .feed import hub_key_publish

__all__ = ["hub_key_publish"]
