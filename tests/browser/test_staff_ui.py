"""A real browser: log in, register a group in Japanese, find it with half-width katakana, see the dashboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nodes import models as m
from permissions.models import Role

from .. import factories as f

pytestmark = [pytest.mark.browser]


@pytest.fixture
def center_staff(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = f.center("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")
    staff = f.member("staff", center, Role.CENTER_STAFF)
    staff.last_name, staff.first_name = "三浦", "花子"
    staff.save()
    f.group(staff, center, "Chigasaki Cat's Protect", name_kana="チガサキキャッツプロテクト",
            renewal_due=__import__("datetime").date.today() + __import__("datetime").timedelta(days=30))
    f.event(staff, center, "分野別発表会＆交流会", theme="環境")
    return staff


def test_login_create_group_find_it_with_half_width_kana_and_open_dashboard(live_server, page, shot, center_staff):
    page.goto(f"{live_server.url}/")  # a visitor gets the center's public portal, with a login link
    page.click("main >> text=職員・団体のログイン")
    assert page.url.startswith(f"{live_server.url}/login/")
    shot(page, "01-login")
    page.fill("#id_username", "staff")
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.click("nav.main >> text=登録団体")
    page.click("text=＋ 新規登録")
    page.fill("#id_name", "ネコの手ボランティア茅ヶ崎")
    page.fill("#id_name_kana", "ねこのてぼらんてぃあちがさき")
    page.select_option("#id_legal_form", "voluntary")
    page.check("input[name=activity_fields][value='7']")
    page.check("input[name=activity_fields][value='3']")
    page.fill("#id_area", "茅ヶ崎市南湖")
    page.fill("#id_description", "地域猫の見守りと譲渡会の手伝いをしています。")
    page.check("input[name=consents][value=hub_listing]")
    shot(page, "02-group-form")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=保存しました。")
    assert page.is_visible("h1:has-text('ネコの手ボランティア茅ヶ崎')")
    shot(page, "03-group-detail")
    assert m.GroupRegistration.objects.get(organization__name="ネコの手ボランティア茅ヶ崎").organization.name_kana \
        == "ネコノテボランティアチガサキ"

    page.click("nav.main >> text=登録団体")
    page.fill("input[name=q]", "ﾈｺ")  # half-width katakana, as some keyboards and kintone exports give it
    # expect() rather than wait_for_function: the page's CSP allows no eval, which the latter needs.
    expect(page.locator("#results")).not_to_contain_text("Chigasaki")
    expect(page.locator("#results")).to_contain_text("ネコの手ボランティア茅ヶ崎")
    assert "1件" in page.inner_text("#results")
    assert "q=%EF%BE%88%EF%BD%BA" in page.url  # htmx pushed the query (ﾈｺ) into the address bar
    shot(page, "04-search-half-width")

    page.click("nav.main >> text=ダッシュボード")
    page.wait_for_selector("#renewals")
    assert "Chigasaki Cat's Protect" in page.inner_text("#renewals")
    assert "分野別発表会＆交流会" in page.inner_text("#upcoming")
    assert page.locator("#fields svg rect").count() >= 1
    shot(page, "05-dashboard")


def test_phone_width_still_usable(live_server, browser, shot, center_staff, console_problems):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    page = console_problems(context.new_page())
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the dashboard scrolls sideways on a phone ({width}px)"
    shot(page, "06-dashboard-phone")
    context.close()
