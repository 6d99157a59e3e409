"""Read replicas: library search and statistics read from a replica when one is configured; writes,
reads inside a transaction and every other read stay on the primary.

The replica here is a second connection (its own alias, its own session) to the same test database,
as a streaming replica would be a second server with the same rows; each test sees which connection
ran which query.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext

from common.replicas import read_alias
from hub.models import NodeCenter, SharedCase
from hub.selectors.center_figures import center_snapshots
from hub.selectors.library import case_library
from hub.selectors.statistics import case_statistics, statistics_default_years

from .test_case_library import CATS, case_entry, cats_parties, send_ok
from .test_receiver import FakeNode

ROOT = Path(__file__).resolve().parents[2]
ALIAS = "test_replica"
# Known before the test database is set up, so that it mirrors it (as DATABASE_REPLICA_URL's aliases
# do); nothing reads there unless a test names it in KYODO_READ_REPLICAS.
connections.settings.setdefault(ALIAS, {**connections["default"].settings_dict,
                                        "TEST": {**connections["default"].settings_dict["TEST"], "MIRROR": "default"}})
uses_replica = pytest.mark.django_db(transaction=True, databases=["default", ALIAS])


@pytest.fixture
def replica(settings):
    settings.KYODO_READ_REPLICAS = [ALIAS]
    yield connections[ALIAS]
    connections[ALIAS].close()


@pytest.fixture
def chigasaki_cases(client):
    node = FakeNode("chigasaki", "142077")
    send_ok(node, client, [node.profile(), case_entry(node, **CATS, parties=cats_parties()),
                           case_entry(node, title="子育てサロンの共催", summary="親子の居場所づくり", fields=[2])])
    return node


def _tables(queries) -> str:
    return " ".join(query["sql"] for query in queries)


@uses_replica
def test_library_search_and_statistics_read_from_the_replica(replica, chigasaki_cases):
    primary = connections["default"]
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(primary) as on_primary:
        found = list(case_library(q="猫"))
        years = statistics_default_years()
        stats = case_statistics(first=2014, last=2015)
        snapshots = center_snapshots()
    assert [case.title for case in found] == [CATS["title"]]
    assert found[0]._state.db == ALIAS and found[0].center.name  # the center came with it, from the replica
    assert years[1] >= 2014 and stats is not None and snapshots == []
    assert "hub_sharedcase" in _tables(on_replica) and "hub_aggregatesnapshot" in _tables(on_replica)
    assert "hub_sharedcase" not in _tables(on_primary) and "hub_aggregatesnapshot" not in _tables(on_primary)


@uses_replica
def test_other_reads_and_every_write_stay_on_the_primary(replica, chigasaki_cases):
    case = case_library(q="子育て").get()
    assert case._state.db == ALIAS
    assert router.db_for_write(SharedCase, instance=case) == "default"
    assert router.db_for_read(NodeCenter) == "default"  # no selector asked for the replica
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connections["default"]) as on_primary:
        SharedCase.objects.filter(pk=case.pk).update(lessons="事前の説明会が効いた")
        case.lessons = "事前の説明会が効いた"
        case.save(update_fields=["lessons"])  # a row read from the replica is written to the primary
        assert NodeCenter.objects.count() == 1
    assert on_replica.captured_queries == []
    assert sum(query["sql"].startswith("UPDATE") for query in on_primary.captured_queries) == 2


@uses_replica
def test_a_transaction_that_wrote_reads_its_own_writes_on_the_primary(replica, chigasaki_cases):
    with transaction.atomic():
        SharedCase.objects.filter(title=CATS["title"]).update(title="地域猫の見守り", search_text="地域猫の見守り")
        assert read_alias() == "default"
        with CaptureQueriesContext(replica) as on_replica:
            # The replica's session cannot see this uncommitted change; the primary's can.
            assert [case.title for case in case_library(q="見守り")] == ["地域猫の見守り"]
        assert on_replica.captured_queries == []
    assert read_alias() == ALIAS


@pytest.mark.django_db
def test_without_replicas_everything_reads_from_the_primary(settings):
    settings.KYODO_READ_REPLICAS = []
    assert read_alias() == "default" and case_library(q="猫").db == "default"


def test_settings_name_one_alias_per_replica_url_mirroring_the_primary_in_tests():
    env = {**os.environ, "KYODO_ROLE": "hub", "SECRET_KEY": "t", "ALLOWED_HOSTS": "localhost",
           "DATABASE_URL": "postgres://kyodo@primary.example:5432/kyodo",
           "DATABASE_REPLICA_URL": "postgres://kyodo@replica-a.example:5432/kyodo, postgres://kyodo@replica-b.example/kyodo"}
    script = ("import json; from django.conf import settings as s; print(json.dumps([s.KYODO_READ_REPLICAS,"
              " {k: [v['HOST'], v.get('TEST')] for k, v in s.DATABASES.items()}, s.DATABASE_ROUTERS]))")
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {script}"], env={
        **env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=ROOT, capture_output=True, text=True, check=True)
    aliases, databases, routers = json.loads(out.stdout.strip().splitlines()[-1])
    assert aliases == ["replica_1", "replica_2"]
    assert [databases["replica_1"][0], databases["replica_1"][1]["MIRROR"]] == ["replica-a.example", "default"]
    assert [databases["replica_2"][0], databases["replica_2"][1]["MIRROR"]] == ["replica-b.example", "default"]
    assert databases["default"][0] == "primary.example"
    assert routers == ["common.replicas.PrimaryWritesRouter"]
