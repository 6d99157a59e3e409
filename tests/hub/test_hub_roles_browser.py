"""The 県社協 coordinator's hub in Chromium at 390 px and 1280 px: the menu holds 連携状況, 災害対応 and
スタディツアー only, the footer names みんかな and its partners, and 統計 answers the refusal page —
nothing cut off, no console error under the strict CSP."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from deploy.demo.hub import seed_hub

from ..browser.chromium import screenshot

pytestmark = [pytest.mark.browser]

PASSWORD = "kyodo-demo-2026"


@pytest.fixture
def demo_hub(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_hub()
    assert get_user_model().objects.filter(username="shakyo-coordinator").exists()


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width}px ({scroll}px)"
    for link in page.locator("nav.main a").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, f"menu item {link.inner_text()} cut off"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_shakyo_coordinators_menu(live_server, browser, demo_hub, width):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900}, locale="ja-JP",
                                  timezone_id="Asia/Tokyo")
    page = context.new_page()
    problems: list[str] = []
    # The refusal itself is a 403 the console reports as a failed load: expected, anything else is not.
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and "status of 403" not in message.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "shakyo-coordinator")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        page.click("nav.main a:has-text('災害対応')")
        page.wait_for_selector("#disasters >> text=みんかな県域合同訓練（情報共有）")
        assert [a.inner_text() for a in page.locator("nav.main a").all()] == ["連携状況", "災害対応", "スタディツアー"]
        footer = page.locator("#hub-operator").inner_text()
        assert footer.startswith("運営：災害復興暮らし応援・みんなのネットワークかながわ（みんかな）")
        assert "神奈川県社会福祉協議会" in footer
        _fits(page, width)
        screenshot(page, f"hub-shakyo-menu-{width}")
        response = page.goto(f"{live_server.url}/statistics/")
        assert response.status == 403
        assert "このページを開く権限がありません" in page.locator("#hub-forbidden").inner_text()
        _fits(page, width)
        screenshot(page, f"hub-shakyo-forbidden-{width}")
    finally:
        context.close()
    assert problems == []


@pytest.mark.parametrize("width", [1280, 390])
def test_the_admins_roles_and_scopes_page(live_server, browser, demo_hub, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "hub-admin")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        page.goto(f"{live_server.url}/scopes/")
        page.select_option("#id_membership", label="神奈川県社会福祉協議会：石田 健（災害対応コーディネーター）")
        page.select_option("#id_scope", "view_hub_statistics")
        page.fill("#id_reason", "災害ボランティアセンターの報告に統計を使うため")
        with page.expect_navigation():
            page.click("#scope-grant button[type=submit]")
        assert "「統計・センター別の集計・閲覧数」を付与しました。" in page.locator("ul.messages").inner_text()
        assert "災害ボランティアセンターの報告に統計を使うため" in page.locator("main").inner_text()
        _fits(page, width)
        screenshot(page, f"hub-scopes-{width}")
    finally:
        context.close()
