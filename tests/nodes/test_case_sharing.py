"""Sharing a collaboration case with the hub, on the node: the anonymized payload in the outbox is
exactly the preview; rare kinds, missing consents and leftover personal data hold it back."""

from __future__ import annotations

import re

import pytest

from nodes import services, sharing
from nodes.known_data import known_personal_data
from permissions.models import AuditEvent
from sync.anonymize import KnownPersonalData
from sync.models import OutboxEntry
from sync.outbox import canonical_json

from .. import factories as f

CANARY_SUMMARY = ("杉浦 花子さん（０４６７－００－００００）と山田太郎さんが中心になり、cats@example.jp で受付。"
                  "岡部 太郎さんの相談から始まった。Chigasaki Cat's Protectが猫の生態を説明した。")


def _shared(case) -> list[OutboxEntry]:
    return list(OutboxEntry.objects.filter(entity_type="shared_case", entity_uuid=case.uuid).order_by("id"))


@pytest.fixture
def case(world, settings):
    settings.KYODO_ANON_K = 2  # the world has two citizen groups at center A
    return services.case_update(acting_user=world.staff_a, case=world.rec_a.case, summary=CANARY_SUMMARY,
                                lessons="杉浦花子さんの後任探しが課題")


def test_an_anonymized_case_leaves_without_people_contacts_or_names(world, case, api):
    # A second group with the lead's kind and fields: the lead is one of k=2 alike, so its fields go too.
    f.group(world.staff_a, world.a, "湘南ねこ見守り隊", name_kana="ショウナンネコミマモリタイ", activity_fields=f.fields(7))
    services.case_set_sharing(acting_user=world.staff_a, case=case, level="anonymized")
    entry = _shared(case)[-1]
    assert entry.op == "upsert"
    text = canonical_json(entry.payload).decode()
    for canary in ("杉浦", "花子", "山田", "太郎", "岡部", "0467", "００", "cats@", "Chigasaki", "環境保全課"):
        assert canary not in text, canary
    assert "〔人名〕" in entry.payload["summary"] and "〔電話番号〕" in entry.payload["summary"]
    assert "〔団体名〕" in entry.payload["summary"]
    assert entry.payload["title"] == "野良猫の不妊去勢手術" and entry.payload["city_share"] == 1_694_000
    lead, department = entry.payload["parties"]
    assert (lead["kind"], lead["role"], lead["name"], lead["fields"]) == ("citizen_group", "lead", None, [7])
    assert re.fullmatch(r"[0-9a-f]{16}", lead["ref"]) and department["kind"] == "city_department"
    # The preview staff see is the payload the hub receives, byte for byte.
    preview = api(world.staff_a).get(f"/api/v1/cases/{case.uuid}/share/").json()
    assert preview["payload"] == entry.payload and preview["sendable"]
    summary_spans = preview["replacements"]["summary"]
    assert {r["kind"] for r in summary_spans} >= {"person", "phone", "email", "organization"}
    assert CANARY_SUMMARY[summary_spans[0]["start"]:summary_spans[0]["end"]].startswith("杉浦")


def test_each_scan_of_personal_data_is_audited_without_values(world, case):
    before = AuditEvent.objects.filter(action="sharing.personal_data_scan").count()
    sharing.case_share(case, "anonymized", actor=world.staff_a)
    event = AuditEvent.objects.filter(action="sharing.personal_data_scan").latest("id")
    assert AuditEvent.objects.filter(action="sharing.personal_data_scan").count() == before + 1
    assert event.actor == world.staff_a and "花子" not in canonical_json(event.detail).decode()


