"""Matching 協働の種 with できることメニュー: suggestions and their reasons, learning from dismissals,
the coordination pipeline to a case, permissions per role, stalled-match reminders and the menu."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from deploy.demo.seeder import seed_center
from nodes import matching, matching_text, models as m, selectors, services, tasks
from permissions.models import AuditEvent, OrganizationKind
from permissions.services import organization_create

from .. import factories as f


def _texts(suggestion) -> list[str]:
    return [reason.text for reason in suggestion.reasons]


def _ranked(user, need) -> list:
    return selectors.need_suggestions(user=user, uuid=need.uuid).items


@pytest.fixture
def cats(world):
    """World A made seed-like: the stray-cat need has fields and an area, more groups offer things."""
    need = services.need_update(acting_user=world.staff_a, need=world.rec_a.need, activity_fields=f.fields(7),
                                area="茅ヶ崎市内", description="地域の苦情（糞尿被害・無責任な餌やり）への対応と、"
                                "飼い主のいない猫を減らす取り組みを一緒に進めたい。")
    satoyama = f.group(world.staff_a, world.a, "ちがさき里山保全クラブ", activity_fields=f.fields(7), area="茅ヶ崎市内")
    beach = f.group(world.staff_a, world.a, "茅ヶ崎ビーチクリーン倶楽部", activity_fields=f.fields(7),
                    legal_form=m.LegalForm.NPO)
    offers = {
        "cats": world.rec_a.offer,
        "art": world.offer_a2,
        "satoyama": services.offer_create(acting_user=world.staff_a, group=satoyama, title="谷戸の生きもの観察会",
                                          description="里山の保全作業と生きもの観察。", activity_fields=f.fields(7),
                                          area="茅ヶ崎市内"),
        "beach": services.offer_create(acting_user=world.staff_a, group=beach, title="海岸清掃の出前講座",
                                       description="海岸のごみ拾いと環境学習。", activity_fields=f.fields(7)),
    }
    return need, offers


# --- suggestions and their reasons -----------------------------------------------------------------------


def test_a_stray_cat_need_ranks_chigasaki_cats_protect_first_with_reasons(world, cats):
    need, offers = cats
    items = _ranked(world.staff_a, need)
    assert items[0].record == offers["cats"]
    reasons = _texts(items[0].suggestion)
    assert "活動分野が一致: 環境の保全" in reasons
    assert any(text.startswith("内容が近い: ") and "猫" in text for text in reasons)
    # The 2014 TNR case with the same department (outcome 実施中 in the fixture).
    assert "環境保全課との協働事例あり（実施中）" in reasons
    assert items[0].suggestion.score > items[1].suggestion.score
    assert offers["art"] not in [item.record for item in items]  # nothing in common with cats


def test_even_a_bare_need_finds_cats_protect_by_its_words_and_its_past_case(world):
    """The fixture's need has no fields or area: 猫 in the texts and the 2014 case with the same
    department are enough, and the offer without fields is read with its group's."""
    items = _ranked(world.staff_a, world.rec_a.need)
    assert items[0].record == world.rec_a.offer
    assert {"内容が近い: 猫", "環境保全課との協働事例あり（実施中）"} <= set(_texts(items[0].suggestion))


def test_past_collaboration_with_the_city_counts_and_continued_counts_more(world, cats):
    need, offers = cats
    health = organization_create(acting_user=world.staff_a, name="保健所衛生課", kind=OrganizationKind.CITY_DEPARTMENT,
                                 center=world.a)
    other = services.need_create(acting_user=world.staff_a, center=world.a, requester=health, title="地域猫活動の普及",
                                 description="飼い主のいない猫の適正管理を広めたい。", activity_fields=f.fields(7))
    ongoing = next(i for i in _ranked(world.staff_a, other) if i.record == offers["cats"]).suggestion
    assert "過去に市との協働事例あり（実施中）" in _texts(ongoing)
    services.case_update(acting_user=world.staff_a, case=world.rec_a.case, outcome=m.CaseOutcome.CONTINUED)
    continued = next(i for i in _ranked(world.staff_a, other) if i.record == offers["cats"]).suggestion
    assert "過去に市との協働事例あり（継続）" in _texts(continued)
    assert continued.features["history"] > ongoing.features["history"]


@pytest.mark.django_db
def test_seed_data_chigasaki_stray_cats_need_suggests_cats_protect_first():
    seed_center("chigasaki")
    need = m.Need.objects.get(title="飼い主のいない猫対策（地域猫活動の普及）")
    staff = m.Match._meta.get_field("proposed_by").related_model.objects.get(username="chigasaki-staff")
    items = _ranked(staff, need)
    assert items[0].record.group.name == "Chigasaki Cat's Protect"
    reasons = _texts(items[0].suggestion)
    assert "過去に市との協働事例あり（継続）" in reasons  # the 2014 case with 環境保全課, continued
    assert "同じ地域: 茅ヶ崎" in reasons
    # The need allows 事業協力 and 委託; the group is a 任意団体.
    assert "委託には法人格が必要です" in reasons and "協働の形態: 事業協力なら可能" in reasons
    assert reasons.index("委託には法人格が必要です") > reasons.index("協働の形態: 事業協力なら可能")  # cautions last


