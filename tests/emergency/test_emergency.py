"""Emergency mode on a node: declarations from the feed (idempotent by version), coverage by the
centers' municipalities, drills apart from real disasters, center status into the outbox as
disaster traffic, the banner and dashboard, fast sync only while covered."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from emergency import selectors, services, tasks
from emergency.models import CenterStatusReport, DisasterDeclaration
from permissions.models import AuditEvent, Role
from sync import client as sync_client
from sync.disaster import center_status_uuid
from sync.keys import _pair
from sync.models import FeedItem, OutboxEntry, Priority
from sync.signing import new_key_pair
from tests import factories as f


@pytest.fixture
def centers(db):
    chigasaki = f.center("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")
    odawara = f.center("小田原市市民活動交流センター UMECO", "142069", "小田原市")
    return chigasaki, odawara, f.member("staff_a", chigasaki, Role.CENTER_STAFF), f.member(
        "staff_b", odawara, Role.CENTER_STAFF)


def payload(*, declaration_uuid=None, version=1, codes=("142077",), whole=False, exercise=False, phase="initial",
            closed=False, name="神奈川県西部地震") -> dict:
    started = timezone.now() - dt.timedelta(hours=1)
    return {"uuid": str(declaration_uuid or uuid.uuid4()), "name": name, "hazard": "earthquake",
            "municipalities": list(codes), "whole_prefecture": whole, "prefecture": "14", "phase": phase,
            "exercise": exercise, "started_at": started.isoformat(),
            "closed_at": timezone.now().isoformat() if closed else None, "version": version}


_seq = iter(range(1, 10_000))


def receive(body: dict) -> DisasterDeclaration | None:
    return services.declaration_receive(payload=body, feed_seq=next(_seq))


def test_pull_mirrors_a_declaration_and_redelivery_changes_nothing(centers):
    body = payload()
    feed = {"entries": [{"seq": 7, "kind": "disaster_declaration", "payload": body,
                         "published_at": timezone.now().isoformat()},
                        {"seq": 8, "kind": "disaster_declaration", "payload": {"uuid": "not a declaration"},
                         "published_at": timezone.now().isoformat()}]}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=feed if "after=0" in str(request.url)
                                                                    else {"entries": []}))
    hub = sync_client.HubClient(base_url="http://hub.test", key=_pair(new_key_pair()[0]), transport=transport)
    assert sync_client.pull(client=hub) == 2
    declaration = DisasterDeclaration.objects.get()
    assert (str(declaration.uuid), declaration.version, declaration.feed_seq) == (body["uuid"], 1, 7)
    # A bad entry is kept as received and skipped; it does not block the feed behind it.
    assert FeedItem.objects.count() == 2
    assert receive(body) is None and DisasterDeclaration.objects.count() == 1


def test_only_a_newer_version_changes_the_mirror(centers):
    first = receive(payload(version=2, phase="support"))
    assert receive({**payload(version=1), "uuid": str(first.uuid)}) is None
    first.refresh_from_db()
    assert (first.version, first.phase) == (2, "support")
    assert receive({**payload(version=3, phase="withdrawal"), "uuid": str(first.uuid)}).phase == "withdrawal"
    assert AuditEvent.objects.filter(action="emergency.declaration_receive").count() == 2


@pytest.mark.parametrize("change", [{"hazard": "meteor"}, {"municipalities": ["142078"]}, {"version": 0},
                                    {"started_at": "2026-01-01T00:00:00"}, {"exercise": "no"}, {"declared_by": 7},
                                    {"declared_by": "み" * 201}])
def test_a_payload_the_node_cannot_understand_is_refused(centers, change):
    with pytest.raises(ValueError):
        receive({**payload(), **change})
    assert not DisasterDeclaration.objects.exists()


def test_the_declaring_party_is_the_hubs_operator_as_the_hub_names_it(centers, client):
    minkana = "災害復興暮らし応援・みんなのネットワークかながわ（みんかな）"
    declaration = receive({**payload(), "declared_by": minkana})
    assert declaration.declared_by == minkana
    client.force_login(centers[2])
    assert f'<dd class="declared-by">{minkana}</dd>' in client.get("/emergency/").content.decode()
    receive({**payload(version=2, closed=True), "uuid": str(declaration.uuid), "declared_by": minkana})
    assert f"宣言：{minkana}" in client.get("/emergency/").content.decode()  # under 最近終了した宣言
    assert receive(payload(name="旧いハブからの宣言")).declared_by == ""  # an older hub sends no declaring party


def test_a_declaration_switches_only_the_centers_it_covers(centers):
    chigasaki, odawara, *_ = centers
    receive(payload(codes=["142077"]))
    assert selectors.emergency_state().real_emergency
    assert [c.name for c in selectors.emergency_state().real[0].centers] == [chigasaki.name]
    assert not selectors.emergency_state(centers=[odawara]).active  # a node with only 小田原 stays normal
    receive(payload(codes=[], whole=True))
    assert selectors.emergency_state(centers=[odawara]).real_emergency


def test_a_drill_is_never_a_real_emergency_and_both_show_apart(centers, client):
    staff_a = centers[2]
    drill = receive(payload(exercise=True, name="防災訓練"))
    state = selectors.emergency_state()
    assert state.active and not state.real_emergency and state.exercise[0].declaration == drill
    client.force_login(staff_a)
    page = client.get("/emergency/").content.decode()
    assert 'data-exercise="1"' in page and "訓練" in page and 'data-exercise="0"' not in page
    real = receive(payload(name="神奈川県西部地震"))
    page = client.get("/emergency/").content.decode()
    assert page.index(f'data-declaration="{real.uuid}" data-exercise="0"') < page.index(
        f'data-declaration="{drill.uuid}" data-exercise="1"')


def test_closing_returns_the_node_to_normal(centers, client):
    declaration = receive(payload())
    client.force_login(centers[2])
    assert "災害対応中" in client.get("/emergency/").content.decode()
    receive({**payload(version=2, closed=True), "uuid": str(declaration.uuid)})
    assert not selectors.emergency_state().active
    page = client.get("/emergency/").content.decode()
    assert "災害対応中" not in page and "通常の運用" in page


def test_a_center_status_enters_the_outbox_as_disaster_traffic(centers, django_capture_on_commit_callbacks,
                                                               monkeypatch, settings):
    chigasaki, _odawara, staff_a, _staff_b = centers
    declaration = receive(payload())
    settings.KYODO_HUB_URL = "http://hub.test"
    queued = []
    monkeypatch.setattr("sync.tasks.sync_push.apply_async", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.center_status_report(acting_user=staff_a, center=chigasaki, declaration=declaration,
                                               status="partial", note="1階のみ利用可")
    assert report.uuid == center_status_uuid(center_uuid=chigasaki.uuid, declaration_uuid=declaration.uuid)
    entry = OutboxEntry.objects.get(entity_type="center_status")
    assert entry.priority == Priority.DISASTER and entry.entity_uuid == report.uuid and entry.version == 1
    assert entry.payload == {"center": str(chigasaki.uuid), "declaration": str(declaration.uuid),
                             "status": "partial", "as_of": report.as_of.isoformat(), "note": "1階のみ利用可"}
    assert {"queue": "disaster", "countdown": 0} in queued  # at once, ahead of any bulk catch-up
    services.center_status_report(acting_user=staff_a, center=chigasaki, declaration=declaration, status="normal")
    assert list(OutboxEntry.objects.filter(entity_type="center_status").order_by("id")
                .values_list("version", "payload__status")) == [(1, "partial"), (2, "normal")]
    assert CenterStatusReport.objects.get().version == 2


def test_a_center_status_is_refused_when_it_should_not_leave(centers):
    chigasaki, odawara, staff_a, staff_b = centers
    declaration = receive(payload(codes=["142077"]))

    def report(**values):
        return services.center_status_report(**{"acting_user": staff_a, "center": chigasaki,
                                                "declaration": declaration, "status": "closed", **values})

    with pytest.raises(PermissionDenied):
        report(acting_user=staff_b)  # another center's staff
    with pytest.raises(ValidationError) as caught:
        report(acting_user=staff_b, center=odawara)
    assert caught.value.error_list[0].code == "not_covered"
    with pytest.raises(ValidationError) as caught:
        report(note="連絡は 0467-00-1234 まで")
    assert caught.value.error_dict["note"][0].code == "contact_in_note"
    with pytest.raises(ValidationError) as caught:
        report(status="no_response")
    assert caught.value.error_dict["status"][0].code == "invalid_choice"
    receive({**payload(version=2, closed=True), "uuid": str(declaration.uuid)})
    with pytest.raises(ValidationError) as caught:
        report()
    assert caught.value.error_list[0].code == "declaration_closed"
    assert not OutboxEntry.objects.filter(entity_type="center_status").exists()


def test_staff_report_from_the_dashboard(centers, client):
    chigasaki, _odawara, staff_a, staff_b = centers
    declaration = receive(payload())
    client.force_login(staff_a)
    page = client.get("/emergency/").content.decode()
    assert "未報告" in page and "いまの状況を報告" in page
    url = f"/emergency/{declaration.uuid}/centers/{chigasaki.uuid}/status/"
    response = client.post(url, {"status": "closed", "note": "メール a@example.jp"})
    assert response.status_code == 400 and "メールアドレス" in response.content.decode()
    assert client.post(url, {"status": "closed", "note": "停電のため閉鎖"}).status_code == 302
    assert "停電のため閉鎖" in client.get("/emergency/").content.decode()
    client.force_login(staff_b)
    assert client.post(url, {"status": "normal"}).status_code == 404  # not their center
    assert CenterStatusReport.objects.get().status == "closed"


def test_fast_sync_runs_only_while_covered(centers, monkeypatch, settings):
    settings.KYODO_HUB_URL = "http://hub.test"
    pulls = []
    monkeypatch.setattr(sync_client, "pull", lambda **kwargs: pulls.append(1) or 0)
    assert tasks.emergency_sync() == "normal" and not pulls
    receive(payload(exercise=True))
    assert tasks.emergency_sync().startswith("emergency") and pulls == [1]


def test_the_fast_tick_is_on_the_beat_schedule_and_the_disaster_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["emergency-sync"]
    assert entry["task"] == "emergency.tasks.emergency_sync" and entry["options"]["queue"] == "disaster"
    assert entry["schedule"] < settings.SYNC_INTERVAL_SECONDS
