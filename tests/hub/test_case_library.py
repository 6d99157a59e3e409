"""The shared case library: cases arriving in signed batches, strict payloads, Japanese search,
filters, study-tour collections, retraction, and who may see it."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model

from hub.models import CaseCollection, CollectionCase, Node, SharedCase, Tombstone
from hub.selectors.library import case_library
from hub.selectors.statistics import case_statistics
from hub.services.library import collection_add_case, collection_create
from permissions.models import AuditEvent, OrganizationKind, Role
from permissions.services import membership_grant, organization_create
from sync.outbox import payload_digest

from . import payloads
from .payloads import party
from .test_receiver import FakeNode


def case_payload(node: FakeNode, **overrides) -> dict:
    """A payload as the node sends it (schema 1): every key, already scrubbed."""
    return payloads.case(node.center, **overrides)


def case_entry(node: FakeNode, *, op="upsert", version=1, entity_uuid=None, **overrides) -> dict:
    payload = case_payload(node, **overrides) if op == "upsert" else payloads.removal(node.center)
    return node.entry("shared_case", payload, op=op, version=version, entity_uuid=entity_uuid)


# Seed 001's first worked case, as an anonymized payload.
CATS = {
    "title": "飼い主のいない猫の不妊去勢手術及び猫の適正管理普及啓発事業",
    "summary": "野良猫の不妊去勢手術を実施することにより、殺処分数の減少を図る。〔人名〕さんの協力で譲渡会も開催。",
    "lessons": "住民への丁寧な説明が欠かせない。",
    "form": "kyodo_suishin_gyosei", "fields": [7, 1], "fiscal_year_start": 2014, "fiscal_year_end": 2014,
    "outcome": "continued", "total_cost": 1732180, "city_share": 1694000, "published_month": "2021-07",
}


@pytest.fixture
def chigasaki(db):
    return FakeNode("chigasaki", "142077")


@pytest.fixture
def odawara(db):
    return FakeNode("odawara", "142069")


@pytest.fixture
def people(db):
    prefecture = organization_create(acting_user=None, name="神奈川県", kind=OrganizationKind.PREFECTURE,
                                     municipality_code="140007")
    users = get_user_model().objects
    coordinator = users.create_user("coordinator", password="x" * 12, last_name="湊")
    outsider = users.create_user("outsider", password="x" * 12)
    membership_grant(acting_user=None, user=coordinator, organization=prefecture, role=Role.COORDINATOR)
    return coordinator, outsider


def send_ok(node, client, entries):
    response = node.send(client, entries)
    assert response.status_code == 200, response.content
    return response.json()


def cats_parties():
    return [party(role="lead", contribution="猫の生態に関する専門知識、TNR活動の経験、動物病院との連絡調整"),
            party(kind="city_department", role="government", fields=(), size_band=None,
                  contribution="住民への調整・説明、事業費の負担")]


# --- receiving -----------------------------------------------------------------------------------


def test_a_case_arrives_in_a_signed_batch_with_its_derived_columns(chigasaki, client):
    result = send_ok(chigasaki, client, [chigasaki.profile(), case_entry(chigasaki, **CATS, parties=cats_parties())])
    assert result == {"last_applied_seq": 2, "applied": 2, "skipped": 0}
    case = SharedCase.objects.get()
    assert case.center.center_uuid == chigasaki.center and case.node == chigasaki.node
    assert (case.form, case.field_codes, case.field_index) == ("kyodo_suishin_gyosei", [1, 7], ",1,7,")
    assert (case.total_cost, case.city_share, case.outcome, case.level) == (1732180, 1694000, "continued", "anonymized")
    assert case.published_month.isoformat() == "2021-07-01"
    assert [p["role"] for p in case.parties] == ["lead", "government"]
    # One normalized key over title, summary, lessons and contributions (ASCII folded to lower case).
    assert "tnr活動の経験" in case.search_text and "事業費の負担" in case.search_text


def test_a_named_case_may_carry_names_and_they_are_searchable(chigasaki, client):
    parties = [party(name="Chigasaki Cat’s Protect", contribution="TNR活動"),
               party(kind="city_department", role="government", name="環境保全課", fields=(), size_band=None)]
    send_ok(chigasaki, client, [chigasaki.profile(), case_entry(chigasaki, level="named", parties=parties)])
    assert case_library(q="ｃａｔ’ｓ").get().level == "named"
    assert case_library(q="環境保全課").count() == 1


@pytest.mark.parametrize("change, field", [
    (lambda p: p.update(phone="0467-82-1111"), "unexpected fields: ['phone']"),  # unknown key
    (lambda p: p["parties"][0].update(name="山田花子"), "parties[0].name"),  # a name on an anonymized case
    (lambda p: p["parties"][0].update(name=""), "parties[0].name"),  # not even an empty one
    (lambda p: p["parties"][0].update(email="x@example.jp"), "parties[0]"),  # unknown key in a party
    (lambda p: p.update(form="kyoryoku"), "form"),  # not a collaboration form
    (lambda p: p["parties"][0].update(ref="ABCDEFGHIJKLMNOP"), "parties[0].ref"),
    (lambda p: p["parties"][0].update(ref="0123456789abcdef0"), "parties[0].ref"),  # 17 characters
    (lambda p: p["parties"][0].update(kind="person"), "parties[0].kind"),
    (lambda p: p["parties"][0].update(role="volunteer"), "parties[0].role"),
    (lambda p: p["parties"][0].update(size_band="山田さん一家"), "parties[0].size_band"),
    (lambda p: p["parties"][0].update(fields=[21]), "parties[0].fields"),
    (lambda p: p["parties"].append(dict(p["parties"][0])), "parties.ref"),  # the same organization twice
    (lambda p: p.update(parties=[party() for _ in range(51)]), "parties"),
    (lambda p: p.pop("lessons"), "lessons"),  # every key is present
    (lambda p: p.update(level="private"), "level"),
    (lambda p: p.update(outcome="success"), "outcome"),
    (lambda p: p.update(fiscal_year_start=True), "fiscal_year_start"),
    (lambda p: p.update(fiscal_year_end=2013), "fiscal_year_end"),  # before the start
    (lambda p: p.update(total_cost=None, city_share=1000), "city_share"),
    (lambda p: p.update(total_cost=1000, city_share=1001), "city_share"),
    (lambda p: p.update(published_month="2021-07-26"), "published_month"),
    (lambda p: p.update(published_month="0000-01"), "published_month"),
    (lambda p: p.update(title=""), "title"),
    (lambda p: p.update(fields=["7"]), "fields"),
])
def test_an_invalid_case_refuses_the_whole_batch(chigasaki, client, change, field):
    profile, good = chigasaki.profile(), case_entry(chigasaki, title="正しい事例")
    wrong = case_entry(chigasaki, title="不正な事例")
    change(wrong["payload"])
    wrong["sha256"] = payload_digest(wrong["payload"])
    response = chigasaki.send(client, [profile, good, wrong])
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "payload_invalid" and error["seq"] == 3
    assert field in error["message"]
    assert not SharedCase.objects.exists() and Node.objects.get().last_applied_seq == 0


def test_a_case_in_another_nodes_center_is_outside_the_partition(chigasaki, odawara, client):
    send_ok(chigasaki, client, [chigasaki.profile()])
    profile = odawara.profile()
    intruder = odawara.entry("shared_case", case_payload(chigasaki))
    response = odawara.send(client, [profile, intruder])
    assert response.status_code == 403 and response.json()["error"]["code"] == "outside_partition"
    assert not SharedCase.objects.exists()


def test_a_newer_version_replaces_the_case_and_keeps_its_collections(chigasaki, client, people):
    case_uuid = uuid.uuid4()
    send_ok(chigasaki, client, [chigasaki.profile(), case_entry(chigasaki, entity_uuid=case_uuid, title="旧題")])
    collection = collection_create(acting_user=people[0], title="茅ヶ崎視察")
    collection_add_case(acting_user=people[0], collection=collection, case=SharedCase.objects.get())
    send_ok(chigasaki, client, [case_entry(chigasaki, entity_uuid=case_uuid, version=2, title="新しい題")])
    assert SharedCase.objects.get().title == "新しい題"
    assert list(collection.cases.values_list("title", flat=True)) == ["新しい題"]


# --- search and filters ----------------------------------------------------------------------------


@pytest.fixture
def library(chigasaki, odawara, client):
    send_ok(chigasaki, client, [
        chigasaki.profile(),
        case_entry(chigasaki, **CATS, parties=cats_parties()),
        case_entry(chigasaki, title="美術「みるっこ」プログラム事業", form="kyodo_suishin_shimin", fields=[6, 13],
                   fiscal_year_start=2016, fiscal_year_end=2017, outcome="ended",
                   summary="幼稚園や保育園で「鑑賞出張講座」を実施。", total_cost=1187000, city_share=1187000),
        case_entry(chigasaki, title="ねこ　カフェ交流会", form="kyosai", fields=[6], fiscal_year_start=2019,
                   fiscal_year_end=None, outcome="ongoing", summary="ＮＰＯと商店街の共催。第２回は１２月。"),
    ])
    send_ok(odawara, client, [
        odawara.profile(),
        case_entry(odawara, title="ネコの里親探し", form="jigyo_kyoryoku", fields=[7], fiscal_year_start=2020,
                   fiscal_year_end=2021, outcome="reduced", level="named",
                   parties=[party(name="小田原ﾈｺ友の会", contribution="譲渡会の運営")]),
        case_entry(odawara, title="防災訓練", form="jikko_iinkai", fields=[8], fiscal_year_start=2018,
                   fiscal_year_end=2018, outcome="ended", lessons="自治会との連携"),
    ])
    return chigasaki, odawara


def titles(**filters):
    return sorted(case_library(**filters).values_list("title", flat=True))


def test_japanese_search_finds_words_inside_words_and_ignores_width_and_kana(library):
    # 「猫」 is found inside 「野良猫の不妊去勢手術」 (no word boundaries in Japanese).
    assert titles(q="猫") == ["飼い主のいない猫の不妊去勢手術及び猫の適正管理普及啓発事業"]
    assert titles(q="不妊去勢") == titles(q="猫")
    # ﾈｺ, ネコ and ねこ all find both ねこ and ネコ text, in titles and in named party names.
    expected = ["ねこ　カフェ交流会", "ネコの里親探し"]
    assert titles(q="ﾈｺ") == titles(q="ネコ") == titles(q="ねこ") == expected
    # Full-width and half-width letters and digits meet.
    assert titles(q="npo") == titles(q="ＮＰＯ") == ["ねこ　カフェ交流会"]
    assert titles(q="第2回") == titles(q="第２回") == ["ねこ　カフェ交流会"]
    # Every word must match (AND), anywhere in title, summary, lessons or a contribution.
    assert titles(q="ねこ 商店街") == ["ねこ　カフェ交流会"]
    assert titles(q="ねこ 防災") == []
    assert titles(q="動物病院との連絡調整") == [CATS["title"]]
    assert titles(q="自治会") == ["防災訓練"]
    assert titles(q="友の会") == ["ネコの里親探し"]
    # A placeholder is text like any other; LIKE wildcards are not wildcards.
    assert titles(q="〔人名〕") == [CATS["title"]]
    assert titles(q="%") == titles(q="_") == []


def test_filters_by_form_field_center_year_outcome_and_level(library):
    chigasaki, odawara = library
    center = SharedCase.objects.filter(node=odawara.node).first().center
    assert titles(form="kyosai") == ["ねこ　カフェ交流会"]
    assert titles(field=7) == ["ネコの里親探し", CATS["title"]]
    assert titles(field=1) == [CATS["title"]]  # ",1," does not match field 13 or 19
    assert titles(center=center) == ["ネコの里親探し", "防災訓練"]
    assert titles(outcome="reduced") == ["ネコの里親探し"]
    assert titles(level="named") == ["ネコの里親探し"]
    # A 年度 matches cases that run through it: 2017 is the second year of the two-year case; an
    # ongoing case without an end runs to this year; a closed one without an end is its first year.
    assert titles(fiscal_year=2017) == ["美術「みるっこ」プログラム事業"]
    assert titles(fiscal_year=2021) == ["ねこ　カフェ交流会", "ネコの里親探し"]
    assert titles(fiscal_year=2014) == [CATS["title"]]
    assert titles(q="ねこ", field=6, fiscal_year=2024) == ["ねこ　カフェ交流会"]


def test_library_page_searches_filters_and_pages(library, people, client):
    client.force_login(people[0])
    page = client.get("/cases/", {"q": "ﾈｺ"}).content.decode()
    assert 'id="case-count">2件<' in page and "ネコの里親探し" in page and "防災訓練" not in page
    page = client.get("/cases/", {"form": "jikko_iinkai", "fiscal_year": "2018"}).content.decode()
    assert 'id="case-count">1件<' in page and "防災訓練" in page
    # Bad filter values are reported, not a 500, and the valid ones still apply.
    response = client.get("/cases/", {"center": "not-a-uuid", "fiscal_year": "令和", "outcome": "ended"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="case-count">2件<' in page and "errorlist" in page
    chigasaki = library[0]
    send_ok(chigasaki, client, [case_entry(chigasaki, title=f"まとめて{n:02d}") for n in range(35)])
    first = client.get("/cases/", {"q": "まとめて"}).content.decode()
    second = client.get("/cases/", {"q": "まとめて", "page": 2}).content.decode()
    assert 'id="case-count">35件<' in first and "1 / 2" in first and "2 / 2" in second
    assert "まとめて29" in first and "まとめて30" not in first and "まとめて30" in second


def test_case_page_shows_every_field_with_wareki_and_placeholder_badges(library, people, client):
    client.force_login(people[0])
    cats = SharedCase.objects.get(title=CATS["title"])
    page = client.get(f"/cases/{cats.pk}/").content.decode()
    assert "協働推進事業（行政提案型）" in page and "7 環境保全" in page and "1 保健・医療・福祉" in page
    assert "2014年度（平成26年度）" in page and "継続" in page
    assert "1,732,180円" in page and "1,694,000円" in page
    assert '<span class="badge off placeholder" title="匿名化のため置き換えた箇所">〔人名〕</span>' in page
    assert "市民活動団体" in page and "実施団体" in page and "市の担当課" in page and "10-29人" in page
    assert "動物病院との連絡調整" in page
    named = SharedCase.objects.get(title="ネコの里親探し")
    page = client.get(f"/cases/{named.pk}/").content.decode()
    assert "小田原ﾈｺ友の会" in page and "団体名あり" in page
    two_years = SharedCase.objects.get(title__startswith="美術")
    page = client.get(f"/cases/{two_years.pk}/").content.decode()
    assert "2016年度（平成28年度）〜2017年度（平成29年度）" in page
    assert client.get("/cases/999999/").status_code == 404


def test_text_from_a_node_is_escaped(chigasaki, people, client):
    send_ok(chigasaki, client, [chigasaki.profile(),
                                case_entry(chigasaki, title="<script>alert(1)</script>", summary="<b>〔人名〕</b>")])
    client.force_login(people[0])
    page = client.get(f"/cases/{SharedCase.objects.get().pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;<span class=\"badge off placeholder\"" in page


# --- collections -----------------------------------------------------------------------------------


def test_coordinator_builds_a_collection_from_case_pages(library, people, client):
    client.force_login(people[0])
    response = client.post("/collections/", {"title": "", "description": ""})
    assert response.status_code == 400 and not CaseCollection.objects.exists()
    response = client.post("/collections/", {"title": "県西部スタディツアー", "description": "猫と地域"})
    collection = CaseCollection.objects.get()
    assert response.status_code == 302 and collection.created_by == people[0]
    cats = SharedCase.objects.get(title=CATS["title"])
    kittens = SharedCase.objects.get(title="ネコの里親探し")
    for case, note in ((cats, "市の負担の考え方"), (kittens, "")):
        response = client.post(f"/cases/{case.pk}/collect/", {"collection": collection.pk, "note": note})
        assert response.status_code == 302
    again = client.post(f"/cases/{cats.pk}/collect/", {"collection": collection.pk})
    assert again.status_code == 400 and "すでにこの事例集に入っています" in again.content.decode()
    page = client.get(f"/collections/{collection.pk}/").content.decode()
    assert page.index(CATS["title"]) < page.index("ネコの里親探し") and "市の負担の考え方" in page
    client.post(f"/collections/{collection.pk}/cases/{kittens.pk}/move/", {"direction": "up"})
    assert list(collection.entries.values_list("case__title", "order")) == [("ネコの里親探し", 1), (CATS["title"], 2)]
    assert "県西部スタディツアー" in client.get(f"/cases/{cats.pk}/").content.decode()
    response = client.post(f"/collections/{collection.pk}/cases/{cats.pk}/remove/", {"next": f"/cases/{cats.pk}/"})
    assert response.status_code == 302 and response.url == f"/cases/{cats.pk}/"
    assert list(collection.cases.all()) == [kittens]
    response = client.post(f"/collections/{collection.pk}/edit/", {"title": "県西部ツアー（改）", "description": ""})
    assert response.status_code == 302 and CaseCollection.objects.get().title == "県西部ツアー（改）"
    actions = set(AuditEvent.objects.filter(target_type="hub.casecollection").values_list("action", flat=True))
    assert actions == {"hub.collection_create", "hub.collection_add_case", "hub.collection_move_case",
                       "hub.collection_remove_case", "hub.collection_update"}


@pytest.mark.parametrize("op", ["retract", "purge"])
def test_retracted_or_purged_cases_leave_search_statistics_and_collections(chigasaki, people, client, op):
    case_uuid = uuid.uuid4()
    send_ok(chigasaki, client, [chigasaki.profile(), case_entry(chigasaki, entity_uuid=case_uuid, **CATS)])
    case = SharedCase.objects.get()
    collection = collection_create(acting_user=people[0], title="視察")
    collection_add_case(acting_user=people[0], collection=collection, case=case, note="見どころ")
    assert case_library(q="猫").count() == 1
    assert case_statistics(first=2014, last=2014).case_count == 1

    send_ok(chigasaki, client, [case_entry(chigasaki, op=op, version=2, entity_uuid=case_uuid)])
    assert not SharedCase.objects.exists() and not CollectionCase.objects.exists()
    assert CaseCollection.objects.get() == collection  # the collection stays, without the case
    assert case_library(q="猫").count() == 0
    assert case_statistics(first=2014, last=2014).case_count == 0
    assert Tombstone.objects.get().op == op
    client.force_login(people[0])
    assert CATS["title"] not in client.get(f"/collections/{collection.pk}/").content.decode()
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    # A late copy of the old version cannot bring it back.
    send_ok(chigasaki, client, [case_entry(chigasaki, entity_uuid=case_uuid, **CATS)])
    assert not SharedCase.objects.exists()


def test_a_withdrawn_center_takes_its_cases_out_of_collections(chigasaki, people, client):
    send_ok(chigasaki, client, [chigasaki.profile(), case_entry(chigasaki, **CATS)])
    collection = collection_create(acting_user=people[0], title="視察")
    collection_add_case(acting_user=people[0], collection=collection, case=SharedCase.objects.get())
    gone = chigasaki.entry("node_profile", payloads.removal(chigasaki.center), op="purge", version=2,
                           entity_uuid=chigasaki.center)
    send_ok(chigasaki, client, [gone])
    assert not SharedCase.objects.exists() and not CollectionCase.objects.exists()


# --- permissions ----------------------------------------------------------------------------------


def test_anonymous_visitors_log_in_and_users_without_the_hub_get_403(library, people, client):
    case = SharedCase.objects.first()
    collection = collection_create(acting_user=people[0], title="視察")
    pages = ["/cases/", f"/cases/{case.pk}/", "/collections/", f"/collections/{collection.pk}/",
             f"/collections/{collection.pk}/edit/", "/statistics/", "/statistics/forms.csv"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), url
    client.force_login(people[1])
    for url in pages:
        assert client.get(url).status_code == 403, url
    posts = [(f"/cases/{case.pk}/collect/", {"collection": collection.pk}), ("/collections/", {"title": "乗っ取り"}),
             (f"/collections/{collection.pk}/delete/", {}),
             (f"/collections/{collection.pk}/cases/{case.pk}/remove/", {})]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert CaseCollection.objects.count() == 1 and not CollectionCase.objects.exists()