@pytest.mark.django_db
def test_seed_data_other_needs_find_their_groups():
    seed_center("chigasaki")
    staff = m.Match._meta.get_field("proposed_by").related_model.objects.get(username="chigasaki-staff")
    expected = {"美術館での子ども向け鑑賞プログラム": "NPO法人赤ちゃんからのアートフレンドシップ協会",
                "海岸・谷戸の環境学習の出前講座": "ちがさき里山保全クラブ"}
    for title, group in expected.items():
        top3 = [item.record.group.name for item in _ranked(staff, m.Need.objects.get(title=title))[:3]]
        assert group in top3, (title, top3)


def test_area_form_timing_and_conditions_give_their_reasons(world):
    need = services.need_create(
        acting_user=world.staff_a, center=world.a, requester=world.department, title="南湖の海岸で環境学習",
        description="小学生向けの海岸の環境学習。", activity_fields=f.fields(7), area="南湖",
        allowed_forms=[m.CollaborationForm.ITAKU], needed_by=dt.date(2027, 8, 1), budget=m.NeedBudget.NONE)
    voluntary = f.group(world.staff_a, world.a, "南湖の浜を守る会", activity_fields=f.fields(7))
    npo = f.group(world.staff_a, world.a, "NPO法人湘南海岸学校", activity_fields=f.fields(7), legal_form=m.LegalForm.NPO)
    summer = services.offer_create(acting_user=world.staff_a, group=voluntary, title="海岸の環境学習",
                                   description="小学生と海岸の環境学習。", area="南湖", available_months=[7, 8],
                                   cost_conditions=[m.CostItem.TRANSPORT])
    winter = services.offer_create(acting_user=world.staff_a, group=npo, title="海岸の環境学習",
                                   description="小学生と海岸の環境学習。", area="茅ヶ崎市内", available_months=[12, 1])
    by_offer = {item.record: item.suggestion for item in _ranked(world.staff_a, need)}
    summer_reasons, winter_reasons = _texts(by_offer[summer]), _texts(by_offer[winter])
    assert "同じ地域: 南湖" in summer_reasons
    assert "委託には法人格が必要です" in summer_reasons and by_offer[summer].features["form"] == 0
    assert "希望時期（8月）に対応できる" in summer_reasons
    assert "条件: 交通費の負担が必要（提案元は予算なし）" in summer_reasons
    assert "市内全域に対応: 茅ヶ崎市内" in winter_reasons
    assert "協働の形態: 委託（協働委託）" in winter_reasons
    assert "希望時期（8月）は対応時期（1・12月）の外です" in winter_reasons


def test_budget_cycle_notes_on_a_need_waiting_for_next_years_budget():
    doc = matching.need_doc(key=1, title="t", terms={}, fiscal_year=2027, budget=m.NeedBudget.TO_REQUEST,
                            allowed_forms=frozenset({"itaku"}))
    early = matching.need_notes(doc, dt.date(2026, 6, 1))
    late = matching.need_notes(doc, dt.date(2026, 12, 1))
    assert [n.code for n in early] == ["budget_in_time"] and "2026年10月頃" in early[0].text
    assert [n.code for n in late] == ["budget_late"]


def test_offer_side_suggestions_rank_the_needs_an_offer_answers(world, cats):
    need, offers = cats
    services.need_create(acting_user=world.staff_a, center=world.a, requester=world.other_department,
                         title="美術館の鑑賞講座", description="子ども向けの美術鑑賞。", activity_fields=f.fields(6))
    page = selectors.offer_suggestions(user=world.staff_a, uuid=offers["cats"].uuid)
    assert page.items[0].record == need
    assert "活動分野が一致: 環境の保全" in _texts(page.items[0].suggestion)


def test_the_scorer_ranks_offers_from_another_source_given_as_dicts():
    """Item 5 will bring other centers' listings through the hub as dicts; the same scorer ranks them."""
    listing = [
        {"key": "hub:1", "title": "保護猫の譲渡会", "text": "飼い主のいない猫のTNRと譲渡会", "fields": [7],
         "area": "藤沢市内", "legal_form": "voluntary", "group": "hub:g1"},
        {"key": "hub:2", "title": "里山の保全", "text": "谷戸の草刈りと観察会", "fields": [7], "area": "藤沢市内"},
        {"key": "hub:3", "title": "英会話サロン", "text": "外国人住民との交流", "fields": [11]},
    ]
    need = matching.need_doc_from_dict({"key": 1, "title": "飼い主のいない猫対策", "description": "猫の苦情が多い",
                                        "fields": [7], "allowed_forms": ["itaku"]})
    ranked = matching.rank_offers(need, matching.Index([matching.offer_doc_from_dict(d) for d in listing]),
                                  matching.Context(field_labels={7: "環境の保全"}))
    assert [s.key for s in ranked] == ["hub:1", "hub:2"]
    assert "委託には法人格が必要です" in _texts(ranked[0])
    assert "委託の場合は法人格の確認が必要です" in _texts(ranked[1])  # no legal form given: unknown, not a mismatch


