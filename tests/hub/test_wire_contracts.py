"""The receiver keeps exactly the entity types the wire contracts name, each under its own contract."""

from __future__ import annotations

from hub.services.receiver_fields import SCHEMAS
from sync.wire.directory import NODE_PROFILE
from sync.wire.registry import CONTRACTS


def test_the_receiver_knows_every_contract_and_no_other_type():
    # Profiles are applied apart (they decide which centers a node has), every other type by its schema.
    assert set(SCHEMAS) | {NODE_PROFILE} == set(CONTRACTS)
    assert all(schema.contract is CONTRACTS[entity_type] for entity_type, schema in SCHEMAS.items())
