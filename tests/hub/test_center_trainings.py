"""The hub's side of issue 17 item 4: a backing center opens a training (研修) or an information-sharing
meeting (情報共有会議) to the centers it backs, and only to them; their nodes take seats within the
capacity and before the deadline; the organizer counts the attendance after the event, forward only;
materials are checked by type and size and reach registered nodes only; counts per center and
month. Bad input changes nothing and says why in a machine-readable code."""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import pytest
from django.utils import timezone

from hub.models import FeedEntry, Training, TrainingMaterial, TrainingRegistration
from hub.selectors.trainings import training_counts_by_month
from sync.wire import trainings as wire

from .test_center_network import declare, post
from .test_node_library import coordinator  # noqa: F401 — a fixture
from .test_receiver import FakeNode

PDF = b"%PDF-1.4\n% a training's slides\n"


@pytest.fixture
def backed(db, client):
    """横浜 backs にしく, declared by both; 茅ヶ崎 stands apart."""
    yokohama, nishiku, chigasaki = (FakeNode(name, code) for name, code in (
        ("yokohama", "141003"), ("nishiku", "141038"), ("chigasaki", "142077")))
    for node in (yokohama, nishiku, chigasaki):
        assert node.send(client, [node.profile()]).status_code == 200
    assert declare(client, yokohama, nishiku, "backs").status_code == 201
    assert declare(client, nishiku, yokohama, "backed_by").status_code == 201
    return yokohama, nishiku, chigasaki


def training(**extra) -> dict:
    starts = timezone.now() + dt.timedelta(days=10)
    return {"uuid": str(uuid.uuid4()), "kind": "kenshu", "title": "区センター職員研修 相談対応の基礎",
            "description": "インテークの聞き取りを演習で学びます。", "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "place": "市民協働推進センター 会議室",
            "online": False, "capacity_per_center": 3, "capacity_total": 4,
            "deadline": (starts - dt.timedelta(days=3)).isoformat(), "to_centers": [], **extra}


def open_training(client, node: FakeNode, **extra):
    return post(node, client, "/sync/v1/trainings", {"center": str(node.center), **training(**extra)})


def register(client, node: FakeNode, uuid_, seats: int, **extra):
    return post(node, client, f"/sync/v1/trainings/{uuid_}/registrations",
                {"center": str(node.center), "seats": seats, "note": "", **extra})


def feed(node: FakeNode, kind: str) -> list[dict]:
    return [e.payload for e in FeedEntry.objects.filter(node=node.node, kind=kind).order_by("seq")]


def code(response) -> str:
    return response.json()["error"]["code"]


def _past(uuid_):
    """The training began an hour ago (its deadline before that)."""
    now = timezone.now()
    Training.objects.filter(uuid=uuid_).update(deadline=now - dt.timedelta(hours=2), starts_at=now - dt.timedelta(hours=1),
                                               ends_at=None)


def test_a_training_reaches_the_backed_centers_only(client, backed):
    yokohama, nishiku, chigasaki = backed
    opened = open_training(client, yokohama)
    assert opened.status_code == 201, opened.content
    assert set(opened.json()) == wire.TRAINING_FEED_KEYS
    (sent,) = feed(nishiku, wire.TRAINING_KIND)
    assert sent["title"] == "区センター職員研修 相談対応の基礎" and sent["invited"] == [
        {"uuid": str(nishiku.center), "name": sent["invited"][0]["name"]}]
    assert feed(chigasaki, wire.TRAINING_KIND) == []  # not backed by 横浜: never sees it
    assert len(feed(yokohama, wire.TRAINING_KIND)) == 1
    # A center not backed by the organizer cannot be named, and cannot register.
    named = open_training(client, yokohama, to_centers=[str(chigasaki.center)])
    assert (named.status_code, code(named)) == (403, "not_backed")
    refused = register(client, chigasaki, sent["uuid"], 1)
    assert (refused.status_code, code(refused)) == (404, "not_found")
    # 茅ヶ崎 backs no one: it cannot open a training at all.
    alone = open_training(client, chigasaki)
    assert (alone.status_code, code(alone)) == (409, "no_backed_centers")
    assert Training.objects.count() == 1 and not TrainingRegistration.objects.exists()


@pytest.mark.parametrize(("extra", "expected"), [
    ({"kind": "lunch"}, "payload_invalid"),
    ({"title": " "}, "payload_invalid"),
    ({"place": "", "online": False}, "payload_invalid"),
    ({"capacity_total": 0}, "payload_invalid"),
    ({"capacity_per_center": True}, "payload_invalid"),
    ({"deadline": (timezone.now() + dt.timedelta(days=20)).isoformat()}, "payload_invalid"),
    ({"starts_at": "2026-12-01T10:00"}, "payload_invalid"),  # no time zone
    ({"to_centers": "all"}, "payload_invalid"),
    ({"extra": 1}, "payload_invalid"),
])
def test_bad_trainings_are_refused_with_a_code_and_change_nothing(client, backed, extra, expected):
    yokohama, nishiku, _chigasaki = backed
    refused = open_training(client, yokohama, **extra)
    assert (refused.status_code, code(refused)) == (422, expected)
    assert not Training.objects.exists() and feed(nishiku, wire.TRAINING_KIND) == []