def test_the_index_is_reused_until_an_offer_changes(world, cats):
    need, offers = cats
    first = selectors.offer_index(user=world.staff_a, center=world.a)
    assert selectors.offer_index(user=world.staff_a, center=world.a) is first
    services.offer_update(acting_user=world.staff_a, offer=offers["beach"], description="猫の譲渡会も手伝う。")
    second = selectors.offer_index(user=world.staff_a, center=world.a)
    assert second is not first
    # A change of the group (e.g. it becomes a legal entity) also rebuilds it.
    services.group_update(acting_user=world.staff_a, group=world.group_a, legal_form=m.LegalForm.NPO)
    assert selectors.offer_index(user=world.staff_a, center=world.a) is not second
    assert any(d.legal_entity for d in selectors.offer_index(user=world.staff_a, center=world.a).docs
               if d.key == offers["cats"].pk)


def test_unpublished_offers_and_inactive_groups_are_not_suggested(world, cats):
    need, offers = cats
    services.offer_update(acting_user=world.staff_a, offer=offers["satoyama"], is_published=False)
    services.group_update(acting_user=world.staff_a, group=offers["beach"].group, status=m.GroupStatus.SUSPENDED)
    assert [item.record for item in _ranked(world.staff_a, need)] == [offers["cats"]]


# --- dismissals and what the ranking learns ---------------------------------------------------------------


def test_a_dismissed_pair_leaves_the_list_is_audited_and_can_be_restored(world, cats):
    need, offers = cats
    dismissal = services.suggestion_dismiss(acting_user=world.staff_a, need=need, offer=offers["satoyama"],
                                            reason=m.DismissalReason.CONTENT, note="猫とは関係がない")
    assert offers["satoyama"] not in [item.record for item in _ranked(world.staff_a, need)]
    assert dismissal.features["fields"] == 1.0 and dismissal.group == offers["satoyama"].group
    assert AuditEvent.objects.filter(action="suggestiondismissal.create", target_uuid=dismissal.uuid).exists()
    page = selectors.need_suggestions(user=world.staff_a, uuid=need.uuid)
    assert page.dismissed == [dismissal]
    with pytest.raises(ValidationError) as error:
        services.suggestion_dismiss(acting_user=world.staff_a, need=need, offer=offers["satoyama"],
                                    reason=m.DismissalReason.AREA)
    assert error.value.error_dict["offer"][0].code == "already_dismissed"
    services.suggestion_restore(acting_user=world.staff_a, dismissal=dismissal)
    assert offers["satoyama"] in [item.record for item in _ranked(world.staff_a, need)]


def test_other_needs_a_reason_and_dismissal_rejects_bad_input_without_writing(world, cats):
    need, offers = cats
    with pytest.raises(ValidationError) as error:
        services.suggestion_dismiss(acting_user=world.staff_a, need=need, offer=offers["beach"],
                                    reason=m.DismissalReason.OTHER)
    assert error.value.error_dict["note"][0].message == "「その他」の場合は理由を入力してください。"
    with pytest.raises(ValidationError):
        services.suggestion_dismiss(acting_user=world.staff_a, need=need, offer=offers["beach"], reason="bogus")
    with pytest.raises(ObjectDoesNotExist):  # another center's offer: invisible, hence 404 in the API
        services.suggestion_dismiss(acting_user=world.staff_a, need=need, offer=world.rec_b.offer,
                                    reason=m.DismissalReason.AREA)
    assert not m.SuggestionDismissal.objects.exists()


def test_dismissing_a_group_for_one_need_lowers_it_for_the_requesters_other_needs(world, cats):
    need, _offers = cats

    def twin(name):  # two groups offering the same thing: only what staff taught tells them apart
        group = f.group(world.staff_a, world.a, name, activity_fields=f.fields(7))
        return services.offer_create(acting_user=world.staff_a, group=group, title="干潟の生きもの観察会",
                                     description="干潟で生きもの観察", activity_fields=f.fields(7))

    first, second = twin("干潟の会"), twin("干潟クラブ")
    later = services.need_create(acting_user=world.staff_a, center=world.a, requester=world.department,
                                 title="干潟の生きもの観察", description="干潟で子どもと観察会", activity_fields=f.fields(7))
    before = {item.record: item.suggestion.score for item in _ranked(world.staff_a, later)}
    assert list(before)[:2] == [first, second]  # a tie keeps the older record first
    services.suggestion_dismiss(acting_user=world.staff_a, need=need, offer=first, reason=m.DismissalReason.CAPACITY)
    after = _ranked(world.staff_a, later)
    assert after[0].record == second
    demoted = next(item for item in after if item.record == first)
    assert demoted.suggestion.score == pytest.approx(before[first] - matching.PAIR_PENALTY)
    assert "この提案元では以前見送り（1件: 規模・体制が合わない）" in _texts(demoted.suggestion)
    # Another requester's needs are not affected by this department's judgement.
    other = services.need_create(acting_user=world.staff_a, center=world.a, requester=world.other_department,
                                 title="干潟の生きもの観察", description="干潟で子どもと観察会", activity_fields=f.fields(7))
    assert [item.record for item in _ranked(world.staff_a, other)][:2] == [first, second]


