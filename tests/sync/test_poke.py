"""The node's poke endpoint: only its hub's signature is accepted, each nonce once, at a bounded
rate, and a valid poke queues at most one feed pull on the disaster queue."""

from __future__ import annotations

import base64

import pytest
import redis
from django.core.cache import cache
from django.utils import timezone

from sync.keys import NodeKeyPair, key_id_for
from sync.models import FeedItem
from sync.outbox import canonical_json
from sync.poke import HUB_KEY_KIND, hub_keys_payload, parse_hub_keys
from sync.relay import sync_state
from sync.signing import content_digest, new_key_pair, sign_request
from sync.tasks import POKE_PULL_MARKER

URL = "http://testserver/sync/v1/poke"


def key_pair() -> NodeKeyPair:
    private, public = new_key_pair()
    return NodeKeyPair(key_id=key_id_for(public), private_key=private, public_key=public)


@pytest.fixture
def hub_key(db, settings):
    settings.KYODO_HUB_URL = "http://hub.test"
    pair = key_pair()
    FeedItem.objects.create(seq=1, kind=HUB_KEY_KIND, payload=hub_keys_payload([pair]), published_at=timezone.now())
    return pair


@pytest.fixture
def broker(settings):
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("default", "disaster")
    cache.clear()
    yield client
    client.delete("default", "disaster")
    cache.clear()


def poke(client, pair: NodeKeyPair, *, body: bytes = b'{"seq":7}', url: str = URL, key_id: str | None = None,
         sent_body: bytes | None = None, headers: dict | None = None):
    signed = headers or sign_request(method="POST", url=url, body=body, key_id=key_id or pair.key_id,
                                     private_key=pair.private_key)
    return client.post("/sync/v1/poke", data=body if sent_body is None else sent_body,
                       content_type="application/json", headers=signed)


def test_a_poke_signed_by_the_hub_queues_one_pull_on_the_disaster_queue(hub_key, broker, client):
    response = poke(client, hub_key)
    assert response.status_code == 202 and response.json() == {"status": "pull_scheduled"}
    assert broker.llen("disaster") == 1 and broker.llen("default") == 0
    # A second poke while that pull has not started adds nothing: the queued pull will see its entry.
    assert poke(client, hub_key).json() == {"status": "pull_already_queued"}
    assert broker.llen("disaster") == 1
    cache.delete(POKE_PULL_MARKER)  # what the pull does when it starts
    assert poke(client, hub_key).json() == {"status": "pull_scheduled"}
    assert broker.llen("disaster") == 2


def test_a_poke_for_an_entry_already_pulled_changes_nothing(hub_key, broker, client):
    state = sync_state()
    state.feed_cursor = 9
    state.save()
    assert poke(client, hub_key, body=b'{"seq":9}').json() == {"status": "up_to_date"}
    assert broker.llen("disaster") == 0


@pytest.mark.parametrize("forgery, code", [
    ("other_private_key", "bad_signature"),
    ("unknown_key_id", "unknown_key"),
    ("body_changed", "digest_mismatch"),
    ("signed_for_another_node", "bad_signature"),
    ("no_signature", "signature_input_invalid"),
])
def test_a_poke_not_signed_by_this_nodes_hub_is_refused_with_401(hub_key, broker, client, forgery, code):
    stranger = key_pair()
    if forgery == "other_private_key":  # the hub's key id, someone else's key
        response = poke(client, NodeKeyPair(hub_key.key_id, stranger.private_key, stranger.public_key))
    elif forgery == "unknown_key_id":
        response = poke(client, stranger)
    elif forgery == "body_changed":
        response = poke(client, hub_key, sent_body=b'{"seq":8}')
    elif forgery == "signed_for_another_node":
        response = poke(client, hub_key, url="http://node-b.test/sync/v1/poke")
    else:
        response = poke(client, hub_key, headers={"Content-Digest": content_digest(b'{"seq":7}')})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert broker.llen("disaster") == 0


def test_a_replayed_poke_is_refused(hub_key, broker, client):
    headers = sign_request(method="POST", url=URL, body=b"{}", key_id=hub_key.key_id, private_key=hub_key.private_key)
    assert poke(client, hub_key, body=b"{}", headers=headers).status_code == 202
    response = poke(client, hub_key, body=b"{}", headers=headers)
    assert response.status_code == 409 and response.json()["error"]["code"] == "replayed_nonce"


def test_pokes_beyond_the_rate_get_429(hub_key, broker, client, settings):
    settings.SYNC_POKES_PER_MINUTE = 2
    assert [poke(client, hub_key).status_code for _ in range(2)] == [202, 202]
    response = poke(client, hub_key)
    assert response.status_code == 429 and response.json()["error"]["code"] == "rate_limited"
    assert response["Retry-After"] == "60"
    assert broker.llen("disaster") == 1


def test_without_a_hub_key_from_the_feed_no_poke_is_accepted(db, broker, client, settings):
    settings.KYODO_HUB_URL = "http://hub.test"
    response = poke(client, key_pair())
    assert response.status_code == 401 and response.json()["error"]["code"] == "unknown_key"


def test_a_hub_key_rotation_is_the_newest_feed_entry(hub_key, broker, client):
    successor = key_pair()
    FeedItem.objects.create(seq=2, kind=HUB_KEY_KIND, payload=hub_keys_payload([successor]),
                            published_at=timezone.now())
    assert poke(client, hub_key).json()["error"]["code"] == "unknown_key"
    assert poke(client, successor).status_code == 202


def test_hub_key_payloads_are_checked():
    pair = key_pair()
    assert parse_hub_keys(hub_keys_payload([pair])) == {pair.key_id: pair.public_key}
    for bad in ({}, {"keys": []}, {"keys": [{"keyid": "k1", "public_key": "not base64!"}]},
                {"keys": [{"keyid": "k1", "public_key": base64.b64encode(b"short").decode()}]},
                {"keys": [{"keyid": "k1", "public_key": pair.public_key_b64, "extra": 1}]}):
        with pytest.raises(ValueError):
            parse_hub_keys(bad)
    assert canonical_json(hub_keys_payload([pair]))  # a plain JSON document
