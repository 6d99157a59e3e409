"""The staff UI through Django's test client: every page renders, forms validate in Japanese, scope holds."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from nodes import models as m
from nodes.ui import RECORDS

from .test_api_validation import _snapshot


@pytest.fixture
def staff(world, client):
    client.force_login(world.staff_a)
    return client


def test_login_page_and_redirect(client, db):
    # `/` is the public portal for a visitor (nodes.views_public); staff pages still ask to sign in.
    response = client.get("/groups/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "/login/" in client.get("/").content.decode()
    page = client.get("/login/").content.decode()
    assert "ログイン" in page and 'lang="ja"' in page


def test_dashboard_shows_renewals_steps_events_and_cases(world, staff):
    from nodes import services

    services.group_update(acting_user=world.staff_a, group=world.group_a2, renewal_due=world.today)
    page = staff.get("/").content.decode()
    assert "90日以内に更新期限を迎える団体" in page and world.group_a2.name in page
    assert "インテーク" in page and "団体交流会" in page and "野良猫の不妊去勢手術" in page
    assert "めだか" not in page  # center B's records


@pytest.fixture
def study_tours(world):
    """The world has no study tour: one per center, for the pages below."""
    import datetime as dt

    from nodes import tours

    for staff_user, center in ((world.staff_a, world.a), (world.staff_b, world.b)):
        tours.tour_create(acting_user=staff_user, center=center, title="スタディツアー", starts_on=world.today,
                          ends_on=world.today + dt.timedelta(days=1))


@pytest.mark.parametrize("slug", sorted(RECORDS))
@pytest.mark.usefixtures("study_tours")
def test_every_list_detail_and_form_renders(world, staff, slug):
    assert staff.get(f"/{slug}/").status_code == 200
    assert staff.get(f"/{slug}/new/").status_code == 200
    record = RECORDS[slug].model.objects.filter(center=world.a).first() if slug != "organizations" else world.department
    assert staff.get(f"/{slug}/{record.uuid}/").status_code == 200
    assert staff.get(f"/{slug}/{record.uuid}/edit/").status_code == 200


@pytest.mark.parametrize("slug", sorted(RECORDS))
@pytest.mark.usefixtures("study_tours")
def test_other_centers_records_are_404_in_the_ui(world, staff, slug):
    record = RECORDS[slug].model.objects.filter(center=world.b).first() if slug != "organizations" else world.b
    for suffix in ("", "edit/"):
        assert staff.get(f"/{slug}/{record.uuid}/{suffix}").status_code == 404
    assert staff.post(f"/{slug}/{record.uuid}/delete/").status_code == 404


@pytest.mark.parametrize("query", ["ﾁｶﾞｻｷ", "ちがさき", "チガサキ", "ｷｬｯﾂ"])
def test_search_ignores_width_and_kana(world, staff, query):
    page = staff.get("/groups/", {"q": query}).content.decode()
    assert "Chigasaki Cat&#x27;s Protect" in page
    assert "アートフレンドシップ" not in page


def test_htmx_search_returns_only_the_table(world, staff):
    response = staff.get("/groups/", {"q": "ｱｰﾄ"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    body = response.content.decode()
    assert "<html" not in body and "アートフレンドシップ" in body


def test_invalid_group_form_shows_japanese_errors_and_writes_nothing(world, staff):
    before = _snapshot()
    response = staff.post("/groups/new/", {"name": "", "kind": "citizen_group", "legal_form": "voluntary",
                                           "status": "active", "corporate_number": "123", "member_count": "-1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "この項目は必須です。" in page and "入力内容を確認してください" in page
    assert _snapshot() == before
    response = staff.post("/groups/new/", {"name": "新しい会", "kind": "citizen_group", "legal_form": "npo",
                                           "status": "active", "corporate_number": "1234567890123"})
    assert response.status_code == 400
    assert "法人番号は13桁で、先頭の検査数字が一致する必要があります。" in response.content.decode()
    assert _snapshot() == before


def test_create_group_with_japanese_text_and_consents(world, staff):
    response = staff.post("/groups/new/", {
        "name": "茅ヶ崎海岸清掃ボランティア", "name_kana": "ちがさきかいがんせいそう", "kind": "citizen_group",
        "legal_form": "volunteer", "status": "active", "activity_fields": ["7", "3"], "consents": ["hub_listing"],
        "registered_on": "2025-05-01",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    group = m.GroupRegistration.objects.get(organization__name="茅ヶ崎海岸清掃ボランティア")
    assert group.organization.name_kana == "チガサキカイガンセイソウ"
    assert group.renewal_due.isoformat() == "2028-03-31" and group.consent_hub_listing_at is not None
    detail = staff.get(response["Location"]).content.decode()
    assert "2028年3月31日（令和10年3月31日）" in detail


def test_case_form_with_parties(world, staff):
    response = staff.post("/cases/new/", {
        "title": "海岸清掃の協働", "summary": "市と団体で", "form": "jigyo_kyoryoku", "fiscal_year_start": "2024",
        "outcome": "continued", "sharing_level": "private", "responsible_department": world.department.pk,
        "parties-TOTAL_FORMS": "2", "parties-INITIAL_FORMS": "0",
        "parties-0-organization": world.group_a.organization.pk, "parties-0-role": "lead",
        "parties-0-contribution": "清掃の呼びかけ", "parties-1-organization": "", "parties-1-role": "partner",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    case = m.CollaborationCase.objects.get(title="海岸清掃の協働")
    assert [(p.organization, p.contribution) for p in case.party_roles.all()] == [
        (world.group_a.organization, "清掃の呼びかけ")]
    page = staff.get(response["Location"]).content.decode()
    assert "2024年度（令和6年度）" in page


def test_consultation_advances_with_htmx(world, staff):
    url = f"/consultations/{world.rec_a.consultation.uuid}/advance/"
    response = staff.post(url, {"note": "団体を紹介"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()
    world.rec_a.consultation.refresh_from_db()
    assert world.rec_a.consultation.step == "coordinate"
    assert world.rec_a.consultation.coordinate_note == "団体を紹介"


def test_group_consent_and_renewal_buttons(world, staff):
    staff.post(f"/groups/{world.group_a.uuid}/consent/", {"consent": "disaster_contact", "given": "1"})
    world.group_a.refresh_from_db()
    assert world.group_a.consent_disaster_contact_at is not None
    staff.post(f"/groups/{world.group_a.uuid}/consent/", {"consent": "disaster_contact", "given": "0"})
    world.group_a.refresh_from_db()
    assert world.group_a.consent_disaster_contact_at is None


def test_a_service_error_reaches_staff_in_the_language_their_browser_asks_for(world, staff):
    url = f"/groups/{world.group_a.uuid}/consent/"
    page = staff.post(url, {"consent": "newsletter", "given": "1"}, follow=True).content.decode()
    assert "不明な同意項目です。" in page
    page = staff.post(url, {"consent": "newsletter", "given": "1"}, follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in page and "Unknown consent item." in page and "不明な同意項目です。" not in page


def test_staff_cannot_delete_but_admin_can(world, client):
    client.force_login(world.staff_a)
    assert client.post(f"/events/{world.rec_a.event.uuid}/delete/").status_code == 403
    client.force_login(world.admin_a)
    assert client.post(f"/events/{world.rec_a.event.uuid}/delete/").status_code == 302
    assert not m.Event.objects.filter(pk=world.rec_a.event.pk).exists()


def test_group_member_sees_its_own_group_only(world, client):
    client.force_login(world.member_a)
    page = client.get("/groups/").content.decode()
    assert "Chigasaki Cat&#x27;s Protect" in page and "アートフレンドシップ" not in page
    assert client.get(f"/groups/{world.group_a2.uuid}/").status_code == 404


def test_csv_import_preview_and_confirm_in_the_ui(world, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    raw = "団体名,フリガナ\n浜の会,ハマノカイ\n".encode("cp932")
    response = staff.post("/groups/import/", {"file": SimpleUploadedFile("g.csv", raw), "center": world.a.pk})
    page = response.content.decode()
    assert response.status_code == 200 and "1件を登録できます" in page
    assert not m.GroupRegistration.objects.filter(organization__name="浜の会").exists()
    import re

    payload = re.search(r'name="payload" value="([^"]+)"', page).group(1)
    response = staff.post("/groups/import/confirm/", {"payload": payload, "center": str(world.a.uuid)})
    assert response.status_code == 302
    assert m.GroupRegistration.objects.filter(organization__name="浜の会").exists()
    bad = "団体名,会員数\n海の会,abc\n".encode()
    response = staff.post("/groups/import/", {"file": SimpleUploadedFile("g.csv", bad), "center": world.a.pk})
    assert response.status_code == 400
    assert "2" in response.content.decode() and "会員数" in response.content.decode()


def test_english_is_available(world, staff):
    staff.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = staff.get("/").content.decode()
    # The request left English active in this thread; the tests without a request that pytest-django
    # runs after the database tests would read their messages in English.
    translation.activate(settings.LANGUAGE_CODE)
    assert 'lang="en"' in page and "Dashboard" in page
