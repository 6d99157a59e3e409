"""The coordinators' board (みんかな): needs and offers from the nodes through signed batches (strict
validation, partition, forward-only statuses), commitments written by the hub and reported by the
committing node, expiry, the area × sector matrix, 第N報 numbering and the CSV / JSON / HXL exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hub.models import (
    CommitmentReportCopy,
    DisasterDeclaration,
    DisasterNeedCopy,
    DisasterOfferCopy,
    FeedEntry,
)
from hub.selectors.disasters import disaster_coordination
from hub.services.disasters import disaster_commit
from sync import disaster
from sync.outbox import payload_digest
from sync.wire.disaster import COMMITMENT_FEED_KEYS

from . import payloads
from .test_disaster import declare, nodes, people  # noqa: F401  (fixtures)

HXL_TAGS = ["#org+name", "#org+type+name", "#sector", "#activity", "#status", "#adm1+code+v_jisx0402",
            "#adm2+code+v_jisx0402", "#loc+name", "#date+start", "#date+end", "#date+reported", "#inneed+ind",
            "#reached+ind", "#meta+id"]


def need_entry(node, declaration, *, entity_uuid=None, version=1, status="open", confirmed=None, hours=24, **extra):
    confirmed = confirmed or timezone.now()
    payload = payloads.need(node.center, declaration.uuid, **{
        "status": status, "last_confirmed_at": confirmed.isoformat(),
        "expires_at": (confirmed + dt.timedelta(hours=hours)).isoformat(), **extra})
    return node.entry("disaster_need", payload, version=version, entity_uuid=entity_uuid)


def offer_entry(node, declaration, *, entity_uuid=None, **extra):
    payload = payloads.disaster_offer(node.center, declaration.uuid, **{
        "valid_until": (timezone.now() + dt.timedelta(days=3)).isoformat(), "created_at": timezone.now().isoformat(),
        **extra})
    return node.entry("disaster_offer", payload, entity_uuid=entity_uuid)


def report_entry(node, declaration, commitment, *, status="acknowledged", delivered=0, reached=0, version=1):
    payload = payloads.commitment_report(node.center, declaration.uuid, commitment.uuid, status=status,
                                         delivered=delivered, reached=reached, reported_at=timezone.now().isoformat())
    return node.entry("commitment_report", payload, version=version,
                      entity_uuid=disaster.commitment_report_uuid(commitment.uuid))


@pytest.fixture
def board(people, nodes, client):  # noqa: F811
    """A whole-prefecture declaration, a need at 茅ヶ崎 and an offer from a 小田原 group."""
    chigasaki, odawara = nodes
    declaration = declare(people[0], whole_prefecture=True, municipality_codes=[])
    assert chigasaki.send(client, [need_entry(chigasaki, declaration)]).status_code == 200
    assert odawara.send(client, [offer_entry(odawara, declaration)]).status_code == 200
    return declaration, DisasterNeedCopy.objects.get(), DisasterOfferCopy.objects.get()


def test_a_need_and_an_offer_reach_the_board_by_area_and_sector(board):
    declaration, need, offer = board
    assert (need.requested, need.sector, need.status, need.center.node.slug) == (300, "food", "open", "chigasaki")
    data = disaster_coordination(declaration)
    [cell] = data.matrix
    assert (cell.municipality_code, cell.sector_label, cell.requested, cell.offered, cell.committed, cell.delivered,
            cell.signal) == ("142077", "食料", 300, 14, 0, 0, "short")
    assert data.needs[0].label == "受付中" and data.open_offers == [offer]


@pytest.mark.parametrize(("change", "field"), [
    ({"sector": "fire"}, "sector"),
    ({"lines": [{"kind": "item", "description": "水", "quantity": 0, "unit": "本"}]}, "lines"),
    ({"lines": [{"kind": "item", "description": "水", "quantity": 5, "unit": "本", "for": "山田さん"}]}, "lines"),
    ({"lines": []}, "lines"),
    ({"municipality_code": "131016"}, "municipality_code"),  # 千代田区: not this prefecture
    ({"municipality_code": "142078"}, "municipality_code"),  # bad check digit
    ({"status": "delivered"}, "status"),
    ({"priority": "urgent"}, "priority"),
    ({"expires_at": "2020-01-01T00:00:00+09:00"}, "expires_at"),
    ({"declaration": str(uuid.uuid4())}, "declaration"),
])
def test_a_bad_need_rejects_the_whole_batch(people, nodes, client, change, field):  # noqa: F811
    chigasaki = nodes[0]
    entry = need_entry(chigasaki, declare(people[0]))
    entry["payload"].update(change)
    entry["sha256"] = payload_digest(entry["payload"])
    response = chigasaki.send(client, [entry])
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "payload_invalid" and field in response.json()["error"]["message"]
    assert not DisasterNeedCopy.objects.exists()


def test_needs_and_offers_with_fields_the_hub_has_no_place_for_are_refused(people, nodes, client):  # noqa: F811
    chigasaki, odawara = nodes
    declaration = declare(people[0])
    response = chigasaki.send(client, [need_entry(chigasaki, declaration, requester_name="山田太郎")])
    assert response.status_code == 422 and "requester_name" in response.json()["error"]["message"]
    response = odawara.send(client, [offer_entry(odawara, declaration, contact_phone="0465-00-0000")])
    assert response.status_code == 422 and "contact_phone" in response.json()["error"]["message"]


def test_a_node_cannot_send_or_change_another_nodes_needs(board, nodes, client):  # noqa: F811
    declaration, need, _offer = board
    chigasaki, odawara = nodes
    forged = need_entry(odawara, declaration)
    forged["payload"]["center"] = str(chigasaki.center)
    forged["sha256"] = payload_digest(forged["payload"])
    response = odawara.send(client, [forged])
    assert response.status_code == 403 and response.json()["error"]["code"] == "outside_partition"
    odawara.seq -= 1  # the refused batch applied nothing: its seq is sent again
    # Its own center, another node's record uuid: a separate copy, never the other node's row.
    assert odawara.send(client, [need_entry(odawara, declaration, entity_uuid=need.entity_uuid, version=5,
                                            status="withdrawn")]).status_code == 200
    need.refresh_from_db()
    assert (need.status, need.version) == ("open", 1)


def test_need_statuses_only_move_forward(board, nodes, client):  # noqa: F811
    declaration, need, _offer = board
    chigasaki = nodes[0]
    assert chigasaki.send(client, [need_entry(chigasaki, declaration, entity_uuid=need.entity_uuid, version=2,
                                              status="met")]).status_code == 200
    response = chigasaki.send(client, [need_entry(chigasaki, declaration, entity_uuid=need.entity_uuid, version=3,
                                                  status="open")])
    assert response.status_code == 409 and response.json()["error"]["code"] == "status_backwards"
    with pytest.raises(DatabaseError), transaction.atomic():
        DisasterNeedCopy.objects.filter(pk=need.pk).update(status="partly_met")
    need.refresh_from_db()
    assert need.status == "met"


def test_a_need_past_its_expiry_shows_expired_and_cannot_be_committed(people, nodes, client):  # noqa: F811
    chigasaki, odawara = nodes
    declaration = declare(people[0], whole_prefecture=True, municipality_codes=[])
    stale = timezone.now() - dt.timedelta(hours=30)
    chigasaki.send(client, [need_entry(chigasaki, declaration, confirmed=stale, hours=24)])
    odawara.send(client, [offer_entry(odawara, declaration)])
    data = disaster_coordination(declaration)
    assert [row.status for row in data.needs] == ["expired"] and data.live_needs == []
    assert [c.requested for c in data.matrix] == [0]  # the offer remains; the expired need asks for nothing
    with pytest.raises(ValidationError) as caught:
        disaster_commit(acting_user=people[0], need=DisasterNeedCopy.objects.get(), quantity=1,
                                 offer=DisasterOfferCopy.objects.get())
    assert caught.value.error_list[0].code == "need_not_live"


def test_a_commitment_goes_to_the_committing_node_only_and_its_report_comes_back(board, people, nodes, client):  # noqa: F811
    declaration, need, offer = board
    chigasaki, odawara = nodes
    commitment = disaster_commit(acting_user=people[0], need=need, offer=offer, quantity=100,
                                          instructions="14時に第一避難所")
    entry = FeedEntry.objects.get(kind=disaster.COMMITMENT_KIND)
    assert entry.node == odawara.node and commitment.center.node == odawara.node
    assert set(entry.payload) == COMMITMENT_FEED_KEYS
    assert (entry.payload["need"], entry.payload["offer"], entry.payload["quantity"]) == (
        str(need.entity_uuid), str(offer.entity_uuid), 100)
    assert [e["kind"] for e in chigasaki.get(client, "/sync/v1/feed?after=0").json()["entries"]] == [
        disaster.FEED_KIND]  # the need's node does not receive the commitment
    # The need's node cannot report on a commitment addressed to another center.
    response = chigasaki.send(client, [report_entry(chigasaki, declaration, commitment)])
    assert response.status_code == 403 and response.json()["error"]["code"] == "outside_partition"
    assert not CommitmentReportCopy.objects.exists()
    assert odawara.send(client, [report_entry(odawara, declaration, commitment)]).status_code == 200
    assert odawara.send(client, [report_entry(odawara, declaration, commitment, status="delivered", delivered=100,
                                              reached=80, version=2)]).status_code == 200
    response = odawara.send(client, [report_entry(odawara, declaration, commitment, version=3)])
    assert response.status_code == 409 and response.json()["error"]["code"] == "status_backwards"
    with pytest.raises(DatabaseError), transaction.atomic():
        CommitmentReportCopy.objects.update(status="acknowledged")
    data = disaster_coordination(declaration)
    [row] = data.commitments
    assert (row.status, row.label, row.delivered, row.reached) == ("delivered", "提供済み", 100, 80)
    [cell] = data.matrix
    assert (cell.requested, cell.committed, cell.delivered) == (300, 100, 100)
    assert (data.needs[0].committed, data.needs[0].reached) == (100, 80)


def test_only_a_manager_commits_from_the_board(board, people, client):  # noqa: F811
    declaration, need, offer = board
    admin, coordinator = people
    client.force_login(coordinator)
    page = client.get(f"/disasters/{declaration.uuid}/").content.decode()
    assert 'id="need-matrix"' in page and "飲料水" in page and "小田原炊き出しの会" in page
    assert 'class="commit-form"' not in page
    data = {"need": str(need.entity_uuid), "offer": str(offer.entity_uuid), "quantity": "50"}
    assert client.post(f"/disasters/{declaration.uuid}/commit/", data).status_code == 403
    client.force_login(admin)
    assert 'class="commit-form"' in client.get(f"/disasters/{declaration.uuid}/").content.decode()
    assert client.post(f"/disasters/{declaration.uuid}/commit/", data).status_code == 302
    assert client.post(f"/disasters/{declaration.uuid}/commit/", {**data, "quantity": "0"}).status_code == 302
    assert declaration.commitments.count() == 1


def test_a_manager_asks_a_center_directly_when_no_offer_fits(board, people, nodes, client):  # noqa: F811
    declaration, need, _offer = board
    admin, coordinator = people
    chigasaki, odawara = nodes
    url = f"/disasters/{declaration.uuid}/needs/{need.entity_uuid}/"
    client.force_login(coordinator)
    assert 'id="ask-center"' not in client.get(url).content.decode()
    client.force_login(admin)
    page = client.get(url).content.decode()
    form = page.split('id="ask-center"', 1)[1].split("</form>", 1)[0]
    # Every center but the need's own, the covered ones marked.
    assert str(odawara.center) in form and str(chigasaki.center) not in form and "宣言の対象地域" in form
    response = client.post(f"/disasters/{declaration.uuid}/commit/", {
        "need": str(need.entity_uuid), "center": str(odawara.center), "quantity": "40", "back": "need",
        "instructions": "第一避難所へ直接"})
    assert response.status_code == 302 and response["Location"] == url
    commitment = declaration.commitments.get()
    assert commitment.offer_uuid is None and commitment.center.center_uuid == odawara.center
    entry = FeedEntry.objects.get(kind=disaster.COMMITMENT_KIND)
    assert entry.node == odawara.node and entry.payload["offer"] is None and entry.payload["quantity"] == 40
    assert [e["kind"] for e in odawara.get(client, "/sync/v1/feed?after=0").json()["entries"]][-1] == \
        disaster.COMMITMENT_KIND
    # Neither an offer nor a center: refused with a message, nothing written.
    client.post(f"/disasters/{declaration.uuid}/commit/", {"need": str(need.entity_uuid), "quantity": "5"})
    assert declaration.commitments.count() == 1


def test_exports_csv_json_and_hxl_with_the_hashtag_row_under_the_header(board, people, client):  # noqa: F811
    declaration, need, offer = board
    client.force_login(people[1])
    rows = list(csv.reader(io.StringIO(client.get(f"/disasters/{declaration.uuid}/export-hxl.csv")
                                       .content.decode("utf-8-sig"))))
    assert rows[0][0] == "団体・センター" and rows[1] == HXL_TAGS
    by_id = {row[-1]: dict(zip(HXL_TAGS, row, strict=True)) for row in rows[2:]}
    need_row = by_id[str(need.entity_uuid)]
    assert (need_row["#org+name"], need_row["#sector"], need_row["#status"], need_row["#adm1+code+v_jisx0402"],
            need_row["#adm2+code+v_jisx0402"], need_row["#loc+name"], need_row["#inneed+ind"]) == (
        "chigasakiセンター", "food", "open", "140007", "142077", "第一避難所", "300")
    assert by_id[str(offer.entity_uuid)]["#org+name"] == "小田原炊き出しの会"
    plain = list(csv.reader(io.StringIO(client.get(f"/disasters/{declaration.uuid}/export.csv")
                                        .content.decode("utf-8-sig"))))
    assert plain[0] == rows[0] and plain[1] != HXL_TAGS and len(plain) == 3
    body = client.get(f"/disasters/{declaration.uuid}/export.json").json()
    assert body["declaration"]["uuid"] == str(declaration.uuid) and len(body["rows"]) == 2
    assert {row["id"] for row in body["rows"]} == {str(need.entity_uuid), str(offer.entity_uuid)}


def test_each_printed_situation_report_gets_the_next_number(board, people, client):  # noqa: F811
    declaration = board[0]
    client.force_login(people[1])
    assert client.get(f"/disasters/{declaration.uuid}/sitrep/").status_code == 302  # none issued yet
    for _ in range(2):
        assert client.post(f"/disasters/{declaration.uuid}/sitrep/").status_code == 302
    declaration.refresh_from_db()
    assert (declaration.sitrep_number, declaration.version) == (2, 1)  # not a new version for the nodes
    page = client.get(f"/disasters/{declaration.uuid}/sitrep/").content.decode()
    assert "状況報告 第2報" in page and "食料" in page
    assert FeedEntry.objects.filter(kind=disaster.FEED_KIND).count() == 1
    with pytest.raises(DatabaseError), transaction.atomic():
        DisasterDeclaration.objects.filter(pk=declaration.pk).update(sitrep_number=1)


def test_the_board_reads_in_the_same_number_of_queries_however_many_needs_offers_and_commitments(
        board, people, nodes, client):  # noqa: F811
    """Fifty coordinators reload the board during a disaster: its queries must not grow with it."""
    declaration, need, offer = board
    chigasaki, odawara = nodes
    client.force_login(people[0])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/disasters/{declaration.uuid}/").status_code == 200
        return len(captured)

    queries()  # the first page of a session reads what later ones find cached
    few = queries()
    assert chigasaki.send(client, [need_entry(chigasaki, declaration, municipality_code="142077")
                                   for _ in range(6)]).status_code == 200
    assert odawara.send(client, [offer_entry(odawara, declaration) for _ in range(6)]).status_code == 200
    disaster_commit(acting_user=people[0], need=need, offer=offer, quantity=10)
    assert odawara.send(client, [report_entry(odawara, declaration, disaster_commit(
        acting_user=people[0], need=DisasterNeedCopy.objects.exclude(pk=need.pk).first(),
        offer=DisasterOfferCopy.objects.exclude(pk=offer.pk).first(), quantity=5))]).status_code == 200
    assert queries() == few