def test_seats_are_taken_within_the_capacity_and_before_the_deadline(client, backed):
    yokohama, nishiku, _chigasaki = backed
    uuid_ = open_training(client, yokohama, capacity_per_center=3, capacity_total=2).json()["uuid"]
    over = register(client, nishiku, uuid_, 4)
    assert (over.status_code, code(over)) == (409, "over_center_capacity")
    full = register(client, nishiku, uuid_, 3)
    assert (full.status_code, code(full)) == (409, "training_full")
    assert not TrainingRegistration.objects.exists()
    taken = register(client, nishiku, uuid_, 2, note="1名は途中参加")
    assert taken.status_code == 200 and taken.json()["seats"] == 2
    (reported,) = feed(yokohama, wire.REGISTRATION_KIND)
    assert (reported["seats"], reported["note"], reported["center"]) == (2, "1名は途中参加", str(nishiku.center))
    assert feed(nishiku, wire.TRAINING_KIND)[-1]["seats_taken"] == 2
    assert register(client, nishiku, uuid_, 1).json()["seats"] == 1  # changed
    assert register(client, nishiku, uuid_, 0).json()["seats"] == 0  # cancelled
    assert [p["seats"] for p in feed(yokohama, wire.REGISTRATION_KIND)] == [2, 1, 0]
    bad = register(client, nishiku, uuid_, -1)
    assert (bad.status_code, code(bad)) == (422, "payload_invalid")
    Training.objects.filter(uuid=uuid_).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    late = register(client, nishiku, uuid_, 1)
    assert (late.status_code, code(late)) == (409, "deadline_passed")
    assert TrainingRegistration.objects.get().seats == 0


def test_attendance_after_the_event_flows_to_the_registering_node_forward_only(client, backed, coordinator):  # noqa: F811
    yokohama, nishiku, chigasaki = backed
    uuid_ = open_training(client, yokohama).json()["uuid"]
    assert register(client, nishiku, uuid_, 2).status_code == 200
    path = f"/sync/v1/trainings/{uuid_}/attendance"
    early = post(yokohama, client, path, {"attendance": [{"center": str(nishiku.center), "attended": 2}]})
    assert (early.status_code, code(early)) == (409, "not_yet_held")
    _past(uuid_)
    for rows, status, expected in (
            ([{"center": str(nishiku.center), "attended": 3}], 409, "over_seats"),
            ([{"center": str(chigasaki.center), "attended": 1}], 404, "not_registered"),
            ([], 422, "payload_invalid")):
        refused = post(yokohama, client, path, {"attendance": rows})
        assert (refused.status_code, code(refused)) == (status, expected)
    stranger = post(nishiku, client, path, {"attendance": [{"center": str(nishiku.center), "attended": 2}]})
    assert (stranger.status_code, code(stranger)) == (404, "not_found")  # only the organizer counts
    assert TrainingRegistration.objects.get().attended is None
    done = post(yokohama, client, path, {"attendance": [{"center": str(nishiku.center), "attended": 2}]})
    assert done.status_code == 200 and done.json()["status"] == "held"
    assert feed(nishiku, wire.ATTENDANCE_KIND) == [{"training": uuid_, "center": str(nishiku.center), "attended": 2}]
    assert feed(chigasaki, wire.ATTENDANCE_KIND) == []
    back = post(yokohama, client, f"/sync/v1/trainings/{uuid_}/status", {"status": "cancelled"})
    assert (back.status_code, code(back)) == (409, "status_backwards")
    assert Training.objects.get().status == "held"

    (row,) = [r for r in training_counts_by_month() if r.registered]
    assert (row.registered, row.seats, row.attended) == (1, 2, 2)
    assert [r.opened for r in training_counts_by_month() if r.opened] == [1]
    assert client.get("/network/trainings/").status_code == 302  # login first
    client.force_login(coordinator)
    page = client.get("/network/trainings/").content.decode()
    assert "センター間の研修・情報共有会議（センター・月ごと）" in page
    assert "nishikuセンター" in page and "yokohamaセンター" in page


def test_materials_are_checked_and_reach_registered_nodes_only(client, backed):
    yokohama, nishiku, chigasaki = backed
    uuid_ = open_training(client, yokohama).json()["uuid"]
    path = f"/sync/v1/trainings/{uuid_}/materials"

    def material(**extra):
        return post(yokohama, client, path, {"uuid": str(uuid.uuid4()), "title": "研修資料", "description": "",
                                             "filename": "slides.pdf", "content": base64.b64encode(PDF).decode(),
                                             "link": "", "no_personal_data": True, **extra})

    for extra, expected in (({"filename": "slides.exe"}, "material_type"),
                            ({"content": base64.b64encode(b"MZ not a pdf").decode()}, "material_type"),
                            ({"no_personal_data": False}, "payload_invalid"),
                            ({"link": "https://example.jp/a"}, "payload_invalid"),
                            ({"content": "***"}, "payload_invalid"),
                            ({"content": base64.b64encode(b"%PDF-" + b"0" * wire.MAX_MATERIAL_BYTES).decode()},
                             "material_too_large")):
        refused = material(**extra)
        assert code(refused) == expected, extra
    linked = material(filename="", content=None, link="http://example.jp/a")
    assert code(linked) == "payload_invalid"
    assert not TrainingMaterial.objects.exists()
    created = material()
    assert created.status_code == 201
    assert material(filename="", content=None, link="https://example.jp/slides").status_code == 201
    shown = feed(nishiku, wire.TRAINING_KIND)[-1]["materials"]
    assert [m["filename"] for m in shown] == ["slides.pdf", ""] and "content" not in shown[0]
    file_path = f"/sync/v1/trainings/{uuid_}/materials/{created.json()['uuid']}"
    assert code(nishiku.get(client, file_path)) == "not_found"  # invited, but no seats yet
    assert register(client, nishiku, uuid_, 1).status_code == 200
    fetched = nishiku.get(client, file_path)
    assert fetched.status_code == 200 and base64.b64decode(fetched.json()["content"]) == PDF
    assert fetched.json()["content_type"] == "application/pdf"
    assert code(chigasaki.get(client, file_path)) == "not_found"
