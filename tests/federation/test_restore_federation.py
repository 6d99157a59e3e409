"""Backups that restore into a consistent federation (real processes, PostgreSQL): a node restored
from a backup taken 1,000 changes earlier re-announces its state; a hub restored from a backup taken
1,000 batches earlier is sent them again and starts a new feed epoch. Both end with count+hash
agreement (`kyodo sync drift`) and no duplicate rows on the hub.

One entry per batch (KYODO_SYNC_BATCH_ENTRIES=1), so N changes are N batches. N is
KYODO_RESTORE_TEST_CHANGES: 100 in `make test` (the same paths in about two minutes), 1,000 — the figure
of issue 14 — in `make bench` (about eight minutes on two cores)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from deploy import federation

from .common import shell, start_federation, status as _status, wait as _wait

pytestmark = [pytest.mark.federation]

BASE_PORT, REDIS_PORT, PREFIX = 8910, 6396, "r"
CHANGES = int(os.environ.get("KYODO_RESTORE_TEST_CHANGES", "100"))
HUB, CHIGASAKI, ODAWARA = f"{PREFIX}-hub", f"{PREFIX}-chigasaki", f"{PREFIX}-odawara"


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    yield from start_federation(tmp_path_factory, base_port=BASE_PORT, redis_port=REDIS_PORT, prefix=PREFIX,
                                env={"KYODO_SYNC_BATCH_ENTRIES": "1", "KYODO_SYNC_INTERVAL": "2"})


# `count` outbox entries on the node, in one transaction through the services: new listed groups,
# renames of the groups listed before (their versions go up) and withdrawn listings.
CHANGES_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from django.db import transaction
from nodes import services
from nodes.models import GroupRegistration
from permissions.models import Organization
from sync.models import OutboxEntry
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
before = OutboxEntry.objects.count()
with transaction.atomic():
    earlier = list(GroupRegistration.objects.filter(consent_hub_listing_at__isnull=False).order_by("id")
                   .select_related("organization")[:{renames}])
    for group in earlier:
        services.group_update(acting_user=staff, group=group, name=group.organization.name + "（改）")
    for group in earlier[:{withdrawals}]:
        services.group_set_consent(acting_user=staff, group=group, consent="hub_listing", given=False)
    for n in range({new}):
        services.group_register(acting_user=staff, center=center, name=f"{prefix}{{n}}", name_kana="テスト",
                                area="海岸", consents=["hub_listing"])
print(json.dumps({{"entries": OutboxEntry.objects.count() - before}}))
"""


def _changes(fed, node: str, count: int, prefix: str, *, renames: int = 0, withdrawals: int = 0) -> int:
    out = shell(fed, node, CHANGES_SCRIPT.format(renames=renames, withdrawals=withdrawals,
                                                 new=count - renames - withdrawals, prefix=prefix))
    return out["entries"]


def _kyodo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([federation._bin("kyodo"), *args], capture_output=True, text=True, env={**os.environ},
                          check=False)


def _hub_seq(fed, node: str) -> int:
    return fed.sql(HUB, "SELECT last_applied_seq FROM hub_node WHERE slug = %s", (node,))[0][0]


def _drained(fed, node: str) -> bool:
    state = _status(fed, node)
    return state["lag_entries"] == 0 and state["last_acked_seq"] == state["last_published_seq"] \
        and _hub_seq(fed, node) == state["last_acked_seq"]


def _backup(fed, name: str, archive) -> dict:
    result = _kyodo("backup", "--deployment", name, "--output", str(archive), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)["manifest"]


