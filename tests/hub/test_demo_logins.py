"""The hub's demo (deploy/demo/hub.yaml), seeded on a hub, which has no nodes app: みんかな runs the
hub, the prefecture, 県社協 and 共同募金会 are partners, each with its coordinators."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import authenticate, get_user_model

from deploy.demo import cli
from deploy.demo.base import DEMO_PASSWORD
from deploy.demo.hub import seed_hub
from hub.models import DisasterDeclaration
from permissions.models import HubStanding, Membership, Organization, OrganizationKind, Role, ScopeGrant
from permissions.services import membership_grant, organization_create

MINKANA = "災害復興暮らし応援・みんなのネットワークかながわ（みんかな）"
LOGINS = [
    ("hub-admin", Role.HUB_ADMIN, MINKANA),
    ("hub-coordinator", Role.COORDINATOR, MINKANA),
    ("minkana-coordinator", Role.COORDINATOR, MINKANA),
    ("shakyo-coordinator", Role.DISASTER_COORDINATOR, "神奈川県社会福祉協議会"),
    ("kyobo-coordinator", Role.DISASTER_COORDINATOR, "神奈川県共同募金会"),
    ("pref-coordinator", Role.LIBRARY_COORDINATOR, "神奈川県"),
]


@pytest.mark.django_db
def test_the_hub_demo_makes_the_operator_its_partners_and_their_logins_once():
    logins = seed_hub()
    assert [(login.username, login.role, login.organization) for login in logins] == [
        (username, str(role.label), organization) for username, role, organization in LOGINS]
    operator = Organization.objects.get(hub_standing=HubStanding.OPERATOR)
    assert (operator.name, operator.kind) == (MINKANA, OrganizationKind.INTERMEDIATE_SUPPORT)
    assert set(Organization.objects.filter(hub_standing=HubStanding.PARTNER).values_list("name", flat=True)) == {
        "神奈川県", "神奈川県社会福祉協議会", "神奈川県共同募金会"}
    prefecture = Organization.objects.get(kind=OrganizationKind.PREFECTURE)
    assert (prefecture.name, prefecture.municipality_code) == ("神奈川県", "140007")
    for login, (_username, role, organization) in zip(logins, LOGINS, strict=True):
        user = authenticate(username=login.username, password=DEMO_PASSWORD)
        assert user is not None and user.last_name and user.first_name
        assert Membership.objects.filter(user=user, organization__name=organization, role=role).exists()
    assert set(ScopeGrant.objects.values_list("user__username", "scope")) == {
        ("kyobo-coordinator", "view_hub_directory"), ("pref-coordinator", "view_hub_disasters")}
    drill = DisasterDeclaration.objects.get()
    assert drill.exercise and drill.closed_at is not None and drill.declared_by == operator

    assert seed_hub() == logins
    assert Organization.objects.count() == 4 and Membership.objects.count() == len(LOGINS)
    assert ScopeGrant.objects.count() == 2 and DisasterDeclaration.objects.count() == 1


@pytest.mark.django_db
def test_a_hub_seeded_before_the_operator_moves_its_admin_to_the_operator():
    """An older demo hub: the prefecture alone, with the hub admin on it."""
    prefecture = organization_create(acting_user=None, name="神奈川県", kind=OrganizationKind.PREFECTURE,
                                     municipality_code="140007")
    admin = get_user_model().objects.create_user("hub-admin", password=DEMO_PASSWORD)
    membership_grant(acting_user=None, user=admin, organization=prefecture, role=Role.HUB_ADMIN)
    seed_hub()
    assert set(Membership.objects.filter(user=admin).values_list("organization__name", "role")) == {
        (MINKANA, Role.HUB_ADMIN)}
    prefecture.refresh_from_db()
    assert prefecture.hub_standing == HubStanding.PARTNER


@pytest.mark.django_db
def test_the_hub_command_prints_logins_as_json_lines():
    out = io.StringIO()
    assert cli.main(["hub"], stdout=out, stderr=io.StringIO()) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [row["username"] for row in rows] == [username for username, _role, _organization in LOGINS]
    assert {row["organization"] for row in rows} == {MINKANA, "神奈川県社会福祉協議会", "神奈川県共同募金会", "神奈川県"}
