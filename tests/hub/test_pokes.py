"""Pokes from the hub: a committed declaration (or commitment) queues them on the disaster queue; each
active node gets a request signed with the hub's key, which nodes learn from the feed."""

from __future__ import annotations

import json

import httpx
import pytest
from celery import current_app

from hub import pokes
from hub.models import FeedEntry, NodeStatus
from hub.services.feed import feed_publish, hub_key_publish
from sync import keys
from sync.disaster import FEED_KIND
from sync.poke import HUB_KEY_KIND, POKE_PATH, parse_hub_keys
from sync.signing import verify_request

from .test_disaster import declare, nodes, people  # noqa: F401 (fixtures)


@pytest.fixture
def hub_key(settings, tmp_path):
    settings.KYODO_NODE_KEY_FILE = str(tmp_path / "hub-signing.key")
    return keys.create_key()


@pytest.fixture
def queued(monkeypatch):
    """The pokes queued (the task is sent by name); other tasks go on to the broker as usual."""
    calls = []
    send_task = current_app.send_task

    def record(name, **options):
        return calls.append(options) if name == pokes.POKE_TASK else send_task(name, **options)

    monkeypatch.setattr(current_app, "send_task", record)
    return calls


def test_a_declaration_queues_a_poke_of_every_node_after_commit(people, queued, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        declare(people[0])
        assert queued == []  # nothing before the commit: a node would pull and find nothing
    seq = FeedEntry.objects.get(kind=FEED_KIND).seq
    assert queued == [{"kwargs": {"seq": seq, "node_ids": None}, "queue": "disaster"}]


def test_a_notice_is_not_worth_a_poke(people, queued, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        feed_publish(acting_user=None, kind="notice", payload={"title": "お知らせ", "body": ""})
    assert queued == []


def test_the_hub_key_goes_to_every_node_once(db, hub_key):
    entry = hub_key_publish(acting_user=None, pairs=[hub_key])
    assert entry.kind == HUB_KEY_KIND and entry.node is None
    assert parse_hub_keys(entry.payload) == {hub_key.key_id: hub_key.public_key}
    assert hub_key_publish(acting_user=None, pairs=[hub_key]) is None


def test_each_active_node_gets_a_poke_it_can_verify(nodes, hub_key):  # noqa: F811
    chigasaki, odawara = nodes
    for fake, port in ((chigasaki, 8201), (odawara, 8202)):
        fake.node.base_url = f"http://127.0.0.1:{port}"
        fake.node.save()
    odawara.node.status = NodeStatus.SUSPENDED
    odawara.node.save()
    received = []

    def node_side(request: httpx.Request) -> httpx.Response:
        verified = verify_request(method=request.method, url=str(request.url), headers=request.headers,
                                  body=request.content,
                                  public_key_for={hub_key.key_id: hub_key.public_key}.get)
        received.append((str(request.url), json.loads(request.content), verified.key_id))
        return httpx.Response(202, json={"status": "pull_scheduled"})

    outcomes = pokes.poke_nodes(seq=5, transport=httpx.MockTransport(node_side))
    assert outcomes == {"chigasaki": "pull_scheduled"}  # a suspended node is not poked
    assert received == [(f"http://127.0.0.1:8201{POKE_PATH}", {"seq": 5}, hub_key.key_id)]


def test_an_unreachable_or_refusing_node_is_only_logged(nodes, hub_key):  # noqa: F811
    chigasaki, odawara = nodes
    for fake in nodes:
        fake.node.base_url = f"http://{fake.node.slug}.test"
        fake.node.save()

    def node_side(request: httpx.Request) -> httpx.Response:
        if request.url.host == "chigasaki.test":
            raise httpx.ConnectError("refused")
        return httpx.Response(401, json={"error": {"code": "unknown_key", "message": ""}})

    assert pokes.poke_nodes(seq=1, transport=httpx.MockTransport(node_side)) == {
        "chigasaki": "ConnectError", "odawara": "unknown_key"}


def test_without_a_hub_key_nobody_is_poked(nodes, settings, tmp_path):  # noqa: F811
    settings.KYODO_NODE_KEY_FILE = str(tmp_path / "missing.key")
    assert pokes.poke_nodes(seq=1) == {}