def _restore(fed, name: str, archive) -> dict:
    """Stop the deployment's processes, restore the archive, start them again."""
    deployment = fed.by_name[name]
    federation.stop([deployment])
    other = HUB if name != HUB else CHIGASAKI
    refused = _kyodo("restore", str(archive), "--deployment", other, "--yes")
    assert refused.returncode == 2 and "[wrong_role]" in refused.stderr, refused.stderr  # and nothing changed there
    result = _kyodo("restore", str(archive), "--deployment", name, "--yes", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    federation.start_processes(deployment, web_workers=1)
    federation.save_state(list(fed.by_name.values()))
    federation.wait_healthy([deployment])
    return json.loads(result.stdout)


def _assert_hub_holds_exactly(fed, node: str) -> None:
    listed = {row[0] for row in fed.sql(node, "SELECT o.name FROM nodes_groupregistration g JOIN"
                                              " permissions_organization o ON o.id = g.organization_id"
                                              " WHERE g.consent_hub_listing_at IS NOT NULL AND g.status = 'active'")}
    held = fed.sql(HUB, "SELECT g.name, g.entity_uuid FROM hub_directorygroup g JOIN hub_node n ON n.id = g.node_id"
                        " WHERE n.slug = %s", (node,))
    assert len(held) == len({name for name, _uuid in held}) == len({u for _name, u in held}), "duplicates on the hub"
    assert {name for name, _uuid in held} == listed
    result = _kyodo("sync", "drift", "--node", node, "--json")
    drift = json.loads(result.stdout)
    assert result.returncode == 0 and all(row["ok"] for row in drift.values()), result.stdout + result.stderr
    assert drift.get("directory_group", {}).get("hub", {}).get("count", 0) == len(listed)


def test_a_node_restored_from_a_backup_n_changes_old_reannounces_its_state(fed, tmp_path):
    _changes(fed, CHIGASAKI, max(20, min(100, CHANGES // 5)), "バックアップ前の会")
    _wait(lambda: _drained(fed, CHIGASAKI), timeout=180, what="the first groups to reach the hub")
    archive = tmp_path / "node.tar"
    manifest = _backup(fed, CHIGASAKI, archive)
    assert manifest["role"] == "node" and manifest["sync"]["last_acked_seq"] == _hub_seq(fed, CHIGASAKI)

    written = _changes(fed, CHIGASAKI, CHANGES, "失われる会", renames=min(100, CHANGES // 10),
                       withdrawals=min(50, CHANGES // 20))
    assert written == CHANGES
    _wait(lambda: _drained(fed, CHIGASAKI), timeout=600, what=f"{CHANGES} changes to reach the hub")
    ahead = _hub_seq(fed, CHIGASAKI)
    assert ahead >= manifest["sync"]["last_published_seq"] + CHANGES

    restored = _restore(fed, CHIGASAKI, archive)
    assert restored["after"]["last_published_seq"] == manifest["sync"]["last_published_seq"] < ahead
    # The restored node changes a group the hub holds at a higher version, and adds one.
    shell(fed, CHIGASAKI, """
import json
from django.contrib.auth import get_user_model
from nodes import services
from nodes.models import GroupRegistration
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
group = GroupRegistration.objects.select_related("organization").order_by("id").first()
services.group_update(acting_user=staff, group=group, name="復元後に直した会")
services.group_register(acting_user=staff, center=Organization.objects.get(kind="center"), name="復元後の会",
                        name_kana="テスト", consents=["hub_listing"])
print(json.dumps({}))
""")
    _wait(lambda: _hub_seq(fed, CHIGASAKI) > ahead and _drained(fed, CHIGASAKI), timeout=600,
          what="the re-announcement to reach the hub")
    state = _status(fed, CHIGASAKI)
    assert state["last_error"] == ""
    names = {row[0] for row in fed.sql(HUB, "SELECT name FROM hub_directorygroup")}
    assert "復元後に直した会" in names and "復元後の会" in names and not any(n.startswith("失われる会") for n in names)
    _assert_hub_holds_exactly(fed, CHIGASAKI)
    _assert_hub_holds_exactly(fed, ODAWARA)


def test_a_hub_restored_from_a_backup_n_batches_old_gets_them_again(fed, tmp_path):
    _changes(fed, ODAWARA, 20, "小田原の会")
    _wait(lambda: _drained(fed, ODAWARA), timeout=180, what="odawara's first groups")
    archive = tmp_path / "hub.tar"
    manifest = _backup(fed, HUB, archive)
    before = manifest["sync"]["nodes_last_applied_seq"][ODAWARA]
    head = manifest["sync"]["feed_last_seq"]

    _changes(fed, ODAWARA, CHANGES, "復元で失われる会")
    _wait(lambda: _drained(fed, ODAWARA), timeout=600, what=f"{CHANGES} batches to reach the hub")
    assert _hub_seq(fed, ODAWARA) - before >= CHANGES  # one entry per batch: as many batches
    shell(fed, HUB, """
import json
from hub.services.feed import feed_publish
for n in range(3):
    feed_publish(acting_user=None, kind="notice", payload={"title": f"失われるお知らせ{n}"})
print(json.dumps({}))
""")
    for node in (CHIGASAKI, ODAWARA):
        _wait(lambda node=node: len(fed.sql(node, "SELECT 1 FROM sync_feeditem WHERE kind = 'notice'")) == 3,
              what=f"the notices on {node}")

    restored = _restore(fed, HUB, archive)
    assert restored["after"]["feed_continues_after"] == head
    assert restored["sync_at_backup"]["nodes_last_applied_seq"][ODAWARA] == before  # the hub went back there
    shell(fed, HUB, """
import json
from hub.services.feed import feed_publish
feed_publish(acting_user=None, kind="notice", payload={"title": "復元後のお知らせ"})
print(json.dumps({}))
""")
    _wait(lambda: _drained(fed, ODAWARA) and _hub_seq(fed, ODAWARA) >= before + CHANGES, timeout=600,
          what="odawara to send the lost batches again")
    _wait(lambda: _drained(fed, CHIGASAKI), timeout=120, what="chigasaki to be in step")
    for node in (CHIGASAKI, ODAWARA):
        _wait(lambda node=node: fed.sql(node, "SELECT seq, payload->>'title' FROM sync_feeditem WHERE kind = 'notice'")
              == [(head + 1, "復元後のお知らせ")], what=f"the feed on {node} to follow the restored hub")
        _assert_hub_holds_exactly(fed, node)
