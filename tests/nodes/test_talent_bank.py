"""The talent bank as a service: public search (consents, no personal data), requests through the center,
talents suggested for needs by the shared scorer, the guidebook PDF."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from nodes import inboxes, matching, models as m, selectors, services
from permissions.models import AuditEvent

from .. import factories as f

# A person the node knows, typed by a careless hand into what the public reads.
NAME, KANA, PHONE, EMAIL = "鷲尾 美智子", "ワシオ ミチコ", "090-1357-9246", "washio.canary@example.net"
CANARIES = (NAME, NAME.replace(" ", ""), KANA, KANA.replace(" ", ""), PHONE, PHONE.replace("-", ""), EMAIL)

REQUEST = {"requester_name": "小松 里美", "requester_organization": "子ども会", "requester_phone": "045-000-1111",
           "requester_email": "", "purpose": "クリスマス会で手品を見せてほしい", "preferred_dates": "12月20日 午後",
           "place": "自治会館"}


def _talent(world, center=None, staff=None, consents=("public_listing", "guidebook"), **values):
    values.setdefault("name", "山本 和子")
    values.setdefault("skills", "テーブルマジック")
    return services.talent_register(acting_user=staff or world.staff_a, center=center or world.a,
                                    consents=consents, **values)


def _pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


# --- 公開検索 -------------------------------------------------------------------------------------


def test_public_search_lists_only_active_talents_who_consented_to_it(world):
    _talent(world, title="手品の名人")
    _talent(world, title="紙芝居の達人", consents=("guidebook",))
    _talent(world, title="大正琴の名人", consents=())
    _talent(world, title="落語の名人", is_active=False)
    body = Client().get(reverse("public-talents")).content.decode()
    assert "手品の名人" in body
    for hidden in ("紙芝居の達人", "大正琴の名人", "落語の名人", "手品の達人"):  # world's own talent: no consent
        assert hidden not in body
    unlisted = m.TalentVolunteer.objects.get(title="紙芝居の達人")
    assert Client().get(reverse("public-talent", args=[unlisted.uuid])).status_code == 404


def test_public_search_by_skill_ignores_kana_and_width_and_filters_area_and_field(world):
    _talent(world, title="手品の名人", skills="テーブルマジックとステージ手品", area="西区内", activity_fields=f.fields(6))
    _talent(world, title="健康体操の達人", skills="椅子に座ってできる体操", area="浜見平", activity_fields=f.fields(1))

    def titles(**query):
        body = Client().get(reverse("public-talents"), query).content.decode()
        return {t for t in ("手品の名人", "健康体操の達人") if t in body}

    assert titles(q="ﾃｰﾌﾞﾙﾏｼﾞｯｸ") == titles(q="てーぶるまじっく") == titles(q="マジック") == {"手品の名人"}
    assert titles(q="体操 椅子") == {"健康体操の達人"}
    assert titles(area="ﾊﾏﾐ") == set()  # the area is matched as written: 浜見平 is not ハマミダイラ
    assert titles(area="浜見平") == {"健康体操の達人"}
    assert titles(field="6") == {"手品の名人"}
    assert titles(field="1", q="マジック") == set()
    assert titles(field="not-a-number") == {"手品の名人", "健康体操の達人"}


def test_no_name_kana_phone_or_email_on_any_public_page_even_typed_into_skills(world):
    talent = _talent(world, name=NAME, name_kana=KANA, phone=PHONE, email=EMAIL, title="折り紙の達人",
                     skills=f"{NAME}が教える季節の折り紙。連絡は{PHONE}か{EMAIL}まで", availability=f"{NAME}宅で平日",
                     conditions="材料費実費", activity_fields=f.fields(6))
    client = Client()
    pages = [
        client.get(reverse("public-talents")),
        client.get(reverse("public-talents"), {"q": "折り紙"}),
        client.get(reverse("public-talent", args=[talent.uuid])),
        client.post(reverse("public-talent", args=[talent.uuid]), {"requester_name": ""}),  # the form with errors
        client.get(reverse("public-talent-sent", args=[talent.uuid])),
    ]
    for response in pages:
        assert response.status_code in (200, 400)
        body = response.content.decode()
        assert "折り紙の達人" in body
        for canary in CANARIES:
            assert canary not in body
    guidebook = _pdf_text(client.get(reverse("public-talent-guidebook", args=[world.a.uuid])).content)
    assert "折り紙の達人" in guidebook
    for canary in CANARIES:
        assert canary not in guidebook.replace("\n", "")


def test_a_name_the_page_does_not_show_finds_nothing(world):
    _talent(world, name=NAME, name_kana=KANA, title="折り紙の達人", skills=f"{NAME}の折り紙教室")
    for q in ("鷲尾", "わしお", "ﾜｼｵ"):
        body = Client().get(reverse("public-talents"), {"q": q}).content.decode()
        assert "折り紙の達人" not in body


def test_withdrawing_the_consent_takes_the_talent_off_at_once(world):
    talent = _talent(world, title="手品の名人")
    services.talent_set_consent(acting_user=world.staff_a, talent=talent, consent="public_listing", given=False)
    assert Client().get(reverse("public-talent", args=[talent.uuid])).status_code == 404
    with pytest.raises(ValidationError) as error:
        services.talent_request_submit(talent=talent, **REQUEST)
    assert error.value.code == "talent_not_listed"
    assert not m.TalentRequest.objects.exists()
    with pytest.raises(ValidationError) as error:
        services.talent_set_consent(acting_user=world.staff_a, talent=talent, consent="phone_book", given=True)
    assert error.value.error_dict["consent"][0].code == "invalid_choice"
    with pytest.raises(ObjectDoesNotExist):  # a group's member does not even see the center's talents
        services.talent_set_consent(acting_user=world.member_a, talent=world.rec_a.talent, consent="guidebook",
                                    given=True)


def test_consents_through_the_api_are_dated(world, api):
    client = api(world.staff_a)
    created = client.post("/api/v1/talents/", {"name": "川村 実", "skills": "そば打ち", "consents": ["guidebook"]},
                          format="json")
    assert created.status_code == 201, created.content
    talent = m.TalentVolunteer.objects.get(uuid=created.json()["uuid"])
    assert talent.consent_guidebook_at is not None and talent.consent_public_listing_at is None
    answer = client.post(f"/api/v1/talents/{talent.uuid}/consents/", {"consent": "public_listing", "given": True},
                         format="json")
    assert answer.status_code == 200
    assert answer.json()["consents"]["public_listing"]
    bad = client.post(f"/api/v1/talents/{talent.uuid}/consents/", {"consent": "phone_book", "given": True},
                      format="json")
    assert bad.status_code == 400


# --- 依頼 ----------------------------------------------------------------------------------------


def test_a_request_reaches_the_centers_inbox_and_staff_record_the_introduction(world):
    talent = _talent(world, title="手品の名人", phone="045-000-2222")
    client = Client()
    response = client.post(reverse("public-talent", args=[talent.uuid]), REQUEST)
    assert response.status_code == 302 and response["Location"] == reverse("public-talent-sent", args=[talent.uuid])
    request = m.TalentRequest.objects.get()
    assert (request.center, request.talent, request.status) == (world.a, talent, m.TalentRequestStatus.PENDING)
    assert AuditEvent.objects.filter(action="talentrequest.create", target_uuid=request.uuid).exists()
    assert "045-000-2222" not in client.get(reverse("public-talent-sent", args=[talent.uuid])).content.decode()

    staff = Client()
    staff.force_login(world.staff_a)
    inbox = staff.get(reverse("talent-requests")).content.decode()
    assert "小松 里美" in inbox and "手品の名人" in inbox
    assert AuditEvent.objects.filter(action="talentrequest.read_personal", actor=world.staff_a).exists()
    assert "未対応の依頼が1件" in staff.get(reverse("home")).content.decode()
    detail = staff.get(reverse("talent-request", args=[request.uuid])).content.decode()
    assert "045-000-1111" in detail and "045-000-2222" in detail  # staff call both sides
    assert AuditEvent.objects.filter(action="talentvolunteer.read_personal", actor=world.staff_a,
                                     target_uuid=talent.uuid).exists()

    blank = staff.post(reverse("talent-request-answer", args=[request.uuid]), {"decision": "introduced", "note": ""})
    assert blank.status_code == 400 and "対応の記録を入力してください。" in blank.content.decode()
    answered = staff.post(reverse("talent-request-answer", args=[request.uuid]),
                          {"decision": "introduced", "note": "本人了承。12/20に子ども会へ紹介した。"})
    assert answered.status_code == 302
    request.refresh_from_db()
    assert request.status == m.TalentRequestStatus.INTRODUCED and request.answered_by == world.staff_a
    assert request.answered_at is not None and request.answer_note.startswith("本人了承")
    with pytest.raises(ValidationError) as error:
        services.talent_request_answer(acting_user=world.staff_a, request=request, introduced=False, note="やはり断る")
    assert error.value.code == "already_answered"


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"requester_name": ""}, "requester_name", "お名前を入力してください。"),
    ({"requester_phone": "", "requester_email": ""}, "requester_phone", "電話番号かメールアドレスのどちらかを入力してください。"),
    ({"requester_email": "not-an-address"}, "requester_email", "メールアドレスの形式が正しくありません。"),
    ({"purpose": "  "}, "purpose", "依頼の内容を入力してください。"),
    ({"preferred_dates": ""}, "preferred_dates", "希望日時を入力してください。"),
    ({"place": ""}, "place", "場所を入力してください。"),
    ({"purpose": "あ" * 2001}, "purpose", "依頼の内容は2000字以内にしてください。"),
])
def test_bad_requests_get_a_japanese_message_and_write_nothing(world, change, field, message):
    talent = _talent(world, title="手品の名人")
    before = AuditEvent.objects.count()
    response = Client().post(reverse("public-talent", args=[talent.uuid]), {**REQUEST, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not m.TalentRequest.objects.exists()
    assert AuditEvent.objects.count() == before


def test_the_service_refuses_bad_input_with_codes(world):
    talent = _talent(world, title="手品の名人")
    with pytest.raises(ValidationError) as error:
        services.talent_request_submit(talent=talent, **{**REQUEST, "requester_phone": "", "place": ""})
    assert {name: [e.code for e in errors] for name, errors in error.value.error_dict.items()} == {
        "requester_phone": ["contact_required"], "place": ["required"]}
    unlisted = _talent(world, title="紙芝居の達人", consents=())
    with pytest.raises(ValidationError) as error:
        services.talent_request_submit(talent=unlisted, **REQUEST)
    assert error.value.code == "talent_not_listed"
    assert not m.TalentRequest.objects.exists()


def test_another_centers_staff_and_a_group_cannot_see_or_answer_the_request(world):
    request = services.talent_request_submit(talent=_talent(world, title="手品の名人"), **REQUEST)
    other = Client()
    other.force_login(world.staff_b)
    assert "小松 里美" not in other.get(reverse("talent-requests")).content.decode()
    assert other.get(reverse("talent-request", args=[request.uuid])).status_code == 404
    assert other.post(reverse("talent-request-answer", args=[request.uuid]),
                      {"decision": "declined", "note": "x"}).status_code == 404
    with pytest.raises(ObjectDoesNotExist):
        services.talent_request_answer(acting_user=world.staff_b, request=request, introduced=False, note="x")
    with pytest.raises(ObjectDoesNotExist):
        inboxes.talent_request_detail(user=world.staff_b, uuid=request.uuid)
    member = Client()
    member.force_login(world.member_a)
    assert member.get(reverse("talent-requests")).status_code == 403
    assert member.get(reverse("talent-request", args=[request.uuid])).status_code == 404
    request.refresh_from_db()
    assert request.status == m.TalentRequestStatus.PENDING


# --- 地域人材の候補 (matching) -------------------------------------------------------------------------


def test_talents_are_suggested_for_a_need_by_the_shared_scorer(world, api):
    need = services.need_create(acting_user=world.staff_a, center=world.a, title="自治会サロンでの健康づくり講座",
                                description="ふれあいサロンで椅子に座ってできる健康体操を教えてくれる人を探している",
                                requester=world.department, activity_fields=f.fields(1), area="茅ヶ崎市内")
    best = _talent(world, title="健康体操の達人", skills="椅子に座ってできる健康体操。サロンへの出張も", area="茅ヶ崎市内",
                   activity_fields=f.fields(1), conditions="交通費程度")
    second = _talent(world, title="ウォーキングの案内人", skills="海岸のウォーキング", activity_fields=f.fields(1))
    _talent(world, title="竹細工の名人", skills="竹とんぼづくり", activity_fields=f.fields(6))
    _talent(world, title="休止中の体操の先生", skills="健康体操", activity_fields=f.fields(1), is_active=False)
    _talent(world, staff=world.staff_b, center=world.b, title="小田原の体操名人", skills="健康体操",
            activity_fields=f.fields(1))

    page = selectors.need_suggestions(user=world.staff_a, uuid=need.uuid)
    assert [item.record for item in page.talents] == [best, second]
    # The very ranking the offers get: rank_offers over the talents' documents, with the center's context.
    context = selectors.matching_context(user=world.staff_a, center=world.a)
    docs = selectors.talent_docs(selectors.candidate_talents(user=world.staff_a, center=world.a))
    expected = matching.rank_offers(selectors.need_doc_of(need), matching.Index(docs), context)
    assert [(s.key, s.score) for s in expected] == [(item.record.pk, item.suggestion.score) for item in page.talents]
    codes = {reason.code for reason in page.talents[0].reasons}
    assert {"fields_match", "text_similar", "area_same"} <= codes

    staff = Client()
    staff.force_login(world.staff_a)
    body = staff.get(reverse("matching-need", args=[need.uuid])).content.decode()
    assert "地域人材の候補" in body and "健康体操の達人" in body and "小田原の体操名人" not in body

    answer = api(world.staff_a).get(f"/api/v1/needs/{need.uuid}/suggestions/").json()
    assert [row["talent"]["uuid"] for row in answer["talents"]] == [str(best.uuid), str(second.uuid)]
    assert answer["talents"][0]["score"] == page.talents[0].suggestion.score
    assert not {"name", "name_kana", "phone", "email"} & set(answer["talents"][0]["talent"])


def test_a_dismissed_offer_does_not_hide_the_talent_with_the_same_id(world):
    need = services.need_create(acting_user=world.staff_a, center=world.a, title="手品の出し物", description="手品",
                                requester=world.department, activity_fields=f.fields(6))
    talent = _talent(world, title="手品の名人", skills="手品", activity_fields=f.fields(6))
    offer = world.offer_a2
    services.suggestion_dismiss(acting_user=world.staff_a, need=need, offer=offer, reason="content", note="")
    page = selectors.need_suggestions(user=world.staff_a, uuid=need.uuid)
    assert talent in [item.record for item in page.talents]


# --- ガイドブック -------------------------------------------------------------------------------------


def test_guidebook_pdf_groups_consented_talents_by_field_public_and_staff(world):
    _talent(world, title="手品の名人", name="大森 健", activity_fields=f.fields(6), area="西区内", conditions="材料費実費")
    _talent(world, title="健康体操の達人", consents=("guidebook",), activity_fields=f.fields(1))
    _talent(world, title="紙芝居の達人", consents=("public_listing",), activity_fields=f.fields(6))
    _talent(world, title="落語の名人", consents=())
    response = Client().get(reverse("public-talent-guidebook", args=[world.a.uuid]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "地域の名人・達人ガイドブック" in text and "手品の名人" in text and "健康体操の達人" in text
    assert "紙芝居の達人" not in text and "落語の名人" not in text and "大森" not in text
    # Grouped by field: 保健・医療・福祉 (1号) before 社会教育 … (6号 学術・文化・芸術・スポーツ).
    assert text.index("健康体操の達人") < text.index("手品の名人")

    anonymous = Client().get(reverse("talent-guidebook"))
    assert anonymous.status_code == 302
    staff = Client()
    staff.force_login(world.staff_a)
    staff_text = _pdf_text(staff.get(reverse("talent-guidebook")).content)
    assert "紙芝居の達人" in staff_text and "落語の名人" not in staff_text and "職員用" in staff_text
    member = Client()
    member.force_login(world.member_a)
    assert member.get(reverse("talent-guidebook")).status_code == 403
    assert Client().get(reverse("public-talent-guidebook", args=[world.a.uuid]).replace(
        str(world.a.uuid), "00000000-0000-0000-0000-000000000000")).status_code == 404


def test_staff_see_and_change_the_consents_on_the_talent_pages(world):
    talent = _talent(world, title="手品の名人", consents=("guidebook",))
    staff = Client()
    staff.force_login(world.staff_a)
    listing = staff.get(reverse("record-list", args=["talents"])).content.decode()
    assert "ガイドブック" in listing and reverse("talent-requests") in listing
    response = staff.post(reverse("talent-consent", args=[talent.uuid]), {"consent": "public_listing", "given": "1"})
    assert response.status_code == 302
    talent.refresh_from_db()
    assert talent.consent_public_listing_at is not None and talent.version == 2
    detail = staff.get(reverse("record-detail", args=["talents", talent.uuid])).content.decode()
    assert "公開の人材検索（ウェブ）への掲載" in detail and reverse("public-talent", args=[talent.uuid]) in detail
    member = Client()
    member.force_login(world.member_a)
    assert member.post(reverse("talent-consent", args=[talent.uuid]),
                       {"consent": "guidebook", "given": "0"}).status_code == 404
    talent.refresh_from_db()
    assert talent.consent_guidebook_at is not None
