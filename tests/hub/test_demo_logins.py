"""The hub's demo (deploy/demo/hub.yaml), seeded on a hub, which has no nodes app."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import authenticate

from deploy.demo import cli
from deploy.demo.base import DEMO_PASSWORD
from deploy.demo.hub import seed_hub
from permissions.models import Membership, Organization, OrganizationKind, Role


@pytest.mark.django_db
def test_the_hub_demo_makes_the_prefecture_and_two_logins_once():
    logins = seed_hub()
    assert [(login.username, login.role) for login in logins] == [
        ("hub-admin", str(Role.HUB_ADMIN.label)), ("hub-coordinator", str(Role.COORDINATOR.label))]
    prefecture = Organization.objects.get(kind=OrganizationKind.PREFECTURE)
    assert (prefecture.name, prefecture.municipality_code) == ("神奈川県", "140007")
    for login, role in zip(logins, (Role.HUB_ADMIN, Role.COORDINATOR), strict=True):
        user = authenticate(username=login.username, password=DEMO_PASSWORD)
        assert user is not None and user.last_name and user.first_name
        assert Membership.objects.filter(user=user, organization=prefecture, role=role).exists()
    assert seed_hub() == logins
    assert Organization.objects.filter(kind=OrganizationKind.PREFECTURE).count() == 1
    assert Membership.objects.filter(organization=prefecture).count() == 2


@pytest.mark.django_db
def test_the_hub_command_prints_logins_as_json_lines():
    out = io.StringIO()
    assert cli.main(["hub"], stdout=out, stderr=io.StringIO()) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [row["username"] for row in rows] == ["hub-admin", "hub-coordinator"]
    assert {row["organization"] for row in rows} == {"神奈川県"}
