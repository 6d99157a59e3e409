"""The shape one entity type's payload takes on the wire, as data both sides read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Contract:
    """What a payload of `entity_type` may carry.

    keys: every key a payload may carry; anything else is refused.
    required: the keys whose absence refuses a payload (the others read as empty).
    text_limits: the longest text per field, in characters; "parties.name" is the `name` of each
        object in the list `parties`.
    list_limits: the most items a list field may hold.
    nested: the keys of the objects a field holds: each object of a list carries exactly these, an
        object field carries no others.
    status_order: forward-only statuses as tiers, earliest first: a status may stay or move to a
        later tier, never back and never sideways within its tier. Empty: no such rule.
    personal: the payload is personal data by design (sent only under consent, read only under grant).
    """

    entity_type: str
    keys: frozenset[str]
    required: frozenset[str] = frozenset()
    text_limits: Mapping[str, int] = field(default_factory=dict)
    list_limits: Mapping[str, int] = field(default_factory=dict)
    nested: Mapping[str, frozenset[str]] = field(default_factory=dict)
    status_order: tuple[tuple[str, ...], ...] = ()
    personal: bool = False

    def __post_init__(self):
        # Shared by every importer: nobody may change a contract in place.
        for name in ("text_limits", "list_limits", "nested"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        unknown = (self.required | {name.split(".")[0] for name in (*self.text_limits, *self.list_limits,
                                                                     *self.nested)}) - self.keys
        if unknown:
            raise ValueError(f"{self.entity_type}: {sorted(unknown)} are not keys of the payload")

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(status for tier in self.status_order for status in tier)

    def tier(self, status: str) -> int | None:
        return next((rank for rank, tier in enumerate(self.status_order) if status in tier), None)

    def later_statuses(self, status: str) -> tuple[str, ...]:
        """The statuses `status` may move on to (itself excluded)."""
        rank = self.tier(status)
        return () if rank is None else tuple(s for tier in self.status_order[rank + 1:] for s in tier)

    def may_move(self, old: str, new: str) -> bool:
        """The forward-only rule: staying is always allowed; an unknown status goes nowhere."""
        return old == new or new in self.later_statuses(old)

    def over_limits(self, payload: Mapping) -> list[str]:
        """The text fields of `payload` longer than this contract allows ("parties.name": any party's
        name). A sender keeps such a record home: the receiver would refuse the whole batch."""
        over = []
        for name, limit in self.text_limits.items():
            outer, _dot, inner = name.partition(".")
            values = [payload.get(outer)] if not inner else [
                item.get(inner) for item in (payload.get(outer) or ()) if isinstance(item, Mapping)]
            if any(isinstance(value, str) and len(value) > limit for value in values):
                over.append(name)
        return over