def test_a_kind_too_rare_at_the_center_holds_the_case_back(world, case, settings, api):
    settings.KYODO_ANON_K = 3
    response = api(world.staff_a).post(f"/api/v1/cases/{case.uuid}/share/", {"level": "anonymized"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["sendable"] is False and body["hub_state"]["code"] == "held"
    assert "市民活動団体" in body["held"][0] and "3団体未満" in body["held"][0]
    assert _shared(case) == []
    f.group(world.staff_a, world.a, "浜辺クリーン隊", name_kana="ハマベクリーンタイ")  # a third peer
    services.case_update(acting_user=world.staff_a, case=case, lessons="次年度も継続")
    assert _shared(case)[-1].op == "upsert"


def test_personal_data_the_scrubber_missed_blocks_the_send(world, case, monkeypatch):
    # Simulate a scrubber that misses everything: the final check against known data must stop it.
    monkeypatch.setattr(sharing, "scrub", lambda text, known: sharing.ScrubResult(text, []))
    share = sharing.case_share(case, "anonymized")
    assert not share.sendable and set(share.blocked) >= {"person", "phone", "email"}
    case = services.case_set_sharing(acting_user=world.staff_a, case=case, level="anonymized")
    assert _shared(case) == []
    state = sharing.hub_state(case)
    assert state.code == "held" and any("人名" in reason for reason in state.reasons)


def test_named_sharing_needs_every_partys_consent_and_a_withdrawal_retracts(world, case):
    case = services.case_set_sharing(acting_user=world.staff_a, case=case, level="named")
    assert _shared(case) == []
    assert any("Chigasaki Cat's Protect" in r for r in sharing.case_share(case).held)
    services.group_set_consent(acting_user=world.staff_a, group=world.group_a, consent="named_cases", given=True)
    services.case_update(acting_user=world.staff_a, case=case, lessons="後任探しが課題")
    payload = _shared(case)[-1].payload
    assert [p["name"] for p in payload["parties"]] == ["Chigasaki Cat's Protect", "環境保全課"]
    assert "花子" not in canonical_json(payload).decode()
    services.group_set_consent(acting_user=world.staff_a, group=world.group_a, consent="named_cases", given=False)
    assert _shared(case)[-1].op == "retract"


def test_unpublishing_retracts_and_deleting_purges(world, case):
    services.case_set_sharing(acting_user=world.staff_a, case=case, level="anonymized")
    services.case_set_sharing(acting_user=world.staff_a, case=case, level="private")
    assert [e.op for e in _shared(case)] == ["upsert", "retract"]
    services.case_set_sharing(acting_user=world.staff_a, case=case, level="anonymized")
    services.record_delete(acting_user=world.admin_a, record=case)
    assert [e.op for e in _shared(case)] == ["upsert", "retract", "upsert", "purge"]


def test_only_staff_of_the_center_may_preview_or_publish(world, case, api):
    url = f"/api/v1/cases/{case.uuid}/share/"
    assert api(world.staff_b).get(url).status_code == 404
    assert api(world.member_a).post(url, {"level": "anonymized"}, format="json").status_code in (403, 404)
    response = api(world.staff_a).post(url, {"level": "public"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["fields"]["level"][0]["code"] == "invalid_choice"
    assert _shared(case) == []


def test_known_data_covers_every_personal_field(world):
    known = known_personal_data()
    assert isinstance(known, KnownPersonalData)
    assert {"杉浦 花子", "山田 太郎", "ヤマダ タロウ", "岡部 太郎"} <= set(known.person_names)
    assert "0467-00-0000" in known.phones and "cats@example.jp" in known.emails
    assert "Chigasaki Cat's Protect" in known.organizations and "環境保全課" not in known.organizations


def test_personal_data_registered_after_sharing_is_caught_by_the_rescan(world, case):
    case = services.case_update(acting_user=world.staff_a, case=case, lessons="浜辺クリーン隊にも声をかけたい")
    services.case_set_sharing(acting_user=world.staff_a, case=case, level="anonymized")
    first = _shared(case)[-1]
    assert "浜辺クリーン隊" in first.payload["lessons"]  # not a known organization yet
    assert sharing.rescan_shared_cases() == 0  # nothing changed, nothing re-sent
    f.group(world.staff_a, world.a, "浜辺クリーン隊", name_kana="ハマベクリーンタイ")
    assert sharing.rescan_shared_cases() == 1
    again = _shared(case)[-1]
    assert again.op == "upsert" and again.version == first.version + 1
    assert "浜辺クリーン隊" not in again.payload["lessons"] and "〔団体名〕" in again.payload["lessons"]


def test_directory_entries_and_public_events_leave_without_the_people_in_their_texts(world):
    """Found by review: a group's description and an event's cancellation reason are free texts too."""
    group = services.group_update(acting_user=world.staff_a, group=world.group_a,
                                  description="代表の杉浦花子（0467-00-0000）が相談に応じます。平日は cats@example.jp へ。")
    services.group_set_consent(acting_user=world.staff_a, group=group, consent="hub_listing", given=True)
    entry = OutboxEntry.objects.filter(entity_type="directory_group", entity_uuid=group.uuid).latest("id")
    assert entry.payload["name"] == "Chigasaki Cat's Protect"  # it consented to be listed by name
    text = entry.payload["description"]
    assert "花子" not in text and "0467" not in text and "cats@" not in text and "〔人名〕" in text
    event = services.event_update(acting_user=world.staff_a, event=world.rec_a.event, is_public=True)
    services.event_cancel(acting_user=world.staff_a, event=event, reason="講師の山田太郎さん急病のため中止")
    entry = OutboxEntry.objects.filter(entity_type="public_event", entity_uuid=event.uuid).latest("id")
    assert entry.payload["cancellation_reason"] == "講師の〔人名〕さん急病のため中止"


def test_a_groups_postal_code_is_known_even_written_bare(world):
    """Seven bare digits are a postal code for the patterns only after 郵便番号; a code the node holds
    is found wherever it stands."""
    group = services.group_update(acting_user=world.staff_a, group=world.group_a, contact_postal_code="253-0041",
                                  description="資料は2530041の事務所までお送りください。")
    services.group_set_consent(acting_user=world.staff_a, group=group, consent="hub_listing", given=True)
    entry = OutboxEntry.objects.filter(entity_type="directory_group", entity_uuid=group.uuid).latest("id")
    assert "2530041" not in entry.payload["description"] and "〔郵便番号〕" in entry.payload["description"]
    assert "253-0041" in known_personal_data().postal_codes


def test_a_consultation_contact_with_a_phone_and_an_email_is_known_as_both(world):
    services.consultation_open(acting_user=world.staff_a, center=world.a, topic="設立相談", channel="phone",
                               requester_name="鈴木 一", requester_contact="090-1111-2222 / suzuki@example.jp")
    known = known_personal_data()
    assert "090-1111-2222" in known.phones and "suzuki@example.jp" in known.emails
    assert not any("/" in phone for phone in known.phones)


def test_named_and_anonymized_refs_of_one_organization_differ(world):
    organization = world.group_a.organization
    assert sharing.party_ref(organization) != sharing.party_ref(organization, named=True)


def test_the_preview_says_why_in_words_but_only_center_admins_learn_what_matched_the_records(world, case, api,
                                                                                            monkeypatch):
    url = f"/api/v1/cases/{case.uuid}/share/?level=anonymized"
    department = api(world.dept_staff).get(url).json()
    spans = [r for spans in department["replacements"].values() for r in spans]
    assert spans and all("layer" not in r and r["reason"].endswith("置き換えます。") for r in spans)
    admin = api(world.admin_a).get(url).json()
    assert {r["layer"] for spans in admin["replacements"].values() for r in spans} >= {"known"}
    # A block by the final check: the department learns the kind, not that the node holds the value.
    monkeypatch.setattr(sharing, "scrub", lambda text, known: sharing.ScrubResult(text, []))
    services.case_set_sharing(acting_user=world.staff_a, case=case, level="anonymized")
    reasons = api(world.dept_staff).get(url).json()["hub_state"]["reasons"]
    assert reasons and not any("登録済み" in reason for reason in reasons)
    assert any("登録済み" in reason for reason in api(world.admin_a).get(url).json()["hub_state"]["reasons"])


def test_a_rare_combination_of_fields_and_size_is_left_out_until_k_organizations_look_alike(world, case, settings):
    settings.KYODO_ANON_K = 3
    for name, kana in (("湘南ねこ見守り隊", "ショウナンネコミマモリタイ"), ("浜辺クリーン隊", "ハマベクリーンタイ"),
                       ("里山の会", "サトヤマノカイ")):
        f.group(world.staff_a, world.a, name, name_kana=kana, activity_fields=f.fields(7))

    def lead():
        share = sharing.case_share(case, "anonymized")
        assert share.sendable
        return share.payload["parties"][0], share.notes

    assert lead() == ({**lead()[0], "fields": [7], "size_band": None}, [])  # four groups: 市民活動団体 × 7 × —
    services.group_update(acting_user=world.staff_a, group=world.group_a, member_count=120)
    party, [note] = lead()
    assert (party["fields"], party["size_band"]) == ([7], None) and "会員数の規模を伏せて" in note and "100+" in note
    services.group_update(acting_user=world.staff_a, group=world.group_a, activity_fields=f.fields(7, 13))
    party, [note] = lead()
    assert (party["fields"], party["size_band"]) == ([], None) and "分野と会員数の規模を伏せて" in note
    # What the hub receives is that generalized payload.
    services.case_set_sharing(acting_user=world.staff_a, case=case, level="anonymized")
    assert _shared(case)[-1].payload["parties"][0]["fields"] == []
