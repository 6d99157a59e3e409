"""The directory's substring index after the batches: a received group is found at once (by the scan
of the rows not yet indexed) and after the indexing task has put it into the trigram index; the
task waits while groups are still arriving, and a rewritten group goes back to the queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from config import health
from hub.models import DirectoryGroup
from hub.selectors.directory import directory
from hub.services import directory_index

from .test_receiver import FakeNode


@pytest.fixture
def chigasaki(db):
    return FakeNode("chigasaki", "142077")


def _settle():
    """As if the last batch came QUIET seconds ago."""
    DirectoryGroup.objects.update(received_at=timezone.now() - dt.timedelta(seconds=directory_index.QUIET + 1))


def test_a_received_group_is_found_before_and_after_indexing(chigasaki: FakeNode, client):
    profile = chigasaki.profile()
    group = chigasaki.group("浜辺のごみ拾い隊")
    response = chigasaki.send(client, [profile, group])
    assert response.status_code == 200, response.content
    held = DirectoryGroup.objects.get()
    assert held.search_indexed is False and directory_index.index_lag() == 1
    health._lag.clear()  # the figure is cached like the probe
    assert client.get("/healthz").json()["directory_index_lag"] == 1
    assert [g.name for g in directory(q="ごみ拾い")] == ["浜辺のごみ拾い隊"]

    assert directory_index.index_pending() == 0  # still arriving: the catch-up goes first
    _settle()
    assert directory_index.index_pending() == 1
    assert directory_index.index_lag() == 0
    assert [g.name for g in directory(q="ゴミ拾い")] == ["浜辺のごみ拾い隊"]  # katakana folded, from the index
    assert [g.name for g in directory(q="ごみ拾い")] == ["浜辺のごみ拾い隊"]
    assert [g.name for g in directory(q="海の家")] == []

    # A newer version goes back to the queue, and is found by its new name meanwhile.
    renamed = chigasaki.entry("directory_group", {**group["payload"], "name": "砂浜クリーン隊"}, version=2,
                              entity_uuid=group["uuid"])
    assert chigasaki.send(client, [renamed]).status_code == 200
    assert DirectoryGroup.objects.get().search_indexed is False
    assert [g.name for g in directory(q="クリーン")] == ["砂浜クリーン隊"]
    assert [g.name for g in directory(q="ごみ拾い")] == []
    _settle()
    assert directory_index.index_pending() == 1
    assert [g.name for g in directory(q="クリーン")] == ["砂浜クリーン隊"]


def test_the_indexing_goes_in_chunks(chigasaki: FakeNode, client, monkeypatch):
    monkeypatch.setattr(directory_index, "CHUNK", 2)
    entries = [chigasaki.profile()] + [chigasaki.group(f"団体{n}") for n in range(5)]
    assert chigasaki.send(client, entries).status_code == 200
    _settle()
    assert directory_index.index_chunk(limit=2) == 2
    assert directory_index.index_lag() == 3
    assert directory_index.index_pending() == 3
    assert not DirectoryGroup.objects.filter(search_indexed=False).exists()
