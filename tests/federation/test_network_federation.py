"""Issue 17 item 5 between real processes: a Kawasaki 中間支援組織's network reaches the hub as counts
only — a `pg_dump` of the hub holds the network's name and numbers, never a member's name — and
withdrawing the group's listing consent takes the network off the hub."""

from __future__ import annotations

import json
import subprocess

import pytest

from .common import shared_federation, shell, wait

pytestmark = [pytest.mark.federation, pytest.mark.xdist_group("network")]
MEMBER_NAMES = ("多摩川こども劇場", "溝口あおぞら食堂", "登戸ケミカル株式会社", "市立梶ヶ谷小学校")

SETUP = f"""
import json
from django.contrib.auth import get_user_model
from nodes import models as m, services
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
fields = list(m.ActivityField.objects.filter(code__in=[13, 19]))
network_group = services.group_register(acting_user=staff, center=center, name="かわさき子ども支援ネットワーク",
    kind="intermediate_support", legal_form="npo", activity_fields=fields, consents=["hub_listing"])
network = services.network_open(acting_user=staff, group=network_group)
theatre = services.group_register(acting_user=staff, center=center, name={MEMBER_NAMES[0]!r}, legal_form="npo")
diner = services.group_register(acting_user=staff, center=center, name={MEMBER_NAMES[1]!r})
for group in (theatre, diner):
    services.network_member_add_group(acting_user=staff, network=network, group=group)
services.network_member_add_organization(acting_user=staff, network=network, name={MEMBER_NAMES[2]!r}, kind="company")
services.network_member_add_organization(acting_user=staff, network=network, name={MEMBER_NAMES[3]!r}, kind="school")
services.network_set_individuals(acting_user=staff, network=network, individuals=7)
print(json.dumps({{"group": str(network_group.uuid), "network": str(network.uuid)}}))
"""
WITHDRAW = """
from django.contrib.auth import get_user_model
from nodes import models as m, services
staff = get_user_model().objects.get(username="staff")
services.group_set_consent(acting_user=staff, group=m.GroupRegistration.objects.get(uuid={group!r}),
                           consent="hub_listing", given=False)
print("{{}}")
"""


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    return shared_federation("network", tmp_path_factory)


def hub_networks(fed) -> list[tuple]:
    return fed.sql("net-hub", "SELECT entity_uuid::text, name, members::text, individuals, total FROM hub_sharednetwork")


def test_a_network_reaches_the_hub_as_counts_only_and_leaves_with_its_consent(fed):
    created = shell(fed, "net-kawasaki", SETUP)
    wait(lambda: hub_networks(fed), timeout=90, what="the network on the hub")
    (entity_uuid, name, members, individuals, total), = hub_networks(fed)
    assert (entity_uuid, name, individuals, total) == (created["network"], "かわさき子ども支援ネットワーク", 7, 11)
    assert json.loads(members) == {"npo": 1, "voluntary": 1, "company": 1, "school": 1}
    hub = fed.by_name["net-hub"]
    dump = subprocess.run(["pg_dump", "--data-only", hub.env["DATABASE_URL"]], capture_output=True, text=True,
                          check=True).stdout
    assert "かわさき子ども支援ネットワーク" in dump  # the check can see a name when it is there
    for member in MEMBER_NAMES:
        assert member not in dump, f"{member} reached the hub"
    shell(fed, "net-kawasaki", WITHDRAW.format(group=created["group"]))
    wait(lambda: not hub_networks(fed), timeout=90, what="the network gone from the hub")
