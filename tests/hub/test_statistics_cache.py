"""The statistics pages read figures computed once per change of their data (hub.figures_cache): new
cases show after the refresh with the time the figures were computed, a retracted case leaves them
with the next page, and the cached tables suppress exactly what the computed ones do.

Transactional tests: inside a test's transaction the figures are the transaction's own and never
cached, as in any request inside one; here each batch commits as the receiver's does.
"""

from __future__ import annotations

import pickle
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client

from hub import figures_cache, tasks
from hub.disclosure import SUPPRESSED, Reason
from hub.models import FiguresVersion
from hub.selectors.statistics import case_statistics
from permissions.models import OrganizationKind, Role
from permissions.services import membership_grant, organization_create

from .test_case_library import case_entry, party, send_ok
from .test_receiver import FakeNode

pytestmark = pytest.mark.django_db(transaction=True)
YEARS = {"year_from": "2018", "year_to": "2018"}
ONE_GROUP = "00000000000000aa"


@pytest.fixture
def coordinator():
    prefecture = organization_create(acting_user=None, name="神奈川県", kind=OrganizationKind.PREFECTURE,
                                     municipality_code="140007")
    user = get_user_model().objects.create_user("coordinator", password="x" * 12)
    membership_grant(acting_user=None, user=user, organization=prefecture, role=Role.COORDINATOR)
    return user


@pytest.fixture
def queued(monkeypatch):
    """Refreshes the pages queue (the broker is the network edge); the test runs them itself."""
    sent = []

    def send_task(name, **options):
        if name == figures_cache.REFRESH_TASK:
            sent.append((name, options["kwargs"]))

    monkeypatch.setattr(figures_cache.current_app, "send_task", send_task)
    return sent


def hojo(node, *, lead=None, entity_uuid=None):
    return case_entry(node, form="hojo", fiscal_year_start=2018, fiscal_year_end=2018, entity_uuid=entity_uuid,
                      parties=[party(ref=lead), party(kind="city_department", role="government", fields=(),
                                                      size_band=None)])


def hojo_count(page: str) -> str:
    section = page[page.index('id="stat-forms"'):page.index('id="stat-fields"')]
    cells = re.search(r">補助</th>(.*?)</tr>", section, re.S).group(1)
    return ",".join(re.findall(r"<td[^>]*>([^<]*)</td>", cells))


def test_new_cases_show_after_the_refresh_and_the_page_says_when_figures_were_computed(coordinator, client, queued):
    node = FakeNode("chigasaki", "142077")
    send_ok(node, client, [node.profile(), *[hojo(node) for _ in range(4)]])
    client.force_login(coordinator)
    page = client.get("/statistics/", YEARS).content.decode()
    assert hojo_count(page) == "4,4" and 'id="figures-computed"' in page and "集計時点" in page
    assert "集計し直しています" not in page and queued == []

    send_ok(node, client, [hojo(node), hojo(node)])
    stale = client.get("/statistics/", YEARS).content.decode()
    # The figures as computed, said to be refreshing; one refresh queued however many read them.
    assert hojo_count(stale) == "4,4" and "集計し直しています" in stale
    client.get("/statistics/", YEARS)
    assert [name for name, _kwargs in queued] == [figures_cache.REFRESH_TASK]

    tasks.refresh_statistics(**queued[0][1])
    fresh = client.get("/statistics/", YEARS).content.decode()
    assert hojo_count(fresh) == "6,6" and "集計し直しています" not in fresh


def test_a_retracted_case_leaves_the_next_page_and_small_cells_stay_suppressed(coordinator, client, queued):
    node = FakeNode("chigasaki", "142077")
    gone = uuid.uuid4()
    # One group's two cases (a small cell) beside four cases of four groups.
    send_ok(node, client, [node.profile(), hojo(node, lead=ONE_GROUP, entity_uuid=gone), hojo(node, lead=ONE_GROUP),
                           *[case_entry(node, form="kyosai", fiscal_year_start=2018, fiscal_year_end=2018)
                             for _ in range(4)]])
    client.force_login(coordinator)
    before = client.get("/statistics/", YEARS).content.decode()
    assert hojo_count(before) == f"{SUPPRESSED},{SUPPRESSED}"
    # Served from the cache, the tables still hide it (and the cache keeps no pseudonyms).
    cached = figures_cache.figures("statistics", first=2018, last=2018)
    assert cached.fresh and cached.key
    _version, _at, stored = cache.get(cached.key)
    table = stored.table("forms").table
    assert table.suppressed["hojo", 2018] is Reason.FEW_ORGANIZATIONS
    assert all(not table.cell(row, 2018).organizations for row in table.row_keys)

    send_ok(node, client, [case_entry(node, op="retract", version=2, entity_uuid=gone)])
    after = client.get("/statistics/", YEARS).content.decode()
    assert "集計し直しています" not in after and queued == []  # computed again at once, not served stale
    assert hojo_count(after) == f"{SUPPRESSED},{SUPPRESSED}"  # one case of one group now
    assert case_statistics(first=2018, last=2018).case_count == 5
    assert re.search(r"対象の事例 5件", after)


def test_the_triggers_move_the_version_on_every_write_whoever_writes():
    node = FakeNode("chigasaki", "142077")
    version = figures_cache.data_version(["cases", "centers"], using="default")
    counts = figures_cache.data_version(["counts"], using="default")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM hub_sharedcase WHERE false")  # no row: no change
    assert figures_cache.data_version(["cases", "centers"], using="default") == version
    send_ok(node, Client(), [node.profile(), hojo(node)])
    after = figures_cache.data_version(["cases", "centers"], using="default")
    assert after.changed > version.changed and after.removed == version.removed
    assert set(FiguresVersion.objects.filter(node_id=node.node.pk).values_list("source", flat=True)) == {
        "cases", "centers"}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM hub_sharedcase")
    assert figures_cache.data_version(["cases", "centers"], using="default").removed > after.removed
    # The aggregate counts are another source: the case statistics do not wait for them.
    assert figures_cache.data_version(["counts"], using="default") == counts


def test_a_pickled_table_keeps_counts_and_suppression_without_whom(client):
    node = FakeNode("chigasaki", "142077")
    send_ok(node, client, [node.profile(), hojo(node, lead=ONE_GROUP), hojo(node, lead=ONE_GROUP)])
    table = case_statistics(first=2018, last=2018, only="forms").table("forms").table
    copy = pickle.loads(pickle.dumps(table))
    assert copy.suppressed == table.suppressed and copy.entry("hojo", 2018) == table.entry("hojo", 2018)
    assert copy.cell("hojo", 2018).value == 2 and copy.cell("hojo", 2018).organizations == frozenset()
    assert table.cell("hojo", 2018).organizations  # the table itself is untouched
