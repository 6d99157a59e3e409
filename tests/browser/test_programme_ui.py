"""協働推進事業 in a real browser: center staff register a 市民提案型 call on a desktop, take a citizen
theme, open the call, record an 意見交換会 and an application, move to 審査, record the 公開プレゼン and
adopt it into the two-year case; the same pages on a phone keep everything in sight. Refused steps
are tested in tests/nodes/test_programme.py (a 400 shows in the console)."""

from __future__ import annotations

import pytest

from nodes import models as m
from permissions.models import OrganizationKind, Role
from permissions.services import organization_create

from .. import factories as f
from .chromium import screenshot

pytestmark = [pytest.mark.browser]


@pytest.fixture
def city(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = f.center("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")
    staff = f.member("staff", center, Role.CENTER_STAFF)
    department = organization_create(acting_user=staff, name="文化生涯学習課", kind=OrganizationKind.CITY_DEPARTMENT,
                                     center=center, municipality_code="142077", municipality_name="茅ヶ崎市")
    group = f.group(staff, center, "NPO法人赤ちゃんからのアートフレンドシップ協会",
                    name_kana="アカチャンカラノアートフレンドシップキョウカイ", legal_form=m.LegalForm.NPO,
                    activity_fields=f.fields(6, 13))
    return {"center": center, "department": department, "group": group}


def _login(browser, live_server, console_problems, username: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900}, locale="ja-JP",
                                  timezone_id="Asia/Tokyo")
    page = console_problems(context.new_page())
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation before a call moves on
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return context, page


def _shot(page, name: str) -> None:
    """A full-page screenshot, then the page scrolled back: after one, Chromium's hit-testing of the
    next click could be off by the scroll the capture used (a click meant for a button reached <main>)."""
    screenshot(page, name)
    page.evaluate("window.scrollTo(0, 0)")


