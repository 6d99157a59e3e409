"""The hub's demo (deploy/demo/hub.yaml): its operator みんかな and partners, their coordinators'
logins and granted scopes, and a drill the operator declared.

Only `permissions` is imported at the top: the same command line runs on nodes, which have no hub app.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from permissions.grants import scope_grant
from permissions.models import HubScope, HubStanding, Organization, OrganizationKind, Role, ScopeGrant
from permissions.roles import HUB_ROLES, hub_role_fits
from permissions.services import (
    membership_grant,
    membership_revoke,
    organization_create,
    organization_set_hub_standing,
)
from sync.disaster import Hazard

from .base import (
    ACCOUNT,
    DEMO_PASSWORD,
    HUB_FILE,
    DemoLogin,
    Invalid,
    Key,
    Names,
    choice,
    code,
    error_at,
    integer,
    nested,
    read_yaml,
    record,
    records,
    text,
)

ORGANIZATION = {"name": Key(text, required=True), "name_kana": Key(text, default=""),
                "municipality_code": Key(code, default=""), "municipality_name": Key(text, default="")}
HUB = {
    "operator": Key(nested(ORGANIZATION), required=True),
    "partners": Key(records({**ORGANIZATION, "kind": Key(choice(OrganizationKind), required=True)}), required=True),
    "logins": Key(records({**ACCOUNT, "role": Key(choice(Role), required=True), "organization": Key(text, default="")}),
                  required=True),
    "grants": Key(records({"username": Key(text, required=True), "scope": Key(choice(HubScope), required=True),
                           "reason": Key(text, required=True)}), default=list),
    "exercises": Key(records({"name": Key(text, required=True), "hazard": Key(choice(Hazard), required=True),
                              "days_ago": Key(integer, required=True), "hours": Key(integer, required=True)}),
                     default=list),
}


def load_hub_file(path: Path = HUB_FILE) -> dict:
    try:
        data = record(read_yaml(path), HUB, Names())
        names = {data["operator"]["name"], *(p["name"] for p in data["partners"])}
        usernames = {login["username"] for login in data["logins"]}
        for index, login in enumerate(data["logins"]):
            if login["organization"] and login["organization"] not in names:
                raise Invalid(f"「{login['organization']}」 is neither the operator nor a partner",
                              ("logins", f"[{index}]", "organization"))
        for index, grant in enumerate(data["grants"]):
            if grant["username"] not in usernames:
                raise Invalid(f"「{grant['username']}」 is not one of the logins above", ("grants", f"[{index}]"))
        return data
    except Invalid as error:
        raise error_at(path.name, error) from error


def _organization(data: dict, *, kind: str, standing: str) -> Organization:
    """The hub's organization of that name, made or given its standing. A hub seeded before the
    operator existed had the prefecture alone: its hub admin moves to the operator below."""
    found = Organization.objects.filter(name=data["name"], center__isnull=True).first()
    if found is None:
        return organization_create(acting_user=None, kind=kind, hub_standing=standing, **data)
    if found.hub_standing != standing:
        after = Organization(kind=found.kind, hub_standing=standing)
        for membership in found.memberships.filter(role__in=HUB_ROLES).select_related("user", "organization"):
            if not hub_role_fits(membership.role, after):
                membership_revoke(acting_user=None, membership=membership)
        found = organization_set_hub_standing(acting_user=None, organization=found, hub_standing=standing)
    return found


def seed_hub(path: Path = HUB_FILE) -> list[DemoLogin]:
    """The operator, the partners, the logins with their roles and grants, the operator's drill;
    what exists already is kept."""
    data = load_hub_file(path)
    users = get_user_model().objects
    found = []
    with transaction.atomic():
        operator = _organization(data["operator"], kind=OrganizationKind.INTERMEDIATE_SUPPORT,
                                 standing=HubStanding.OPERATOR)
        organizations = {operator.name: operator} | {
            p["name"]: _organization({k: v for k, v in p.items() if k != "kind"}, kind=p["kind"],
                                     standing=HubStanding.PARTNER) for p in data["partners"]}
        for login in data["logins"]:
            organization = organizations[login["organization"] or operator.name]
            user = users.filter(username=login["username"]).first()
            if user is None:
                user = users.create_user(login["username"], password=DEMO_PASSWORD, first_name=login["first_name"],
                                         last_name=login["last_name"])
            if not user.memberships.filter(organization=organization, role=login["role"]).exists():
                membership_grant(acting_user=None, user=user, organization=organization, role=login["role"])
            # The hub's rows have always shown the role's label where the nodes' show its value: kept.
            found.append(DemoLogin(str(Role(login["role"]).label), organization.name, login["username"], DEMO_PASSWORD))
        admin = users.get(username=next(login["username"] for login in data["logins"] if login["role"] == Role.HUB_ADMIN))
        for grant in data["grants"]:
            user = users.get(username=grant["username"])
            organization = organizations[next(login["organization"] or operator.name for login in data["logins"]
                                              if login["username"] == grant["username"])]
            if not ScopeGrant.objects.filter(user=user, organization=organization, scope=grant["scope"]).exists():
                scope_grant(acting_user=admin, user=user, organization=organization, scope=grant["scope"],
                            reason=grant["reason"])
        _declare_exercises(data["exercises"], admin)
    return found


def _declare_exercises(exercises: list[dict], admin) -> None:
    from hub.models import DisasterDeclaration  # on a hub only (see the module's docstring)
    from hub.services.disasters import disaster_close, disaster_declare

    for exercise in exercises:
        if DisasterDeclaration.objects.filter(name=exercise["name"]).exists():
            continue
        started = timezone.now() - dt.timedelta(days=exercise["days_ago"])
        declaration = disaster_declare(acting_user=admin, name=exercise["name"], hazard=exercise["hazard"],
                                       municipality_codes=[], whole_prefecture=True, exercise=True, started_at=started)
        disaster_close(acting_user=admin, declaration=declaration,
                       closed_at=started + dt.timedelta(hours=exercise["hours"]))
