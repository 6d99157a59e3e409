"""The group-box draw (抽選), pure and recomputable by anyone from the recorded seed and lists.

Algorithm "sha256-v1", as the page explains it to groups:
1. Each application's key is SHA-256 of the text "<seed>:<受付番号>" (UTF-8), written in hexadecimal.
2. The draw order is the applications sorted by key, smallest first (ties cannot occur in practice;
   the 受付番号 breaks them).
3. In that order, each application gets the free box of the size it asked for with the smallest
   label; when none is left it goes on that size's waiting list (補欠), in the same order.
Anyone can check step 1 with `printf '%s' 'seed:3' | sha256sum`. No Django here: tested alone.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field

ALGORITHM = "sha256-v1"


@dataclass(frozen=True)
class Entry:
    number: int
    size: str


@dataclass(frozen=True)
class Box:
    label: str
    size: str


@dataclass
class Draw:
    order: list[int]
    allocations: dict[int, str]
    waiting: list[int]
    keys: dict[int, str] = field(default_factory=dict)

    def as_record(self) -> dict:
        """The JSON the round keeps (keys are strings there)."""
        return {"order": self.order, "allocations": {str(n): label for n, label in self.allocations.items()},
                "waiting": self.waiting, "keys": {str(n): key for n, key in self.keys.items()}}


def new_seed() -> str:
    return secrets.token_hex(16)


def draw_key(seed: str, number: int) -> str:
    return hashlib.sha256(f"{seed}:{number}".encode()).hexdigest()


def draw(seed: str, entries: list[Entry], boxes: list[Box]) -> Draw:
    if not seed:
        raise ValueError("a draw needs a seed")
    keys = {entry.number: draw_key(seed, entry.number) for entry in entries}
    ordered = sorted(entries, key=lambda entry: (keys[entry.number], entry.number))
    free: dict[str, list[str]] = {}
    for box in sorted(boxes, key=lambda box: box.label):
        free.setdefault(box.size, []).append(box.label)
    allocations: dict[int, str] = {}
    waiting: list[int] = []
    for entry in ordered:
        if free.get(entry.size):
            allocations[entry.number] = free[entry.size].pop(0)
        else:
            waiting.append(entry.number)
    return Draw(order=[entry.number for entry in ordered], allocations=allocations, waiting=waiting, keys=keys)


def recompute(seed: str, entries: list[dict], boxes: list[dict]) -> Draw:
    """The draw from the records as a round keeps them ([{"number", "size", …}], [{"label", "size"}])."""
    return draw(seed, [Entry(int(e["number"]), e["size"]) for e in entries],
                [Box(b["label"], b["size"]) for b in boxes])


def matches(recorded: dict, recomputed: Draw) -> bool:
    mine = recomputed.as_record()
    return all(recorded.get(key) == mine[key] for key in ("order", "allocations", "waiting"))


def digest(seed: str, entries: list[dict], boxes: list[dict]) -> str:
    """A fingerprint of everything the draw read, published with the result (canonical JSON, SHA-256)."""
    text = json.dumps({"seed": seed, "entries": entries, "boxes": boxes}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
