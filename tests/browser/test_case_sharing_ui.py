"""A real browser: preview what the hub would receive of a case, side by side, then publish it."""

from __future__ import annotations

import pytest

from nodes import models as m, services
from permissions.models import Role
from sync.models import OutboxEntry

from .. import factories as f

pytestmark = [pytest.mark.browser]


@pytest.fixture
def shared_case(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = f.center("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")
    staff = f.member("staff", center, Role.CENTER_STAFF)
    cats = f.group(staff, center, "Chigasaki Cat's Protect", name_kana="チガサキキャッツプロテクト",
                   representative_name="猫田 まり", contact_phone="0467-58-2406", activity_fields=f.fields(7))
    for name, kana in (("浜辺クリーン隊", "ハマベクリーンタイ"), ("南湖の杜", "ナンゴノモリ")):
        f.group(staff, center, name, name_kana=kana)
    case = services.case_create(
        acting_user=staff, center=center, title="野良猫の不妊去勢手術", form=m.CollaborationForm.KYODO_SUISHIN_GYOSEI,
        fiscal_year_start=2014, total_cost=1_732_180, city_share=1_694_000,
        summary="代表の猫田 まりさん（０４６７－８２－１１１１）が地域の苦情に対応し、Chigasaki Cat's Protectが手術費を負担した。",
        lessons="住民説明会を重ねたことで、地域の理解が進んだ。",
        parties=[{"organization": cats.organization, "role": "lead", "contribution": "猫の生態に関する専門知識"}])
    return staff, case


def test_staff_see_the_replacements_side_by_side_and_publish(live_server, page, shot, shared_case):
    staff, case = shared_case
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/{case.uuid}/")
    assert page.inner_text("[data-hub-state]") == "ハブには未共有"
    page.click("text=共有の設定とプレビュー")
    page.wait_for_selector("table.share-diff")
    originals = page.locator("mark.personal").all_inner_texts()
    assert any("猫田" in text for text in originals) and any("0467" in text or "０４６７" in text for text in originals)
    placeholders = page.locator("mark.placeholder").all_inner_texts()
    assert {"〔人名〕", "〔電話番号〕", "〔団体名〕"} <= set(placeholders)
    assert "猫田" not in page.inner_text("table.share-diff td:nth-child(3)")
    shot(page, "10-case-share-preview")
    page.click("button:has-text('この内容でハブに公開する')")
    page.wait_for_selector("text=共有レベルを「匿名化してハブと共有」にしました")
    assert page.inner_text("[data-hub-state]") == "ハブへ送信待ち"  # no hub in this test: it waits in the outbox
    shot(page, "11-case-shared")
    entry = OutboxEntry.objects.get(entity_type="shared_case", entity_uuid=case.uuid)
    assert "猫田" not in str(entry.payload) and entry.payload["level"] == "anonymized"
