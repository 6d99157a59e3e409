"""Matching suggestions on the disaster board: which offers fit a need (sector, another center, open
and valid, area covering the need's municipality), their ranking with Japanese reasons, the board and
the need's page, and a suggestion turned into a commitment."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from hub import disaster_matching
from hub.models import DisasterCommitment, DisasterNeedCopy, DisasterOfferCopy
from hub.services.disasters import disaster_commit

from .test_disaster import declare, nodes, people  # noqa: F401  (fixtures)
from .test_disaster_board import need_entry, offer_entry


def water(quantity: int) -> list[dict]:
    return [{"kind": "item", "description": "飲料水", "quantity": quantity, "unit": "本"}]


@pytest.fixture
def market(people, nodes, client):  # noqa: F811
    """A need at 茅ヶ崎 (飲料水 200本 and 炊き出し 100食) and offers from 小田原 that fit or do not."""
    chigasaki, odawara = nodes
    declaration = declare(people[0], whole_prefecture=True, municipality_codes=[])
    soon = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    offers = {
        "water_shonan": offer_entry(odawara, declaration, group_name="湘南給水ボランティア", supplies=water(300),
                                    volunteers=0, vehicles=0, skills="", area_served="湘南",
                                    municipality_code="142069"),
        "kitchen_prefecture": offer_entry(odawara, declaration, group_name="県域炊き出しネット", skills="炊き出し・調理",
                                          volunteers=12, vehicles=0, area_served="県内全域",
                                          municipality_code="142069"),
        "short_lived": offer_entry(odawara, declaration, group_name="茅ケ崎応援隊", skills="", volunteers=5, vehicles=0,
                                   area_served="茅ケ崎", municipality_code="142069", valid_until=soon),
        "elsewhere": offer_entry(odawara, declaration, group_name="県西部の会", area_served="県西部",
                                 municipality_code="142069"),
        "other_sector": offer_entry(odawara, declaration, group_name="給水の会", sector="wash",
                                    area_served="湘南", municipality_code="142077"),
    }
    assert odawara.send(client, [*offers.values()]).status_code == 200
    need = need_entry(chigasaki, declaration)
    own = offer_entry(chigasaki, declaration, group_name="茅ヶ崎の会", area_served="茅ヶ崎市")
    assert chigasaki.send(client, [need, own]).status_code == 200
    ids = {name: entry["uuid"] for name, entry in offers.items()}
    return declaration, DisasterNeedCopy.objects.get(), ids


def ranked(declaration, need):
    return [(str(s.offer.entity_uuid), s) for s in disaster_matching.disaster_suggestions(declaration)[need.entity_uuid]]


def test_offers_that_fit_are_ranked_with_their_reasons(market):
    declaration, need, ids = market
    suggestions = ranked(declaration, need)
    # Not the other sector, not an area that does not reach 茅ヶ崎, not 茅ヶ崎's own group.
    assert [uuid for uuid, _s in suggestions] == [ids["water_shonan"], ids["kitchen_prefecture"], ids["short_lived"]]
    water_offer, kitchen, short = (s for _uuid, s in suggestions)
    assert water_offer.reasons == ["分野が一致: 食料", "活動地域「湘南」が茅ヶ崎市（湘南地域）を含む", "品目が一致: 飲料水",
                                   "残り300を満たせる規模", "必要な期限まで有効"]
    assert water_offer.quantity == 300
    assert "技能・サービスが一致: 炊き出し" in kitchen.reasons and "ボランティア12人" in kitchen.reasons
    assert "県内全域で活動（県内全域）" in kitchen.reasons and "残り300の一部（12）" in kitchen.reasons
    assert "活動地域「茅ケ崎」に茅ヶ崎市を含む" in short.reasons
    assert any(reason.endswith("で受付終了（期限より前）") for reason in short.reasons)
    assert water_offer.score > kitchen.score > short.score


def test_a_committed_offer_leaves_the_suggestions_and_the_rest_see_what_is_still_open(market, people):  # noqa: F811
    declaration, need, ids = market
    offer = DisasterOfferCopy.objects.get(entity_uuid=ids["kitchen_prefecture"])
    disaster_commit(acting_user=people[0], need=need, offer=offer, quantity=100)
    suggestions = dict(ranked(declaration, need))
    assert ids["kitchen_prefecture"] not in suggestions
    assert "残り200を満たせる規模" in suggestions[ids["water_shonan"]].reasons
    assert suggestions[ids["water_shonan"]].quantity == 200


def test_a_need_no_longer_open_gets_no_suggestions(market, nodes, client):  # noqa: F811
    declaration, need, _ids = market
    chigasaki = nodes[0]
    assert chigasaki.send(client, [need_entry(chigasaki, declaration, entity_uuid=need.entity_uuid, version=2,
                                              status="met")]).status_code == 200
    assert disaster_matching.disaster_suggestions(declaration) == {}


@pytest.mark.parametrize(("area", "code", "covered"), [
    ("茅ヶ崎市", "142077", True), ("茅ケ崎", "142077", True), ("ﾁｶﾞｻｷ", "142077", False),
    ("湘南", "142034", True), ("県西部", "142069", True), ("県西部", "142077", False),
    ("横浜市内", "141011", True), ("神奈川県内", "142018", True), ("茅ヶ崎市全域", "142069", False),
])
def test_area_served_covers_a_municipality_by_name_region_or_the_whole_prefecture(area, code, covered):
    offer = DisasterOfferCopy(area_served=area, municipality_code="131016")
    assert (disaster_matching.area_reason(offer, code, {}) is not None) == covered


def test_the_board_shows_the_top_suggestions_and_one_becomes_a_commitment(market, people, client):  # noqa: F811
    declaration, need, ids = market
    client.force_login(people[0])
    board = client.get(f"/disasters/{declaration.uuid}/").content.decode()
    ranks = re.findall(rf'data-need="{need.entity_uuid}" data-offer="([0-9a-f-]+)" data-rank="(\d)"', board)
    assert ranks == [(ids["water_shonan"], "1"), (ids["kitchen_prefecture"], "2"), (ids["short_lived"], "3")]
    assert "品目が一致: 飲料水" in board and f"/disasters/{declaration.uuid}/needs/{need.entity_uuid}/" in board

    page = client.get(f"/disasters/{declaration.uuid}/needs/{need.entity_uuid}/")
    assert page.status_code == 200 and "この申し出を割り当てる" in page.content.decode()
    response = client.post(f"/disasters/{declaration.uuid}/commit/", {
        "need": str(need.entity_uuid), "offer": ids["water_shonan"], "quantity": "300", "back": "need"})
    assert response.status_code == 302
    assert response["Location"] == f"/disasters/{declaration.uuid}/needs/{need.entity_uuid}/"
    commitment = DisasterCommitment.objects.get()
    assert (str(commitment.offer_uuid), commitment.quantity) == (ids["water_shonan"], 300)
    page = client.get(response["Location"]).content.decode()
    assert f'data-commitment="{commitment.uuid}"' in page and f'data-offer="{ids["water_shonan"]}"' not in page


def test_a_need_page_of_another_declaration_is_404(market, people, client):  # noqa: F811
    declaration, need, _ids = market
    other = declare(people[0], name="別の災害")
    client.force_login(people[0])
    assert client.get(f"/disasters/{other.uuid}/needs/{need.entity_uuid}/").status_code == 404
