"""The center's daily operations in a real browser: staff assemble an edition of にしとも広場mini from an
upcoming event and a column, edit its order, preview and publish it, and a visitor reads it on the
portal, a requester's name scrubbed; the review sheet with an action carried from last year. At 390 px
(a phone) and 1280 px (a desktop), with nothing cut off."""

from __future__ import annotations

import pytest
from django.utils import timezone

from nodes.services import newsletters as news, review_sheets as sheets
from permissions.models import Role

from .. import factories as f
from .test_proposal_walk import _fits, _login

pytestmark = [pytest.mark.browser]

REQUESTER = "杉浦 花子"


@pytest.fixture
def nishiku(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = f.center("にしく市民活動支援センター", "141038", "横浜市")
    staff = f.member("staff", center, Role.CENTER_STAFF)
    # A person the node knows (a group's representative): their name must not reach the portal.
    f.group(staff, center, "西区子ども食堂ネットワーク", representative_name=REQUESTER, contact_phone="045-000-0001")
    f.event(staff, center, "はじめての傾聴講座", is_public=True, venue="にしとも広場 スペースA")
    newsletter = news.newsletter_create(acting_user=staff, center=center, title="にしとも広場mini", issues_per_year=4,
                                        format_note="A4版")
    last_year = sheets.review_sheet_create(acting_user=staff, center=center, fiscal_year=2025,
                                           partner_name="西区役所 地域振興課")
    sheets.review_action_add(acting_user=staff, sheet=last_year, owner="center",
                             text="にしとも広場miniの班回覧を浅間町の自治会にも広げる")
    sheets.review_sheet_create(acting_user=staff, center=center, fiscal_year=2026)
    return {"center": center, "newsletter": newsletter}


@pytest.mark.parametrize("width", [390, 1280])
def test_staff_assemble_preview_and_publish_a_newsletter(live_server, browser, console_problems, shot, nishiku, width):
    context, page = _login(browser, live_server, console_problems, "staff", width)
    page.goto(f"{live_server.url}/newsletters/")
    page.fill("#edition-new input[name=number]", "42")
    page.fill("#edition-new input[name=issue_date]", timezone.localdate().isoformat())
    page.fill("#edition-new input[name=headline]", "傾聴を学ぶ秋")
    page.click("#edition-new button[type=submit]")
    page.wait_for_selector("text=記事を選んでください")
    page.check("#edition-candidates label:has-text('はじめての傾聴講座') input")
    page.click("#edition-candidates button:has-text('選んだ記事を追加')")
    page.wait_for_selector("text=記事を追加しました")
    page.fill("#column-form input[name=heading]", "センターから")
    page.fill("#column-form textarea[name=body]", f"子ども食堂の{REQUESTER}さんの相談から、傾聴講座が生まれました。")
    page.click("#column-form button[type=submit]")
    page.wait_for_selector("text=コラムを追加しました")
    # The column first: staff change the order.
    page.locator("#edition-items fieldset").nth(1).locator("input[type=number]").fill("1")
    page.locator("#edition-items fieldset").nth(0).locator("input[type=number]").fill("2")
    page.click("#edition-items button:has-text('見出し・本文・順番を保存')")
    page.wait_for_selector("text=見出し・本文・順番を保存しました")
    assert "センターから" in page.locator("#edition-items fieldset").nth(0).locator("input[type=text]").input_value()
    page.fill("input[name=distribution-0-recipient]", "浅間町一丁目町内会")
    page.fill("input[name=distribution-0-han_count]", "12")
    page.fill("input[name=distribution-0-copies]", "12")
    page.select_option("select[name=distribution-1-kind]", "facility")
    page.fill("input[name=distribution-1-recipient]", "西地区センター")
    page.fill("input[name=distribution-1-copies]", "50")
    page.click("#edition-distribution button[type=submit]")
    page.wait_for_selector("text=合計 62部")
    _fits(page, width)
    shot(page, f"newsletter-edit-{width}")

    page.click("#preview-link")
    page.wait_for_selector("#newsletter-body")
    body = page.inner_text("#newsletter-body")
    assert "はじめての傾聴講座" in body and "第42号" in body and REQUESTER not in body
    _fits(page, width)
    shot(page, f"newsletter-preview-{width}")
    page.go_back()
    page.click("#edition-publish button[type=submit]")
    page.wait_for_selector("text=発行しました")

    visitor = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP")
    portal = console_problems(visitor.new_page())
    portal.goto(f"{live_server.url}/portal/{nishiku['center'].uuid}/newsletters/")
    portal.click("text=にしとも広場mini 第42号")
    portal.wait_for_selector("#newsletter-body")
    text = portal.inner_text("#newsletter-body")
    assert "はじめての傾聴講座" in text and "傾聴を学ぶ秋" in text
    assert REQUESTER not in text and REQUESTER.replace(" ", "") not in text
    _fits(portal, width)
    shot(portal, f"newsletter-portal-{width}")
    visitor.close()
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_review_sheet_page(live_server, browser, console_problems, shot, nishiku, width):
    context, page = _login(browser, live_server, console_problems, "staff", width)
    page.goto(f"{live_server.url}/review-sheets/")
    page.click("text=2026年度")
    page.wait_for_selector("#review-actions")
    assert "2025年度から引き継ぎ" in page.inner_text("#review-actions")
    first = page.locator("#review-items fieldset").first
    first.locator("select").first.select_option("B")
    first.locator("textarea").first.fill("相談件数は目標に届いた")
    page.click("#review-sheet-form button[type=submit]")
    page.wait_for_selector("text=シートを保存しました")
    assert "センターの評価" in page.inner_text("#review-history")
    _fits(page, width)
    shot(page, f"review-sheet-{width}")
    context.close()
