"""The hub's demo (deploy/demo/hub.yaml): the prefecture, the hub's own organization, and its logins.

Only `permissions` is imported: a hub has no `nodes` app.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from permissions.models import Organization, OrganizationKind, Role
from permissions.services import membership_grant, organization_create

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
    nested,
    read_yaml,
    record,
    records,
    text,
)

HUB = {
    "organization": Key(nested({"name": Key(text, required=True), "name_kana": Key(text, default=""),
                                "municipality_code": Key(code, required=True),
                                "municipality_name": Key(text, default="")}), required=True),
    "logins": Key(records({**ACCOUNT, "role": Key(choice(Role), required=True)}), required=True),
}


def load_hub_file(path: Path = HUB_FILE) -> dict:
    try:
        return record(read_yaml(path), HUB, Names())
    except Invalid as error:
        raise error_at(path.name, error) from error


def seed_hub(path: Path = HUB_FILE) -> list[DemoLogin]:
    """The prefecture organization and the hub's demo logins; what exists already is kept."""
    data = load_hub_file(path)
    users = get_user_model().objects
    found = []
    with transaction.atomic():
        prefecture = Organization.objects.filter(kind=OrganizationKind.PREFECTURE).first() or organization_create(
            acting_user=None, kind=OrganizationKind.PREFECTURE, **data["organization"])
        for login in data["logins"]:
            if not users.filter(username=login["username"]).exists():
                user = users.create_user(login["username"], password=DEMO_PASSWORD, first_name=login["first_name"],
                                         last_name=login["last_name"])
                membership_grant(acting_user=None, user=user, organization=prefecture, role=login["role"])
            # The hub's rows have always shown the role's label where the nodes' show its value: kept.
            found.append(DemoLogin(str(Role(login["role"]).label), prefecture.name, login["username"], DEMO_PASSWORD))
    return found
