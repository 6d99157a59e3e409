"""The public talent bank on a phone (390 px): search, a card, the request form — under the strict CSP
(`console_problems` fails on any console error), without sideways scrolling. Bad input is tested in
tests/nodes/test_talent_bank.py (a 400 shows in the console)."""

from __future__ import annotations

import pytest

from nodes import models as m, services
from permissions.models import Role

from .. import factories as f

pytestmark = [pytest.mark.browser]


@pytest.fixture
def talent(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = f.center("にしく市民活動支援センター", "141038", "横浜市西区")
    staff = f.member("staff", center, Role.CENTER_STAFF)
    return services.talent_register(
        acting_user=staff, center=center, name="山本 和子", name_kana="ヤマモト カズコ", phone="045-000-9999",
        title="手品の名人", skills="テーブルマジックとステージ手品。子ども会や敬老会で。", area="西区内",
        availability="平日午後", conditions="材料費実費", activity_fields=f.fields(6),
        consents=["public_listing", "guidebook"])


def test_a_resident_finds_a_talent_and_sends_a_request_on_a_phone(live_server, browser, console_problems, talent, shot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = console_problems(context.new_page())
    try:
        page.goto(f"{live_server.url}/talent-bank/?q=ﾏｼﾞｯｸ")
        assert page.locator("article.talent h2").inner_text() == "手品の名人"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "talent-bank-phone-search")
        page.click("article.talent h2 a")
        page.fill("#id_requester_name", "小松 里美")
        page.fill("#id_requester_phone", "045-000-1111")
        page.fill("#id_purpose", "子ども会のクリスマス会で手品を見せてほしい")
        page.fill("#id_preferred_dates", "12月20日 午後")
        page.fill("#id_place", "自治会館")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "talent-bank-phone-request")
        with page.expect_navigation():
            page.click("form.request button[type=submit]")
        assert f"/talent-bank/{talent.uuid}/sent/" in page.url  # (the form's #request anchor follows along)
        assert "ご依頼を受け付けました" in page.content() and "045-000-9999" not in page.content()
        assert m.TalentRequest.objects.filter(talent=talent, status="pending").count() == 1
    finally:
        context.close()
