"""Disaster declarations at the hub (みんかな): declare, move forward, close; the feed to every node;
center status reports through signed batches; the board with 応答なし."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from hub.models import CenterStatusCopy, DisasterDeclaration, FeedEntry
from hub.selectors.disasters import CENTER_STATUS_STALE_HOURS, covered_centers, disaster_board
from hub.services.disasters import disaster_close, disaster_declare, disaster_update
from permissions.models import AuditEvent, OrganizationKind, Role
from permissions.services import membership_grant, organization_create
from sync.disaster import FEED_KIND, center_status_uuid
from sync.outbox import payload_digest

from . import payloads
from .test_receiver import FakeNode


@pytest.fixture
def people(db):
    prefecture = organization_create(acting_user=None, name="神奈川県", kind=OrganizationKind.PREFECTURE,
                                     municipality_code="140007")
    users = get_user_model().objects
    admin = users.create_user("hub-admin", password="x" * 12)
    coordinator = users.create_user("coordinator", password="x" * 12)
    membership_grant(acting_user=None, user=admin, organization=prefecture, role=Role.HUB_ADMIN)
    membership_grant(acting_user=None, user=coordinator, organization=prefecture, role=Role.COORDINATOR)
    return admin, coordinator


@pytest.fixture
def nodes(db, client):
    chigasaki, odawara = FakeNode("chigasaki", "142077"), FakeNode("odawara", "142069")
    for node in (chigasaki, odawara):
        assert node.send(client, [node.profile()]).status_code == 200
    return chigasaki, odawara


def declare(admin, **extra):
    values = {"name": "神奈川県西部地震", "hazard": "earthquake", "municipality_codes": ["142077"]}
    return disaster_declare(acting_user=admin, **{**values, **extra})


def error_codes(error: ValidationError) -> dict:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_a_declaration_goes_to_every_node_through_the_feed_with_an_audit_row(people):
    admin = people[0]
    declaration = declare(admin, municipality_codes=["142077", "142069", "142077"])
    assert declaration.municipality_codes == ["142069", "142077"] and declaration.phase == "initial"
    entry = FeedEntry.objects.get(kind=FEED_KIND)
    assert entry.node is None  # every node: each decides whether it is covered
    assert entry.payload == {
        "uuid": str(declaration.uuid), "name": "神奈川県西部地震", "hazard": "earthquake",
        "municipalities": ["142069", "142077"], "whole_prefecture": False, "prefecture": "14", "phase": "initial",
        "exercise": False, "started_at": declaration.started_at.isoformat(), "closed_at": None, "version": 1,
        "declared_by": ""}  # this hub recorded no operator
    audit = AuditEvent.objects.get(action="hub.disaster_declare")
    assert audit.actor == admin and audit.target_uuid == declaration.uuid


@pytest.mark.parametrize(("codes", "whole", "expected"), [
    (["142078"], False, "invalid_check_digit"),  # 茅ヶ崎市 is 142077
    (["131016"], False, "outside_prefecture"),  # 千代田区: not Kanagawa
    ([], False, "no_area"),
])
def test_a_declaration_with_a_bad_area_is_refused_and_nothing_is_sent(people, codes, whole, expected):
    with pytest.raises(ValidationError) as caught:
        declare(people[0], municipality_codes=codes, whole_prefecture=whole)
    assert error_codes(caught.value) == {"municipality_codes": [expected]}
    assert not DisasterDeclaration.objects.exists() and not FeedEntry.objects.exists()


def test_whole_prefecture_needs_no_codes_and_covers_every_center(people, nodes):
    declaration = declare(people[0], municipality_codes=[], whole_prefecture=True)
    assert declaration.municipality_codes == []
    assert {c.node.slug for c in covered_centers(declaration)} == {"chigasaki", "odawara"}
    assert {c.node.slug for c in covered_centers(declare(people[0]))} == {"chigasaki"}


def test_phases_only_move_forward_and_each_change_is_a_new_version(people):
    admin = people[0]
    declaration = declare(admin)
    values = {"name": declaration.name, "hazard": "earthquake", "municipality_codes": ["142077"],
              "whole_prefecture": False}
    declaration = disaster_update(acting_user=admin, declaration=declaration, phase="support", **values)
    assert (declaration.phase, declaration.version) == ("support", 2)
    with pytest.raises(ValidationError) as caught:
        disaster_update(acting_user=admin, declaration=declaration, phase="preparation", **values)
    assert error_codes(caught.value) == {"phase": ["phase_backwards"]}
    # The database holds the rule too, whoever writes.
    with pytest.raises(DatabaseError), transaction.atomic():
        DisasterDeclaration.objects.filter(pk=declaration.pk).update(phase="initial", version=99)
    with pytest.raises(DatabaseError), transaction.atomic():
        DisasterDeclaration.objects.filter(pk=declaration.pk).update(exercise=True, version=99)
    assert [e.payload["phase"] for e in FeedEntry.objects.order_by("seq")] == ["initial", "support"]


def test_closing_is_sent_and_final(people):
    admin = people[0]
    declaration = disaster_close(acting_user=admin, declaration=declare(admin))
    last = FeedEntry.objects.order_by("-seq").first()
    assert last.payload["closed_at"] == declaration.closed_at.isoformat() and last.payload["version"] == 2
    with pytest.raises(ValidationError) as caught:
        disaster_close(acting_user=admin, declaration=declaration)
    assert caught.value.error_list[0].code == "already_closed"
    with pytest.raises(ValidationError) as caught:
        disaster_update(acting_user=admin, declaration=declaration, name="x", hazard="earthquake",
                                 municipality_codes=["142077"], whole_prefecture=False, phase="withdrawal")
    assert caught.value.error_list[0].code == "closed"
    with pytest.raises(DatabaseError), transaction.atomic():
        DisasterDeclaration.objects.filter(pk=declaration.pk).update(closed_at=None, version=99)
    assert list(AuditEvent.objects.filter(action__startswith="hub.disaster_").values_list("action", flat=True)
                .order_by("id")) == ["hub.disaster_declare", "hub.disaster_close"]


def test_the_feed_endpoint_delivers_a_declaration_to_every_node(people, nodes, client):
    declaration = declare(people[0])
    for node in nodes:
        entries = node.get(client, "/sync/v1/feed?after=0").json()["entries"]
        assert [(e["kind"], e["payload"]["uuid"]) for e in entries] == [(FEED_KIND, str(declaration.uuid))]


def status_entry(node: FakeNode, declaration, *, status="partial", as_of=None, version=1, note="", **extra):
    payload = payloads.center_status(node.center, declaration.uuid, **{
        "status": status, "as_of": (as_of or timezone.now()).isoformat(), "note": note, **extra})
    return node.entry("center_status", payload, version=version,
                      entity_uuid=center_status_uuid(center_uuid=node.center, declaration_uuid=declaration.uuid))


def test_a_center_status_reaches_the_board_and_the_newest_version_wins(people, nodes, client):
    chigasaki, odawara = nodes
    declaration = declare(people[0], whole_prefecture=True, municipality_codes=[])
    early = timezone.now() - dt.timedelta(minutes=30)
    response = chigasaki.send(client, [status_entry(chigasaki, declaration, status="closed", as_of=early, version=1,
                                                    note="建物点検中")])
    assert response.status_code == 200, response.content
    response = chigasaki.send(client, [status_entry(chigasaki, declaration, status="partial", version=2),
                                       status_entry(chigasaki, declaration, status="normal", version=1)])
    assert response.json()["applied"] == 1
    copy = CenterStatusCopy.objects.get()
    assert (copy.status, copy.version, copy.note) == ("partial", 2, "")
    board = disaster_board(declaration)
    by_node = {row.center.node.slug: row for row in board.rows}
    assert by_node["chigasaki"].status == "partial" and by_node["chigasaki"].label == "一部機能"
    assert by_node["odawara"].status is None and by_node["odawara"].label == "応答なし"
    assert board.counts == {"normal": 0, "partial": 1, "closed": 0, "no_response": 1}


def test_a_report_older_than_the_freshness_limit_shows_as_no_response(people, nodes, client):
    chigasaki = nodes[0]
    declaration = declare(people[0])
    old = timezone.now() - dt.timedelta(hours=CENTER_STATUS_STALE_HOURS + 1)
    chigasaki.send(client, [status_entry(chigasaki, declaration, status="normal", as_of=old)])
    row = disaster_board(declaration).rows[0]
    assert (row.status, row.stale, row.reported_status, row.label) == (None, True, "normal", "応答なし")


@pytest.mark.parametrize(("change", "field"), [
    ({"status": "no_response"}, "status"),  # derived on the hub, never reported
    ({"status": "燃えている"}, "status"),
    ({"note": "x" * 501}, "note"),
    ({"as_of": "2026-01-01T00:00:00"}, "as_of"),  # no time zone
    ({"declaration": str(uuid.uuid4())}, "declaration"),  # not a declaration of this hub
])
def test_a_bad_center_status_rejects_the_whole_batch(people, nodes, client, change, field):
    chigasaki = nodes[0]
    declaration = declare(people[0])
    entry = status_entry(chigasaki, declaration)
    entry["payload"].update(change)
    entry["sha256"] = payload_digest(entry["payload"])
    response = chigasaki.send(client, [entry])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "payload_invalid" and field in response.json()["error"]["message"]
    assert not CenterStatusCopy.objects.exists()


def test_a_center_status_with_a_field_the_hub_has_no_place_for_is_refused(people, nodes, client):
    chigasaki = nodes[0]
    entry = status_entry(chigasaki, declare(people[0]), contact_phone="0467-00-0000")
    response = chigasaki.send(client, [entry])
    assert response.status_code == 422 and "contact_phone" in response.json()["error"]["message"]


def test_a_node_cannot_report_the_status_of_another_nodes_center(people, nodes, client):
    chigasaki, odawara = nodes
    entry = status_entry(odawara, declare(people[0]))
    entry["payload"]["center"] = str(chigasaki.center)
    entry["sha256"] = payload_digest(entry["payload"])
    response = odawara.send(client, [entry])
    assert response.status_code == 403 and response.json()["error"]["code"] == "outside_partition"


def test_only_a_manager_declares_and_coordinators_see_the_board_and_the_banner(people, nodes, client):
    admin, coordinator = people
    client.force_login(coordinator)
    assert client.get("/disasters/new/").status_code == 403
    assert client.post("/disasters/new/", {"name": "x", "hazard": "earthquake",
                                           "municipality_codes": "142077"}).status_code == 403
    client.force_login(admin)
    response = client.post("/disasters/new/", {"name": "台風第19号", "hazard": "storm_flood",
                                               "municipality_codes": "142077、142078"})
    assert response.status_code == 400 and "142078" in response.content.decode()  # the bad check digit is named
    response = client.post("/disasters/new/", {"name": "防災訓練", "hazard": "earthquake", "exercise": "on",
                                               "municipality_codes": "142077 142069"})
    drill = DisasterDeclaration.objects.get()
    assert response.status_code == 302 and drill.exercise
    real = declare(admin, name="神奈川県西部地震")
    client.force_login(coordinator)
    page = client.get(f"/disasters/{drill.uuid}/").content.decode()
    assert "防災訓練" in page and "応答なし" in page and "宣言を終了" not in page
    home = client.get("/").content.decode()
    # Two banners, never one: the real disaster in red first, the drill striped and labelled 訓練.
    assert home.index(f'data-declaration="{real.uuid}" data-exercise="0"') < home.index(
        f'data-declaration="{drill.uuid}" data-exercise="1"')
    client.force_login(admin)
    assert client.post(f"/disasters/{drill.uuid}/edit/", {
        "name": "防災訓練", "hazard": "earthquake", "municipality_codes": "142077", "phase": "support"}).status_code == 302
    assert client.post(f"/disasters/{drill.uuid}/edit/", {
        "name": "防災訓練", "hazard": "earthquake", "municipality_codes": "142077", "phase": "initial"}).status_code == 400
    assert client.post(f"/disasters/{drill.uuid}/close/").status_code == 302
    drill.refresh_from_db()
    assert drill.closed_at is not None and drill.phase == "support"
    assert f'data-declaration="{drill.uuid}"' not in client.get("/").content.decode()
