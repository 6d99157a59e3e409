"""The one door to every record: `scoped_queryset(user, Model, perm)`.

A scoped model declares `scope_rules`: for each of view/add/change/delete, the paths from the
record to an `Organization` and the guardian permission the user must hold on that organization.
Only object permissions held through memberships count: global model permissions and the
superuser flag never widen a scope.

The user's (permission, organization) pairs are read in one small query per call and put into
the filter as literal ids: `center_id IN (7)` lets PostgreSQL use the same index plan as an
unscoped query, where a correlated subquery per rule would not.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from .models import Organization, OrganizationGroupObjectPermission, OrganizationUserObjectPermission

PERMS = ("view", "add", "change", "delete")


# Set inside `permissions_read_once`: user id → their permission map, read once for the block.
_read_once: ContextVar[dict[int, dict[str, frozenset[int]]] | None] = ContextVar("permissions_read_once", default=None)


@contextmanager
def permissions_read_once():
    """Within the block each user's permissions are read once, not on every check: for a long run of
    writes by one person (an import of thousands of rows through the services) that changes nobody's
    memberships. A grant or revocation inside the block is not seen until it ends."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def permission_map(user) -> dict[str, frozenset[int]]:
    """codename → ids of the organizations on which the user holds it (through roles or directly)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    memo = _read_once.get()
    if memo is None:
        return _read_permission_map(user)
    if user.pk not in memo:
        memo[user.pk] = _read_permission_map(user)
    return memo[user.pk]


def _read_permission_map(user) -> dict[str, frozenset[int]]:
    scope = {"permission__content_type__app_label": "permissions"}
    pairs = (
        OrganizationGroupObjectPermission.objects.filter(group__user=user, **scope)
        .values_list("permission__codename", "content_object_id")
        .union(
            OrganizationUserObjectPermission.objects.filter(user=user, **scope)
            .values_list("permission__codename", "content_object_id")
        )
    )
    found: dict[str, set[int]] = defaultdict(set)
    for codename, organization_id in pairs:
        found[codename].add(organization_id)
    return {codename: frozenset(ids) for codename, ids in found.items()}


def _rules(model: type[Model], perm: str) -> tuple[tuple[str, str], ...]:
    if perm not in PERMS:
        raise ValueError(f"unknown permission {perm!r}")
    rules = getattr(model, "scope_rules", None)
    if rules is None:
        raise TypeError(f"{model.__name__} declares no scope_rules and cannot be read through the door")
    return tuple(rules.get(perm, ()))


def scope_filter(user, model: type[Model], perm: str) -> Q | None:
    """The filter `scoped_queryset` applies, or None when the user may see nothing."""
    held = permission_map(user)
    clauses = [
        Q(**{f"{path}__in": sorted(held[codename])})
        for path, codename in _rules(model, perm)
        if held.get(codename)
    ]
    return reduce(or_, clauses) if clauses else None


def scoped_queryset(user, model: type[Model], perm: str = "view") -> QuerySet:
    """The records of `model` on which `user` may do `perm`: the only way views, APIs, exports,
    search and services reach records."""
    condition = scope_filter(user, model, perm)
    manager = model._default_manager
    return manager.filter(condition) if condition is not None else manager.none()


def _resolve(instance: Model, path: str) -> Any:
    """`group__organization` on an Offer → offer.group.organization_id (None if a link is missing)."""
    *links, last = path.split("__")
    obj = instance
    for link in links:
        obj = getattr(obj, link, None)
        if obj is None:
            return None
    if last in ("id", "pk"):
        return obj.pk
    return getattr(obj, f"{last}_id", None)


def is_permitted(user, model: type[Model], perm: str, instance: Model) -> bool:
    """Whether the (possibly unsaved) `instance` lies inside the user's scope for `perm`.

    Used before a create, and after an update has assigned its new values, so a record can
    neither be made nor moved into another organization's partition.
    """
    held = permission_map(user)
    return any(
        _resolve(instance, path) in held.get(codename, ())
        for path, codename in _rules(model, perm)
    )


def require_permitted(user, model: type[Model], perm: str, instance: Model) -> None:
    if not is_permitted(user, model, perm, instance):
        raise PermissionDenied("permission_denied")


def get_scoped_or_deny(user, model: type[Model], perm: str, **lookup) -> Model:
    """The record if the user may `perm` it; DoesNotExist if they cannot even see it (→ 404),
    PermissionDenied if they can see but not `perm` it (→ 403)."""
    if perm != "view":
        found = scoped_queryset(user, model, perm).filter(**lookup).first()
        if found is not None:
            return found
        scoped_queryset(user, model, "view").get(**lookup)  # raises DoesNotExist when invisible
        raise PermissionDenied("permission_denied")
    return scoped_queryset(user, model, "view").get(**lookup)


def holds(user, codename: str, organization_id) -> bool:
    """Whether the user holds `codename` on this one organization (through any membership)."""
    return organization_id in permission_map(user).get(codename, ())


def organizations_where(user, codename: str) -> QuerySet:
    """The organizations on which the user holds `codename`."""
    return Organization.objects.filter(pk__in=sorted(permission_map(user).get(codename, ())))