def test_an_area_reason_makes_area_weigh_more_for_the_whole_center(world):
    """Two offers, one on topic but elsewhere, one in the need's area but further off topic:
    after staff dismiss a pair because of the area, area counts more and the ranking flips."""
    def group_offer(name, area, description):
        group = f.group(world.staff_a, world.a, name, activity_fields=f.fields(7))
        return services.offer_create(acting_user=world.staff_a, group=group, title="観察会", description=description,
                                     activity_fields=f.fields(7), area=area)

    elsewhere = group_offer("県西の自然観察会", "県西地域", "海岸の生きもの観察と海岸清掃")
    nearby = group_offer("浜竹の自然の会", "浜竹", "公園の草花の観察")
    need = services.need_create(acting_user=world.staff_a, center=world.a, requester=world.other_department,
                                title="海岸の生きもの観察", description="海岸清掃と生きもの観察", area="浜竹",
                                activity_fields=f.fields(7))
    assert [i.record for i in _ranked(world.staff_a, need)][:2] == [elsewhere, nearby]
    probe = services.need_create(acting_user=world.staff_a, center=world.a, requester=world.department,
                                 title="里山の観察", description="谷戸の観察", area="浜竹", activity_fields=f.fields(7))
    services.suggestion_dismiss(acting_user=world.staff_a, need=probe, offer=elsewhere, reason=m.DismissalReason.AREA)
    page = selectors.need_suggestions(user=world.staff_a, uuid=need.uuid)
    assert [i.record for i in page.items][:2] == [nearby, elsewhere]
    assert page.learned == ["地域の重み +0.5（見送り理由から学習）"]


def test_learning_is_a_pure_function_of_dismissals():
    learned = matching.learn([
        matching.Dismissal(1, 10, "dept", "g", m.DismissalReason.AREA, {"area": 0.0}),
        matching.Dismissal(2, 10, "dept", "g", m.DismissalReason.AREA, {"area": 1.0}),  # area was right: no gain
        matching.Dismissal(3, 11, "dept", "g", m.DismissalReason.OTHER, {}),
    ])
    assert learned.weights["area"] == matching.BASE_WEIGHTS["area"] + matching.WEIGHT_STEP
    assert learned.pair_penalties[("dept", "g")][0] == 3
    assert (1, 10) in learned.dismissed


# --- the coordination pipeline ----------------------------------------------------------------------------


def test_the_pipeline_from_suggestion_to_a_prefilled_case(world, cats):
    need, offers = cats
    services.need_update(acting_user=world.staff_a, need=need, purpose="糞尿被害の軽減と殺処分の減少",
                         resources="住民への説明、手術費の一部", partner_role="TNRの実施と動物病院との連絡調整",
                         allowed_forms=[m.CollaborationForm.JIGYO_KYORYOKU, m.CollaborationForm.ITAKU],
                         fiscal_year=2027)
    match = services.match_propose(acting_user=world.staff_a, need=need, offer=offers["cats"], note="交流会で紹介")
    assert match.status == m.MatchStatus.PROPOSED and match.reasons and match.score
    need.refresh_from_db()
    assert need.status == m.NeedStatus.COORDINATING

    with pytest.raises(ValidationError) as error:
        services.match_agree(acting_user=world.staff_a, match=match, form=m.CollaborationForm.JIGYO_KYORYOKU)
    assert error.value.error_dict["status"][0].code == "meeting_required"

    services.match_record_meeting(acting_user=world.staff_a, match=match, held_on=world.today,
                                  notes="役割分担と手術費の負担を確認。")
    match.refresh_from_db()
    assert match.status == m.MatchStatus.MEETING and match.meeting_at
    services.match_record_meeting(acting_user=world.staff_a, match=match, held_on=world.today, notes="2回目。")
    assert match.meetings.count() == 2

    with pytest.raises(ValidationError) as error:  # a 任意団体 cannot take a 委託
        services.match_agree(acting_user=world.staff_a, match=match, form=m.CollaborationForm.ITAKU)
    assert error.value.error_dict["form"][0].message == "委託には法人格が必要です。"
    with pytest.raises(ValidationError) as error:
        services.match_agree(acting_user=world.staff_a, match=match, form=m.CollaborationForm.HOJO)
    assert error.value.error_dict["form"][0].code == "form_not_allowed"
    match = services.match_agree(acting_user=world.staff_a, match=match, form=m.CollaborationForm.JIGYO_KYORYOKU)
    assert match.status == m.MatchStatus.AGREED

    match = services.match_create_case(acting_user=world.staff_a, match=match)
    case = match.case
    assert match.status == m.MatchStatus.CASE_CREATED and match.case_created_at
    assert case.title == need.title and case.form == m.CollaborationForm.JIGYO_KYORYOKU
    assert "糞尿被害の軽減" in case.summary and "譲渡会の開催" in case.summary
    assert case.responsible_department == world.department and case.fiscal_year_start == 2027
    assert [f.code for f in case.activity_fields.all()] == [7]
    roles = {p.organization: (p.role, p.contribution) for p in case.party_roles.all()}
    assert roles[world.group_a.organization] == (m.PartyRole.LEAD, "TNRの実施と動物病院との連絡調整")
    assert roles[world.department] == (m.PartyRole.GOVERNMENT, "住民への説明、手術費の一部")
    assert roles[world.a][0] == m.PartyRole.COORDINATOR
    need.refresh_from_db()
    assert need.status == m.NeedStatus.MATCHED
    assert AuditEvent.objects.filter(action="collaborationcase.create", target_uuid=case.uuid).exists()
    assert AuditEvent.objects.filter(action="match.update", target_uuid=match.uuid).count() >= 4

    with pytest.raises(ValidationError) as error:  # the end is the end
        services.match_decline(acting_user=world.staff_a, match=match, reason="やはりやめる")
    assert error.value.error_dict["status"][0].code == "match_closed"


