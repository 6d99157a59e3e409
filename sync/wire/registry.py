"""Every entity type a node may send, with its contract."""

from __future__ import annotations

from . import cases, directory, disaster, networks, tours
from .contract import Contract

CONTRACTS: dict[str, Contract] = {contract.entity_type: contract for contract in (
    directory.PROFILE, directory.GROUP, directory.EVENT, directory.OFFER, directory.COUNTS,
    cases.CASE,
    disaster.STATUS, disaster.NEED, disaster.OFFER, disaster.REPORT, disaster.CONTACT, disaster.COUNTS,
    tours.TOUR, tours.CASE_COPY, tours.LESSON,
    networks.LISTING,
)}

# Entity types whose payload is personal data by design; every other type must never carry any.
PERSONAL_TYPES = frozenset(entity_type for entity_type, contract in CONTRACTS.items() if contract.personal)


def contract_for(entity_type: str) -> Contract:
    """The contract of `entity_type`; KeyError for a type no node may send."""
    return CONTRACTS[entity_type]
