"""わたしの団体 and the staff renewals pages: who sees what, forms with bad input, approvals."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from nodes import models as m, services
from permissions.models import AuditEvent, Role

from .. import factories as f

DUE = dt.date(2026, 3, 31)


@pytest.fixture
def opened(world):
    services.renewals_sweep(today=DUE - dt.timedelta(days=60))
    return m.RegistrationRenewal.objects.get(group=world.group_a)


@pytest.fixture
def other_member(world):
    return f.member("member_a2", world.group_a2.organization, Role.GROUP_MEMBER)


def _group_urls(group):
    return [
        ("get", reverse("my-group-detail", args=[group.uuid]), {}),
        ("post", reverse("my-group-renewal", args=[group.uuid]), {"continues": "yes"}),
        ("post", reverse("my-group-consent", args=[group.uuid]), {"consent": "hub_listing", "given": "1"}),
        ("get", reverse("my-group-propose", args=[group.uuid, "profile"]), {}),
        ("post", reverse("my-group-propose", args=[group.uuid, "offer"]), {"title": "x", "description": "y"}),
    ]


def test_a_member_sees_its_own_group_page(client, world, opened):
    client.force_login(world.member_a)
    response = client.get(reverse("my-group"))
    assert response.status_code == 302
    assert response.url == reverse("my-group-detail", args=[world.group_a.uuid])
    page = client.get(response.url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Chigasaki Cat&#x27;s Protect" in body and "譲渡会の開催" in body
    assert "赤ちゃんからのアートフレンドシップ" not in body  # another group of the same center
    assert 'id="proposals"' in body  # the lead's place for 提案
    assert "登録更新の受付開始" in body  # the notice written by the sweep
    assert AuditEvent.objects.filter(action="groupregistration.self_view", target_uuid=world.group_a.uuid).exists()


def test_another_groups_member_gets_404_everywhere_even_guessing(client, world, opened, other_member):
    for user in (other_member, world.staff_b):
        client.force_login(user)
        for method, url, data in [*_group_urls(world.group_a), *_group_urls(type("G", (), {"uuid": uuid.uuid4()}))]:
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, (user, url)
    opened.refresh_from_db()
    world.group_a.refresh_from_db()
    assert opened.status == m.RenewalStatus.OPEN and world.group_a.consent_hub_listing_at is None
    assert not m.GroupChangeRequest.objects.exists()


def test_without_a_group_the_my_group_page_is_forbidden(client, world):
    client.force_login(world.staff_a)
    assert client.get(reverse("my-group")).status_code == 403


def test_members_cannot_reach_the_staff_pages(client, world, opened):
    change = services.change_request_submit(acting_user=world.member_a, group=world.group_a, target="profile",
                                            values={"description": "新しい紹介文", "area": "茅ヶ崎市全域"})
    client.force_login(world.member_a)
    assert client.get(reverse("renewals")).status_code == 403
    assert client.get(reverse("renewal-detail", args=[opened.uuid])).status_code == 403
    assert client.post(reverse("renewal-detail", args=[opened.uuid]), {"action": "accept"}).status_code == 403
    assert client.get(reverse("group-changes")).status_code == 403
    assert client.post(reverse("group-change-decide", args=[change.uuid, "approve"])).status_code == 403
    change.refresh_from_db()
    assert change.status == "pending"


def test_the_renewal_form_with_bad_input_shows_japanese_errors_and_changes_nothing(client, world, opened):
    client.force_login(world.member_a)
    url = reverse("my-group-renewal", args=[world.group_a.uuid])
    response = client.post(url, {"changes": "会員が増えました"})
    assert response.status_code == 400
    assert "活動を継続するかどうかを選んでください。" in response.content.decode()
    response = client.post(url, {"continues": "yes", "difficulties": ["other"]})
    assert response.status_code == 400
    assert "「その他」を選んだときは、課題の内容を書いてください。" in response.content.decode()
    response = client.post(url, {"continues": "yes", "difficulties": ["weather"]})
    assert response.status_code == 400
    opened.refresh_from_db()
    assert (opened.status, opened.answered_at) == (m.RenewalStatus.OPEN, None)


def test_a_member_answers_and_staff_accept(client, world, opened):
    client.force_login(world.member_a)
    response = client.post(reverse("my-group-renewal", args=[world.group_a.uuid]),
                           {"continues": "yes", "difficulties": ["successors", "aging"], "changes": ""})
    assert response.status_code == 302
    client.force_login(world.staff_a)
    page = client.get(reverse("renewals")).content.decode()
    assert "Chigasaki Cat&#x27;s Protect" in page and "担い手不足" in page
    response = client.post(reverse("renewal-detail", args=[opened.uuid]), {"action": "accept"})
    assert response.status_code == 302
    world.group_a.refresh_from_db()
    assert world.group_a.renewal_due == dt.date(2029, 3, 31)


def test_the_difficulty_counts_per_fiscal_year(client, world, opened):
    services.renewal_answer(acting_user=world.member_a, renewal=opened, continues=True,
                            difficulties=["funding", "place"])
    services.renewal_answer(acting_user=world.staff_a, renewal=m.RegistrationRenewal.objects.get(group=world.group_a2),
                            continues=True, difficulties=["funding"])
    client.force_login(world.staff_a)
    data = client.get(reverse("renewals"), {"fy": "2025"}).context["data"]
    assert dict(data["difficulty_rows"])["資金"] == 2 and dict(data["difficulty_rows"])["活動場所"] == 1
    assert data["answered_count"] == 2
    client.force_login(world.staff_b)
    data = client.get(reverse("renewals"), {"fy": "2025"}).context["data"]
    assert data["answered_count"] == 0 and dict(data["difficulty_rows"])["資金"] == 0


def test_staff_ask_for_changes_needs_a_note(client, world, opened):
    services.renewal_answer(acting_user=world.member_a, renewal=opened, continues=True)
    client.force_login(world.staff_a)
    url = reverse("renewal-detail", args=[opened.uuid])
    response = client.post(url, {"action": "changes", "review-note": ""})
    assert response.status_code == 400
    assert "修正してほしい点を書いてください。" in response.content.decode()
    opened.refresh_from_db()
    assert opened.status == m.RenewalStatus.ANSWERED
    assert client.post(url, {"action": "changes", "review-note": "会員数を教えてください"}).status_code == 302
    opened.refresh_from_db()
    assert opened.status == m.RenewalStatus.CHANGES_REQUESTED


def test_staff_enter_a_phone_answer_for_another_centers_group_404(client, world, opened):
    client.force_login(world.staff_b)
    assert client.get(reverse("renewal-detail", args=[opened.uuid])).status_code == 404


def test_consents_take_effect_at_once(client, world):
    client.force_login(world.member_a)
    response = client.post(reverse("my-group-consent", args=[world.group_a.uuid]),
                           {"consent": "hub_listing", "given": "1"})
    assert response.status_code == 302
    world.group_a.refresh_from_db()
    assert world.group_a.consent_hub_listing_at is not None


def test_a_profile_change_waits_for_staff_approval(client, world):
    client.force_login(world.member_a)
    url = reverse("my-group-propose", args=[world.group_a.uuid, "profile"])
    response = client.post(url, {"description": "地域猫活動と譲渡会を続けています。", "area": "茅ヶ崎市全域"})
    assert response.status_code == 302
    world.group_a.refresh_from_db()
    assert world.group_a.description != "地域猫活動と譲渡会を続けています。"
    change = m.GroupChangeRequest.objects.get()
    client.force_login(world.staff_a)
    assert "地域猫活動と譲渡会を続けています。" in client.get(reverse("group-changes")).content.decode()
    assert client.post(reverse("group-change-decide", args=[change.uuid, "approve"])).status_code == 302
    world.group_a.refresh_from_db()
    assert world.group_a.description == "地域猫活動と譲渡会を続けています。"
    change.refresh_from_db()
    assert change.status == "approved"
    assert AuditEvent.objects.filter(action="groupchangerequest.approved", target_uuid=change.uuid).exists()
    assert m.GroupNotice.objects.filter(group=world.group_a, kind="change_decided").exists()


def test_an_offer_proposal_with_bad_input_shows_errors_and_creates_nothing(client, world):
    client.force_login(world.member_a)
    response = client.post(reverse("my-group-propose", args=[world.group_a.uuid, "offer"]),
                           {"title": "", "description": ""})
    assert response.status_code == 400
    assert "この項目は必須です。" in response.content.decode()
    assert not m.GroupChangeRequest.objects.exists()


def test_an_offer_edit_replaces_the_published_offer_only_when_approved(client, world):
    offer = world.rec_a.offer
    client.force_login(world.member_a)
    url = reverse("my-group-propose", args=[world.group_a.uuid, "offer"]) + f"?offer={offer.uuid}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "保護猫の譲渡会", "description": "月1回、市民活動サポートセンターで"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.title == "譲渡会の開催"
    change = m.GroupChangeRequest.objects.get()
    client.force_login(world.staff_a)
    client.post(reverse("group-change-decide", args=[change.uuid, "reject"]), {"note": ""})
    change.refresh_from_db()
    assert change.status == "pending"  # a rejection needs its reason
    client.post(reverse("group-change-decide", args=[change.uuid, "reject"]), {"note": "写真を添えてください"})
    change.refresh_from_db()
    offer.refresh_from_db()
    assert change.status == "rejected" and offer.title == "譲渡会の開催"


def test_another_groups_offer_cannot_be_targeted(client, world):
    client.force_login(world.member_a)
    url = reverse("my-group-propose", args=[world.group_a.uuid, "offer"]) + f"?offer={world.offer_a2.uuid}"
    assert client.get(url).status_code == 404


def test_an_event_proposal_becomes_a_public_event_on_approval(client, world):
    client.force_login(world.member_a)
    response = client.post(reverse("my-group-propose", args=[world.group_a.uuid, "event"]),
                           {"title": "保護猫譲渡会", "kind": m.EventKind.choices[0][0],
                            "starts_at": "2026-12-20T13:00", "venue": "茅ヶ崎市民活動サポートセンター"})
    assert response.status_code == 302
    assert not m.Event.objects.filter(title="保護猫譲渡会").exists()
    change = m.GroupChangeRequest.objects.get()
    services.change_request_approve(acting_user=world.staff_a, change=change)
    event = m.Event.objects.get(title="保護猫譲渡会")
    assert event.is_public and list(event.organizers.all()) == [world.group_a.organization]


def test_a_members_start_page_is_its_group(client, world):
    client.force_login(world.member_a)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("my-group")
    client.force_login(world.staff_a)
    assert client.get(reverse("home")).status_code == 200


def test_the_staff_group_page_links_its_renewal(client, world, opened):
    client.force_login(world.staff_a)
    page = client.get(reverse("record-detail", args=["groups", world.group_a.uuid])).content.decode()
    assert reverse("renewal-detail", args=[opened.uuid]) in page
    client.force_login(world.member_a)
    page = client.get(reverse("record-detail", args=["groups", world.group_a.uuid])).content.decode()
    assert reverse("renewal-detail", args=[opened.uuid]) not in page


def test_a_public_event_the_group_organizes_changes_only_when_staff_approve(client, world):
    event = f.event(world.staff_a, world.a, "保護猫譲渡会", is_public=True, organizers=[world.group_a.organization],
                    venue="市民活動サポートセンター")
    others = f.event(world.staff_a, world.a, "美術鑑賞講座", is_public=True, organizers=[world.group_a2.organization])
    client.force_login(world.member_a)
    url = reverse("my-group-propose", args=[world.group_a.uuid, "event"])
    assert f"?event={event.uuid}" in client.get(reverse("my-group-detail", args=[world.group_a.uuid])).content.decode()
    page = client.get(f"{url}?event={event.uuid}").content.decode()
    assert 'value="保護猫譲渡会"' in page  # the form starts from the published event
    assert client.get(f"{url}?event={others.uuid}").status_code == 404  # another group's event
    starts = (dt.datetime.now() + dt.timedelta(days=20)).replace(hour=13, minute=0).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"{url}?event={event.uuid}", {"title": "保護猫譲渡会（会場変更）", "kind": event.kind,
                                                          "starts_at": starts, "venue": "茅ヶ崎市役所 分庁舎"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "保護猫譲渡会"  # nothing published changes before approval
    change = m.GroupChangeRequest.objects.get()
    assert change.event == event
    services.change_request_approve(acting_user=world.staff_a, change=change)
    event.refresh_from_db()
    assert (event.title, event.venue) == ("保護猫譲渡会（会場変更）", "茅ヶ崎市役所 分庁舎")
    assert m.Event.objects.filter(title__startswith="保護猫譲渡会").count() == 1  # edited, not added


def test_an_event_edit_cannot_name_another_groups_event_even_through_the_service(world):
    others = f.event(world.staff_a, world.a, "美術鑑賞講座", is_public=True, organizers=[world.group_a2.organization])
    with pytest.raises(ValidationError) as caught:
        services.change_request_submit(acting_user=world.member_a, group=world.group_a, target="event", event=others,
                                       values={"title": "x", "kind": others.kind, "starts_at": others.starts_at})
    assert caught.value.error_dict["event"][0].code == "other_event"
    assert not m.GroupChangeRequest.objects.exists()
