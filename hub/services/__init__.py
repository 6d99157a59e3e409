"""Writes on the hub, one module per capability: enrollment (nodes, keys, nonces), receiver (with
receiver_fields and receiver_staging), feed, library, disasters, contacts, surveys, introductions, referrals,
tours; checks, shared and tombstones serve several of them. Callers import the capability module."""
