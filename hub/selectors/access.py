"""Who may do what on the hub."""

from __future__ import annotations

from permissions.scoping import permission_map


def can(user, codename: str) -> bool:
    """Hub permissions are held on the prefecture organization; any such membership counts."""
    return bool(permission_map(user).get(codename))
