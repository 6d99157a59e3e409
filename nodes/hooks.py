"""Where apps above `nodes` follow a group's changes in the same transaction.

Emergency mode keeps disaster contacts of groups; when a group changes, withdraws its consent or
is deleted, those contacts must follow at once. `nodes` may not import `emergency` (the dependency
rule), so emergency registers its followers here in its `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable

_on_group_changed: list[Callable] = []
_on_group_leaving: list[Callable] = []


def on_group_changed(follower: Callable) -> None:
    """`follower(group)` runs after a group's registration changed (name, status …)."""
    if follower not in _on_group_changed:
        _on_group_changed.append(follower)


def on_group_leaving(follower: Callable) -> None:
    """`follower(group)` runs when a group withdraws its disaster-contact consent or is deleted."""
    if follower not in _on_group_leaving:
        _on_group_leaving.append(follower)


def group_changed(group) -> None:
    for follower in _on_group_changed:
        follower(group)


def group_leaving(group) -> None:
    for follower in _on_group_leaving:
        follower(group)