def test_a_failed_case_creation_writes_nothing(world, cats):
    need, offers = cats
    services.need_update(acting_user=world.staff_a, need=need, allowed_forms=[m.CollaborationForm.ITAKU])
    services.group_update(acting_user=world.staff_a, group=world.group_a, legal_form=m.LegalForm.NPO)
    match = services.match_propose(acting_user=world.staff_a, need=need, offer=offers["cats"])
    services.match_record_meeting(acting_user=world.staff_a, match=match, held_on=world.today, notes="委託で合意の見込み")
    match = services.match_agree(acting_user=world.staff_a, match=match, form=m.CollaborationForm.ITAKU)
    services.group_update(acting_user=world.staff_a, group=world.group_a, legal_form=m.LegalForm.VOLUNTARY)
    cases = m.CollaborationCase.objects.count()
    with pytest.raises(ValidationError) as error:
        services.match_create_case(acting_user=world.staff_a, match=match)
    assert error.value.error_dict["form"][0].code == "legal_entity_required"
    match.refresh_from_db()
    assert match.status == m.MatchStatus.AGREED and match.case is None
    assert m.CollaborationCase.objects.count() == cases


def test_decline_needs_a_reason_reopens_the_need_and_the_pair_can_be_tried_again(world, cats):
    need, offers = cats
    match = services.match_propose(acting_user=world.staff_a, need=need, offer=offers["beach"])
    with pytest.raises(ValidationError) as error:
        services.match_propose(acting_user=world.staff_a, need=need, offer=offers["beach"])
    assert error.value.error_dict["offer"][0].code == "already_matching"
    with pytest.raises(ValidationError) as error:
        services.match_decline(acting_user=world.staff_a, match=match, reason="  ")
    assert error.value.error_dict["reason"][0].message == "見送りの理由を入力してください。"
    match = services.match_decline(acting_user=world.staff_a, match=match, reason="団体の体制が整うまで待つ")
    assert match.status == m.MatchStatus.DECLINED
    need.refresh_from_db()
    assert need.status == m.NeedStatus.OPEN
    again = services.match_propose(acting_user=world.staff_a, need=need, offer=offers["beach"])
    assert again.pk != match.pk
    with pytest.raises(ValidationError) as error:
        services.match_record_meeting(acting_user=world.staff_a, match=match, held_on=world.today, notes="x")
    assert error.value.error_dict["status"][0].code == "match_closed"


def test_meetings_need_a_date_not_in_the_future_and_notes(world, cats):
    need, offers = cats
    match = services.match_propose(acting_user=world.staff_a, need=need, offer=offers["cats"])
    with pytest.raises(ValidationError) as error:
        services.match_record_meeting(acting_user=world.staff_a, match=match,
                                      held_on=world.today + dt.timedelta(days=3), notes="")
    assert set(error.value.error_dict) == {"held_on", "notes"}
    assert not m.MatchMeeting.objects.exists()
    match.refresh_from_db()
    assert match.status == m.MatchStatus.PROPOSED


