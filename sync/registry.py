"""The syncable-type registry: the apps that own records register what of them leaves the node.

Each app registers its types in its `AppConfig.ready()` — the model, the projection (the only
function that decides what of a record the hub may see), the priority and the types it depends on —
as morango's syncable-model registry does. Sync reads the registry and never imports an app, so
adding a synced type means editing the app that owns it (and its wire contract in `sync.wire`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .models import Priority


@dataclass(frozen=True)
class SyncableType:
    entity_type: str
    # "app_label.modelname" of the record projected; None for types written whole by a service
    # (aggregate counts, survey counts), which have no record of their own.
    model: str | None
    project: Callable[[object], dict | None] | None
    priority: int = Priority.NORMAL
    # Types the hub must hold first (a record names its center, so a center's profile goes first).
    depends_on: tuple[str, ...] = ()
    # True only where the payload is personal data by design (a group's disaster contact); every
    # other type must never carry any.
    personal: bool = False


_TYPES: dict[str, SyncableType] = {}
_BY_MODEL: dict[str, SyncableType] = {}
_BEFORE_PUSH: list[Callable[[], object]] = []
_EMERGENCY: list[Callable[[], bool]] = []
_GATE: list[Callable[[str, dict], bool]] = []


def register(entity_type: str, *, model: str | None = None, project: Callable | None = None,
             priority: int = Priority.NORMAL, depends_on: Iterable[str] = (), personal: bool = False) -> SyncableType:
    """Register one type. A second registration of the same type or model is a programming error."""
    if (model is None) != (project is None):
        raise ValueError(f"{entity_type}: a model needs its projection and a projection its model")
    syncable = SyncableType(entity_type, model.lower() if model else None, project, priority, tuple(depends_on),
                            personal)
    if _TYPES.get(entity_type, syncable) != syncable or (
            syncable.model and _BY_MODEL.get(syncable.model, syncable) != syncable):
        raise ValueError(f"{entity_type}: registered twice")
    _TYPES[entity_type] = syncable
    if syncable.model:
        _BY_MODEL[syncable.model] = syncable
    return syncable


def of_record(record) -> SyncableType | None:
    """The type a record is sent as, or None when no record of its model ever leaves the node."""
    return _BY_MODEL.get(record._meta.label_lower)


def get(entity_type: str) -> SyncableType:
    return _TYPES[entity_type]


def types() -> list[SyncableType]:
    return list(_TYPES.values())


def personal_types() -> frozenset[str]:
    return frozenset(t.entity_type for t in _TYPES.values() if t.personal)


def set_gate(gate: Callable[[str, dict], bool]) -> None:
    """The node's final check on every payload of a type not personal by design: `gate(type, payload)`
    False keeps the payload home (the app that knows the node's personal data installs it)."""
    _GATE[:] = [gate]


def passes_gate(syncable: SyncableType, payload: dict) -> bool:
    return syncable.personal or all(gate(syncable.entity_type, payload) for gate in _GATE)


def before_push(step: Callable[[], object]) -> None:
    """A step every push runs first (a node announces its centers' profiles before their records)."""
    if step not in _BEFORE_PUSH:
        _BEFORE_PUSH.append(step)


def run_before_push() -> None:
    for step in _BEFORE_PUSH:
        step()


def emergency_check(check: Callable[[], bool]) -> None:
    """A check that says whether this node is in emergency mode (the emergency app: an open declaration
    covers one of its centers); a push then paces its catch-up so disaster traffic goes first."""
    if check not in _EMERGENCY:
        _EMERGENCY.append(check)


def in_emergency() -> bool:
    return any(check() for check in _EMERGENCY)
