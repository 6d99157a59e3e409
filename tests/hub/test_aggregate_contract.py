"""The aggregate a node sends per center (sync.wire.directory.COUNTS_DATA_KEYS), checked strictly by
the receiver: each key of its own shape, a malformed one refusing the batch with its code and the
field, nothing applied; snapshots of older nodes, without the newer keys, still valid."""

from __future__ import annotations

import copy
import uuid

import pytest

from hub.models import AggregateSnapshot, Node

from . import payloads
from .test_receiver import FakeNode


@pytest.fixture
def chigasaki(db):
    return FakeNode("chigasaki", "142077")


def aggregate(node: FakeNode, data: dict, *, version: int = 1) -> dict:
    return node.entry("aggregate_counts", payloads.counts(node.center, data), version=version,
                      entity_uuid=uuid.uuid5(node.center, "aggregate_counts"))


GOOD = {"form_years": {"public": True, "counts": {"kyodo_suishin": {"2019": 3}}, "sources": {"2019": "records"},
                       "tracks": {"kyodo_suishin_gyosei": {"2019": 1}, "kyodo_suishin_shimin": {"2019": 2}}},
        "programme_cycle": {"2019": {"exchange_meetings": 13, "applications": 2, "adopted": 1}}}


def _with(path: str, value) -> dict:
    """GOOD with one value at path replaced (or removed when value is ...)."""
    data = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize("data, field", [
    (_with("form_years.public", ...), "data.form_years"),
    (_with("form_years.public", "yes"), "data.form_years.public"),
    (_with("form_years.extra", {}), "data.form_years"),
    (_with("form_years.counts", {"kyodo_suishin_gyosei": {"2019": 3}}), "data.form_years.counts"),
    (_with("form_years.counts", {"kyodo_suishin": {"2018": 3}}), "data.form_years.counts"),  # a 年度 without source
    (_with("form_years.counts", {"kyodo_suishin": {"2019": -3}}), "data.form_years.counts"),
    (_with("form_years.counts", {"kyodo_suishin": {"2019": True}}), "data.form_years.counts"),
    (_with("form_years.counts", {"kyodo_suishin": {"2019": "3"}}), "data.form_years.counts"),
    (_with("form_years.counts", [3]), "data.form_years.counts"),
    (_with("form_years.sources", {"2019": "guess"}), "data.form_years.sources"),
    (_with("form_years.sources", {"H31": "records"}), "data.form_years.sources"),
    (_with("form_years.tracks", {"kyodo_suishin_gyosei": {"2019": 2}, "kyodo_suishin_shimin": {"2019": 2}}),
     "data.form_years.tracks"),  # the tracks must add up to the row
    (_with("form_years.tracks", {"itaku": {"2019": 3}}), "data.form_years.tracks"),
    (_with("programme_cycle", {"2019": {"exchange_meetings": 1, "applications": 1, "adopted": 2}}),
     "data.programme_cycle"),
    (_with("programme_cycle", {"2019": {"applications": 1, "adopted": 0}}), "data.programme_cycle"),
    (_with("programme_cycle", {"2019": {"exchange_meetings": 1, "applications": 1, "adopted": 0, "names": 0}}),
     "data.programme_cycle"),
    (_with("who", "山田 花子"), "data"),
    ({"groups_by_field": {"21": 3}}, "data.groups_by_field"),
    ({"groups_total": False}, "data.groups_total"),
    ({"events_per_month": {"2019-13": 3}}, "data.events_per_month"),
    ({"consultations_per_step": {"gossip": 3}}, "data.consultations_per_step"),
])
def test_a_malformed_aggregate_is_refused_with_its_code(chigasaki, client, data, field):
    response = chigasaki.send(client, [chigasaki.profile(), aggregate(chigasaki, data)])
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "payload_invalid" and error["seq"] == 2 and f"field {field} " in error["message"]
    assert not AggregateSnapshot.objects.exists() and Node.objects.get().last_applied_seq == 0


def test_a_well_formed_aggregate_is_kept_as_sent(chigasaki, client):
    response = chigasaki.send(client, [chigasaki.profile(), aggregate(chigasaki, GOOD)])
    assert response.status_code == 200, response.content
    assert AggregateSnapshot.objects.get().data == GOOD


def test_snapshots_without_the_new_keys_stay_valid(chigasaki, client):
    old = {"groups_total": 12, "groups_by_field": {"7": 3}, "events_per_month": {"2019-04": 2},
           "consultations_per_step": {"intake": 4}}
    response = chigasaki.send(client, [chigasaki.profile(), aggregate(chigasaki, old)])
    assert response.status_code == 200, response.content
    assert AggregateSnapshot.objects.get().data == old