def test_the_database_refuses_a_status_moving_backwards_or_out_of_step(world, cats):
    need, offers = cats
    match = services.match_propose(acting_user=world.staff_a, need=need, offer=offers["cats"])
    services.match_record_meeting(acting_user=world.staff_a, match=match, held_on=world.today, notes="顔合わせ")
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Match.objects.filter(pk=match.pk).update(status=m.MatchStatus.PROPOSED, meeting_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():  # agreed without a form or a time
        m.Match.objects.filter(pk=match.pk).update(status=m.MatchStatus.AGREED)
    match = services.match_decline(acting_user=world.staff_a, match=match, reason="見送り")
    with pytest.raises(IntegrityError), transaction.atomic():  # 見送り is final
        m.Match.objects.filter(pk=match.pk).update(status=m.MatchStatus.MEETING, declined_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Need.objects.filter(pk=need.pk).update(allowed_forms=["bogus"])


# --- permissions -----------------------------------------------------------------------------------------


@pytest.fixture
def two_matches(world, cats):
    need, offers = cats
    own = services.match_propose(acting_user=world.staff_a, need=need, offer=offers["cats"])
    other_need = services.need_create(acting_user=world.staff_a, center=world.a, requester=world.other_department,
                                      title="美術館の鑑賞講座", description="子ども向け", activity_fields=f.fields(6))
    other = services.match_propose(acting_user=world.staff_a, need=other_need, offer=offers["art"])
    return own, other


def _uuids(client, url) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {row["uuid"] for row in response.json()["results"]}


def test_each_role_sees_only_its_matches(world, api, two_matches):
    own, other = two_matches
    assert _uuids(api(world.staff_a), "/api/v1/matches/") == {str(own.uuid), str(other.uuid)}
    # The department sees the match of its own need; the group the match of its own offer.
    assert _uuids(api(world.dept_staff), "/api/v1/matches/") == {str(own.uuid)}
    assert _uuids(api(world.member_a), "/api/v1/matches/") == {str(own.uuid)}
    assert _uuids(api(world.staff_b), "/api/v1/matches/") == set()
    for user in (world.dept_staff, world.member_a, world.staff_b):
        assert api(user).get(f"/api/v1/matches/{other.uuid}/").status_code == 404
    assert api(world.staff_b).get(f"/api/v1/matches/{own.uuid}/").status_code == 404
    assert api(world.dept_staff).get(f"/api/v1/matches/{own.uuid}/").status_code == 200


def test_only_center_staff_move_matches_and_see_suggestions(world, api, two_matches):
    own, _other = two_matches
    need, offer = own.need, own.offer
    for user in (world.dept_staff, world.member_a):  # they see the match but do not run it
        response = api(user).post(f"/api/v1/matches/{own.uuid}/decline/", {"reason": "x"}, format="json")
        assert response.status_code == 403, response.content
    assert api(world.staff_b).post(f"/api/v1/matches/{own.uuid}/decline/", {"reason": "x"},
                                   format="json").status_code == 404
    assert api(world.dept_staff).get(f"/api/v1/needs/{need.uuid}/suggestions/").status_code == 403
    assert api(world.member_a).get(f"/api/v1/offers/{offer.uuid}/suggestions/").status_code == 403
    assert api(world.staff_b).get(f"/api/v1/needs/{need.uuid}/suggestions/").status_code == 404
    assert api(world.member_a).get(f"/api/v1/needs/{need.uuid}/suggestions/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.match_propose(acting_user=world.dept_staff, need=need, offer=offer)
    response = api(world.staff_b).post("/api/v1/dismissals/", {"need": str(need.uuid), "offer": str(offer.uuid),
                                                                "reason": "area"}, format="json")
    assert response.status_code == 400 and set(response.json()["error"]["fields"]) == {"need", "offer"}
    assert _uuids(api(world.staff_b), "/api/v1/dismissals/") == set()


def test_ui_pages_are_404_for_other_centers_and_403_for_departments(world, client, two_matches):
    own, _other = two_matches
    client.force_login(world.staff_b)
    for url in (f"/matching/needs/{own.need.uuid}/", f"/matching/offers/{own.offer.uuid}/", f"/matching/{own.uuid}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/matching/{own.uuid}/decline/", {"reason": "x"}).status_code == 404
    board = client.get("/matching/").content.decode()
    assert own.need.title not in board
    client.force_login(world.dept_staff)
    assert client.get(f"/matching/needs/{own.need.uuid}/").status_code == 403
    assert own.need.title in client.get("/matching/").content.decode()
    assert client.post(f"/matching/{own.uuid}/decline/", {"reason": "x"}).status_code == 403


# --- the API ---------------------------------------------------------------------------------------------


def test_api_suggestions_dismissals_and_the_pipeline(world, api, cats):
    need, offers = cats
    client = api(world.staff_a)
    body = client.get(f"/api/v1/needs/{need.uuid}/suggestions/?limit=3").json()
    assert body["subject"] == str(need.uuid) and len(body["results"]) == 3
    first = body["results"][0]
    assert first["offer"]["uuid"] == str(offers["cats"].uuid) and first["match"] is None
    assert {"code": "fields_match", "kind": "good", "text": "活動分野が一致: 環境の保全"} in first["reasons"]
    assert set(first["features"]) == set(matching.FEATURES)

    response = client.post("/api/v1/dismissals/", {"need": str(need.uuid), "offer": str(offers["beach"].uuid),
                                                   "reason": "other", "note": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["note"][0] == {"code": "note_required",
                                                             "message": "「その他」の場合は理由を入力してください。"}
    response = client.post("/api/v1/dismissals/", {"need": str(need.uuid), "offer": str(offers["beach"].uuid),
                                                   "reason": "area"}, format="json")
    assert response.status_code == 201 and response.json()["reason"] == "area"

    response = client.post("/api/v1/matches/", {"need": str(need.uuid), "offer": str(offers["cats"].uuid)}, format="json")
    assert response.status_code == 201
    uuid = response.json()["uuid"]
    response = client.post(f"/api/v1/matches/{uuid}/agree/", {"form": "jigyo_kyoryoku"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["fields"]["status"][0]["code"] == "meeting_required"
    response = client.post(f"/api/v1/matches/{uuid}/meetings/", {"held_on": "2020-13-01", "notes": ""}, format="json")
    assert response.status_code == 400 and "held_on" in response.json()["error"]["fields"]
    response = client.post(f"/api/v1/matches/{uuid}/meetings/", {"held_on": world.today.isoformat(),
                                                                 "notes": "顔合わせ"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "meeting"
    response = client.post(f"/api/v1/matches/{uuid}/agree/", {"form": "itaku"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["form"][0] == {"code": "legal_entity_required",
                                                             "message": "委託には法人格が必要です。"}
    assert client.post(f"/api/v1/matches/{uuid}/agree/", {"form": "kyosai"}, format="json").status_code == 200
    response = client.post(f"/api/v1/matches/{uuid}/case/", format="json")
    assert response.status_code == 201 and response.json()["status"] == "case_created"
    case = client.get(f"/api/v1/cases/{response.json()['case']}/").json()
    assert case["form"] == "kyosai" and case["title"] == need.title
    assert client.get("/api/v1/matches/?status=case_created").json()["count"] == 1
    body = client.get(f"/api/v1/needs/{need.uuid}/suggestions/").json()
    assert str(offers["beach"].uuid) not in {row["offer"]["uuid"] for row in body["results"]}
    assert client.get(f"/api/v1/needs/{need.uuid}/suggestions/?limit=0").status_code == 400


def test_api_needs_and_offers_take_choice_lists_with_japanese_errors(world, api):
    client = api(world.staff_a)
    response = client.post("/api/v1/needs/", {"title": "種", "description": "d", "requester": str(world.department.uuid),
                                              "allowed_forms": ["itaku", "bogus"]}, format="json")
    assert response.status_code == 400 and "allowed_forms" in response.json()["error"]["fields"]
    response = client.post("/api/v1/needs/", {"title": "種", "description": "d", "requester": str(world.department.uuid),
                                              "allowed_forms": ["itaku", "jigyo_kyoryoku", "itaku"],
                                              "covered_costs": ["transport"], "budget": "to_request"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["allowed_forms"] == ["itaku", "jigyo_kyoryoku"]
    offer = world.rec_a.offer
    response = client.patch(f"/api/v1/offers/{offer.uuid}/", {"available_months": [13]}, format="json")
    assert response.status_code == 400 and "available_months" in response.json()["error"]["fields"]
    response = client.patch(f"/api/v1/offers/{offer.uuid}/", {"available_months": [8, 7], "cost_conditions": ["transport"]},
                            format="json")
    assert response.json()["available_months"] == [7, 8]
    with pytest.raises(ValidationError) as error:
        services.need_update(acting_user=world.staff_a, need=world.rec_a.need, allowed_forms=["bogus"])
    assert error.value.error_dict["allowed_forms"][0].message == "想定する協働の形態は一覧から選んでください。"


def test_openapi_documents_the_matching_endpoints(world, api):
    schema = api(world.staff_a).get("/api/schema/").content.decode()
    for path in ("/api/v1/needs/{uuid}/suggestions/", "/api/v1/dismissals/", "/api/v1/matches/{uuid}/agree/",
                 "/api/v1/matches/{uuid}/case/"):
        assert path in schema, path


# --- the board and reminders ---------------------------------------------------------------------------


def _age(match, days: int) -> None:
    # Test setup: pretend the last step happened `days` ago (the trigger only guards the status).
    m.Match.objects.filter(pk=match.pk).update(last_activity_at=F("last_activity_at") - dt.timedelta(days=days))


def test_the_reminder_task_records_one_reminder_per_stall(world, cats, client):
    need, offers = cats
    stalled = services.match_propose(acting_user=world.staff_a, need=need, offer=offers["cats"])
    fresh = services.match_propose(acting_user=world.staff_a, need=need, offer=offers["beach"])
    _age(stalled, m.MATCH_STALLED_DAYS + 1)
    _age(fresh, m.MATCH_STALLED_DAYS - 1)
    assert tasks.remind_stalled_matches.apply().get() == 1
    assert tasks.remind_stalled_matches.apply().get() == 0  # idempotent
    reminder = m.MatchReminder.objects.get()
    assert reminder.match == stalled and reminder.center == world.a and reminder.status == m.MatchStatus.PROPOSED
    assert AuditEvent.objects.filter(action="match.remind", organization=world.a).exists()

    client.force_login(world.staff_a)
    board = client.get("/matching/").content.decode()
    assert f'class="item stalled" href="/matching/{stalled.uuid}/"' in board
    assert f'class="item" href="/matching/{fresh.uuid}/"' in board
    assert "リマインド済み" in board
    assert "日以上動いていないマッチング" in client.get("/").content.decode()

    # A meeting moves it; if it stalls again, it is reminded again.
    services.match_record_meeting(acting_user=world.staff_a, match=stalled, held_on=world.today, notes="再開")
    assert services.match_remind_stalled() == 0
    assert services.match_remind_stalled(now=timezone.now() + dt.timedelta(days=m.MATCH_STALLED_DAYS + 1)) == 2
    assert m.MatchReminder.objects.filter(match=stalled).count() == 2


def test_the_board_has_a_column_per_status(world, cats, client):
    need, offers = cats
    match = services.match_propose(acting_user=world.staff_a, need=need, offer=offers["cats"])
    board = selectors.match_board(user=world.staff_a)
    assert [c.status for c in board["columns"]] == ["proposed", "meeting", "agreed", "case_created", "declined"]
    assert board["columns"][0].matches == [match] and board["stalled"] == 0
    client.force_login(world.staff_a)
    page = client.get("/matching/").content.decode()
    for label in ("提案", "事前打ち合わせ", "合意", "協働事例を作成", "見送り"):
        assert f"<h2>{label} " in page


# --- the staff UI -----------------------------------------------------------------------------------------


def test_staff_work_through_the_ui(world, cats, client):
    need, offers = cats
    client.force_login(world.staff_a)
    page = client.get(f"/needs/{need.uuid}/").content.decode()
    assert f"/matching/needs/{need.uuid}/" in page
    page = client.get(f"/matching/needs/{need.uuid}/").content.decode()
    assert "活動分野が一致: 環境の保全" in page and page.index("譲渡会の開催") < page.index("海岸清掃の出前講座")
    response = client.post("/matching/dismiss/", {"need": need.uuid, "offer": offers["beach"].uuid, "reason": "area",
                                                  "next": f"/matching/needs/{need.uuid}/"})
    assert response.status_code == 302 and response["Location"] == f"/matching/needs/{need.uuid}/"
    assert m.SuggestionDismissal.objects.filter(need=need, offer=offers["beach"]).exists()
    response = client.post("/matching/propose/", {"need": need.uuid, "offer": offers["cats"].uuid})
    match = m.Match.objects.get(need=need, offer=offers["cats"])
    assert response["Location"] == f"/matching/{match.uuid}/"
    assert "事前打ち合わせ" in client.get(f"/matching/{match.uuid}/").content.decode()
    client.post(f"/matching/{match.uuid}/meetings/", {"held_on": world.today.isoformat(), "notes": "顔合わせ"})
    client.post(f"/matching/{match.uuid}/agree/", {"form": "jigyo_kyoryoku"})
    response = client.post(f"/matching/{match.uuid}/case/")
    match.refresh_from_db()
    assert match.status == m.MatchStatus.CASE_CREATED
    assert response["Location"] == f"/cases/{match.case.uuid}/"
    page = client.get(f"/offers/{offers['cats'].uuid}/").content.decode()
    assert f"/matching/{match.uuid}/" in page
    response = client.post(f"/matching/{match.uuid}/decline/", {"reason": "x"}, follow=True)
    assert "このマッチングはすでに終了しています。" in response.content.decode()


def test_need_form_offers_the_forms_as_checkboxes(world, client):
    client.force_login(world.staff_a)
    page = client.get("/needs/new/").content.decode()
    assert 'type="checkbox" name="allowed_forms" value="itaku"' in page
    response = client.post("/needs/new/", {"title": "公園の花壇", "description": "花壇づくり",
                                            "requester": world.department.pk, "allowed_forms": ["kyosai", "koen"],
                                            "covered_costs": ["transport"], "budget": "secured", "status": "open"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    need = m.Need.objects.get(title="公園の花壇")
    assert need.allowed_forms == ["kyosai", "koen"] and need.match_terms
    detail = client.get(f"/needs/{need.uuid}/").content.decode()
    assert "共催・後援" in detail and "match_terms" not in detail


# --- the published menu ---------------------------------------------------------------------------------


def test_the_published_menu_lists_offers_by_field_without_personal_data(world, cats, client):
    need, offers = cats
    services.offer_update(acting_user=world.staff_a, offer=offers["cats"], available_months=[5, 10],
                          cost_conditions=[m.CostItem.TRANSPORT], conditions="交通費程度")
    services.offer_update(acting_user=world.staff_a, offer=offers["satoyama"], is_published=False)
    response = client.get(f"/menu/{world.a.uuid}/")  # no login: it is a publication
    assert response.status_code == 200
    page = response.content.decode()
    assert "できることメニュー" in page and "@media print" in page and 'name="viewport"' in page
    assert "7. 環境の保全を図る活動" in page and "6. 学術、文化、芸術又はスポーツの振興を図る活動" in page
    assert "譲渡会の開催" in page and "Chigasaki Cat&#x27;s Protect" in page and "5月・10月" in page
    assert "交通費（交通費程度）" in page
    assert "谷戸の生きもの観察会" not in page  # not published
    assert "めだかサポーターの会" not in page  # another center's menu
    for personal in ("杉浦 花子", "0467-00-0000", "cats@example.jp"):
        assert personal not in page
    assert client.get(f"/menu/{world.b.uuid}/").content.decode().count("譲渡会の開催") == 1  # B's own offer
    assert client.get("/menu/00000000-0000-0000-0000-000000000000/").status_code == 404
    for user in (world.staff_a, world.dept_staff, world.member_a):  # departments are who the menu is for
        client.force_login(user)
        assert client.get("/menu/")["Location"] == f"/menu/{world.a.uuid}/"


# --- migrating the old free text -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "forms", "note"), [
    ("事業協力・委託（協働委託）", ["itaku", "jigyo_kyoryoku"], ""),
    ("共催・事業協力", ["kyosai", "jigyo_kyoryoku"], ""),
    ("協働推進事業（行政提案型）", ["kyodo_suishin_gyosei"], ""),
    ("委託か、市の補助金で", ["itaku", "hojo"], "委託か、市の補助金で"),
    ("未定", [], "未定"),
    ("", [], ""),
])
def test_old_free_text_forms_become_choices_and_the_rest_is_kept(text, forms, note):
    assert matching_text.parse_allowed_forms(text) == (forms, note)


def test_terms_are_content_words_in_normalized_form():
    found = matching.terms("子どもたちと保護猫の譲渡会を開催する団体を探している。ＴＮＲも行う。")
    assert {"猫", "譲渡", "保護", "tnr", "開催"} <= set(found)
    assert not {"団体", "探す", "行う", "を", "為る"} & set(found)