def _fits(page, width: int) -> None:
    """Nothing cut off: the page does not scroll sideways and every menu item is in sight."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width}px ({scroll}px)"
    for link in page.locator("nav.main a").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, f"menu item {link.inner_text()} cut off"


def _advance(page, to: str) -> None:
    page.click("#advance")
    page.wait_for_selector(f"#call-status:has-text('{to}')")


def test_staff_take_a_call_through_adoption_on_a_desktop_and_read_it_on_a_phone(
        live_server, browser, console_problems, city):
    context, staff = _login(browser, live_server, console_problems, "staff", 1280)
    staff.click("nav.main >> text=協働推進事業")
    staff.click("a:has-text('募集を登録')")
    staff.fill("#id_fiscal_year", "2025")
    staff.select_option("#id_track", m.ProgrammeTrack.SHIMIN)
    for field, day in (("briefing_on", "2025-07-05"), ("opens_on", "2025-08-01"), ("deadline_on", "2025-10-31"),
                       ("presentation_on", "2025-12-06"), ("decision_on", "2025-12-19")):
        staff.fill(f"#id_{field}", day)
    _fits(staff, 1280)
    _shot(staff, "programme-01-new-call-desktop")
    staff.click("button:has-text('保存')")
    staff.wait_for_selector("h1:has-text('令和7年度 市民提案型協働推進事業')")

    # テーマ募集: a group's theme, taken as a theme of the call; then 公募.
    staff.click("#themes summary")
    staff.fill("#themes #id_title", "子どもが美術にふれる機会づくり")
    staff.select_option("#themes #id_proposer", label="NPO法人赤ちゃんからのアートフレンドシップ協会")
    staff.select_option("#themes #id_department", label="文化生涯学習課")
    staff.click("#themes button:has-text('テーマを登録')")
    staff.wait_for_selector("text=テーマを登録しました。")
    staff.click("#themes button:has-text('テーマに決定')")
    staff.wait_for_selector("#themes .badge.ok:has-text('テーマに決定')")
    _advance(staff, "公募中")

    # An 意見交換会 between the group and the department, recorded as an event of the center.
    staff.click("#meetings summary:has-text('意見交換会を記録')")
    staff.fill("#meetings #id_starts_at", "2025-08-21T14:00")
    staff.fill("#meetings #id_venue", "茅ヶ崎市役所 会議室")
    staff.select_option("#meetings #id_groups", label="NPO法人赤ちゃんからのアートフレンドシップ協会")
    staff.select_option("#meetings #id_departments", label="文化生涯学習課")
    staff.click("#meetings button:has-text('意見交換会を記録')")
    staff.wait_for_selector("text=意見交換会を記録しました")

    # 申込, received before the deadline.
    staff.click("#applications summary:has-text('申込を登録')")
    staff.select_option("#applications #id_applicant", label="NPO法人赤ちゃんからのアートフレンドシップ協会")
    staff.fill("#applications #id_title", "美術「みるっこ」プログラム事業")
    staff.fill("#applications #id_summary", "幼稚園や保育園での鑑賞出張講座と、美術館での家族鑑賞会。")
    staff.select_option("#applications #id_theme", label="子どもが美術にふれる機会づくり")
    staff.select_option("#applications #id_responsible_department", label="文化生涯学習課")
    staff.fill("#applications #id_requested_yen", "2367000")
    staff.fill("#applications #id_submitted_on", "2025-10-28")
    _shot(staff, "programme-02-application-desktop")
    staff.click("#applications button:has-text('申込を登録')")
    staff.wait_for_selector("text=申込を登録しました。")
    assert [staff.inner_text(f"#call-counts .stat:nth-child({n}) b") for n in (1, 2, 3)] == ["1", "1", "0"]
    _advance(staff, "審査中")
    _fits(staff, 1280)
    _shot(staff, "programme-03-call-reviewing-desktop")

    # 公開プレゼン, then 採択: the two-year case with its two programme-budget lines.
    staff.click("#applications a:has-text('美術「みるっこ」プログラム事業')")
    staff.click("#present button:has-text('公開プレゼンを記録')")
    staff.wait_for_selector("text=公開プレゼンテーションを記録しました。")
    staff.fill("#adopt #id_year1_total", "1187000")
    staff.fill("#adopt #id_year2_total", "1180000")
    _fits(staff, 1280)
    _shot(staff, "programme-04-adopt-desktop")
    staff.click("#adopt button:has-text('採択を記録')")
    staff.wait_for_selector("#application-status:has-text('採択')")
    years = staff.inner_text("#case table.case-years")
    assert "2026年度" in years and "1,187,000円" in years and "1,180,000円" in years
    assert "協働推進事業の予算" in years and "文化生涯学習課" in years
    assert "2年目審査は2年目（2027年度（令和9年度））に入ってから記録できます。" in staff.inner_text("#review-waits")
    _shot(staff, "programme-05-adopted-desktop")
    staff.click("#case a:has-text('美術「みるっこ」プログラム事業')")
    assert "協働推進事業（市民提案型）" in staff.inner_text("main")
    assert "令和7年度 市民提案型協働推進事業" in staff.inner_text("#case-years")
    case = m.CollaborationCase.objects.get(title="美術「みるっこ」プログラム事業")
    assert (case.fiscal_year_start, case.fiscal_year_end, case.total_cost) == (2026, 2027, 2_367_000)

    # The same pages on a phone: the menu wraps, the tables stay inside their frames.
    phone_context, phone = _login(browser, live_server, console_problems, "staff", 390)
    phone.goto(f"{live_server.url}/programme/")
    assert "意見交換会 1件 · 申込 1件 · 採択 1件" in phone.inner_text("#calls")
    _fits(phone, 390)
    _shot(phone, "programme-06-list-phone")
    phone.click("#calls a:has-text('令和7年度 市民提案型協働推進事業')")
    _fits(phone, 390)
    _shot(phone, "programme-07-call-phone")
    phone.click("#applications a:has-text('美術「みるっこ」プログラム事業')")
    _fits(phone, 390)
    _shot(phone, "programme-08-application-phone")
    phone_context.close()
    context.close()
