"""The forward-only rules as PostgreSQL trigger functions, generated from the contracts' status
orders: the database refuses a status moving back whoever writes (node or hub, ORM or not).

The sync migration 0004 creates them on every deployment; the older migrations of the node
(emergency 0002) and of the hub (hub 0006) create them too, from this same text, before attaching
their triggers. CREATE OR REPLACE makes running them twice harmless.
"""

from __future__ import annotations

from .contract import Contract
from .disaster import NEED, REPORT


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def transitions_function(name: str, contract: Contract, message: str) -> str:
    """A changed status must be one of the later ones of the status it leaves."""
    moves = " OR\n      ".join(
        f"(OLD.status = '{status}' AND NEW.status IN ({_quoted(contract.later_statuses(status))}))"
        for status in contract.statuses if contract.later_statuses(status))
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
  IF NEW.status <> OLD.status AND NOT (
      {moves}) THEN
    RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def steps_function(name: str, contract: Contract, message: str) -> str:
    """Statuses in one line of steps: a status may not move to an earlier step."""
    if any(len(tier) != 1 for tier in contract.status_order):
        raise ValueError(f"{contract.entity_type}: steps need one status each")
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
DECLARE steps text[] := ARRAY[{_quoted(contract.statuses)}];
BEGIN
  IF array_position(steps, NEW.status) < array_position(steps, OLD.status) THEN
    RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


NEED_FORWARD_ONLY = transitions_function("kyodo_need_forward_only", NEED, "a need status may only move forward")
COMMITMENT_FORWARD_ONLY = steps_function("kyodo_commitment_forward_only", REPORT,
                                         "a commitment status may only move forward")
# Both functions, as the migrations create them. A changed status order reaches databases that
# exist already only through a new migration running this again.
FORWARD_ONLY_FUNCTIONS = NEED_FORWARD_ONLY + COMMITMENT_FORWARD_ONLY
