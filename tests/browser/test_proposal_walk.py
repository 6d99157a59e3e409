"""The two-way menu in a real browser: a visitor on a phone finds a department's published need from
the node's root, signs in as a group member and proposes; center staff take the proposal through
matching to a case on a desktop; the group sees each status change."""

from __future__ import annotations

import datetime as dt

import pytest

from common.japanese import fiscal_year_of
from nodes import models as m, services
from permissions.models import OrganizationKind, Role
from permissions.services import organization_create

from .. import factories as f

pytestmark = [pytest.mark.browser]


@pytest.fixture
def city(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = f.center("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")
    staff = f.member("staff", center, Role.CENTER_STAFF)
    department = organization_create(acting_user=staff, name="保健所衛生課", kind=OrganizationKind.CITY_DEPARTMENT,
                                     center=center, municipality_code="142077", municipality_name="茅ヶ崎市")
    f.member("dept", department, Role.DEPARTMENT_STAFF)
    group = f.group(staff, center, "Chigasaki Cat's Protect", name_kana="チガサキキャッツプロテクト",
                    activity_fields=f.fields(7), representative_name="杉浦 花子")
    f.member("member", group.organization, Role.GROUP_MEMBER)
    need = services.need_create(acting_user=staff, center=center, requester=department,
                                title="飼い主のいない猫対策（地域猫活動の普及）", activity_fields=f.fields(7),
                                description="苦情の続く地区で、TNRと餌やりのルールづくりを一緒に進めたい。",
                                allowed_forms=[m.CollaborationForm.KYODO_SUISHIN_GYOSEI])
    services.desk_save(acting_user=staff, department=department, desk_name="動物愛護担当",
                       switchboard="0467-38-3300", themes="猫、犬、動物愛護、地域猫", activity_fields=f.fields(7))
    item = services.menu_item_create(acting_user=staff, department=department, kind=m.MenuItemKind.VENUE,
                                     can_do=True, title="譲渡会の会場（保健所の会議室）",
                                     description="平日の日中、保健所の会議室を譲渡会に使えます。",
                                     fiscal_year=fiscal_year_of(dt.date.today()))
    # Renewals: one due in 60 days (its window is open once the daily sweep ran), one due yesterday.
    services.group_update(acting_user=staff, group=group, renewal_due=dt.date.today() + dt.timedelta(days=60))
    f.group(staff, center, "浜辺の朗読サークル", renewal_due=dt.date.today() - dt.timedelta(days=1))
    return {"need": need, "group": group, "center": center, "item": item}


def _login(browser, live_server, console_problems, username: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900}, locale="ja-JP",
                                  timezone_id="Asia/Tokyo")
    page = console_problems(context.new_page())
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return context, page


def _fits(page, width: int) -> None:
    """Nothing cut off: the page does not scroll sideways and every menu item is in sight."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width}px ({scroll}px)"
    for link in page.locator("nav.main a").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, f"menu item {link.inner_text()} cut off"


def _publish(department, staff, path: str) -> None:
    """The department asks for publication on the record's page; center staff approve it there."""
    department.goto(path)
    department.click("#publication button:has-text('掲載を申請する')")
    department.wait_for_selector("#publication >> text=掲載申請中")
    staff.goto(path)
    staff.click("#publication button:has-text('承認して公開する')")
    staff.wait_for_selector("#publication >> text=公開中")


def test_the_two_way_menu_from_a_departments_need_to_a_case_and_a_renewal(
        live_server, browser, console_problems, shot, city):
    need, item = city["need"], city["item"]
    staff_context, staff = _login(browser, live_server, console_problems, "staff", 1280)
    department_context, department = _login(browser, live_server, console_problems, "dept", 1280)
    _publish(department, staff, f"{live_server.url}/needs/{need.uuid}/")
    _publish(department, staff, f"{live_server.url}/city-menu-items/{item.uuid}/")
    shot(staff, "walk-01-published-desktop")
    department_context.close()

    # A visitor on a phone, not signed in: from the node's root to the city's needs, then to the form.
    member_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP",
                                         timezone_id="Asia/Tokyo")
    member = console_problems(member_context.new_page())
    member.goto(f"{live_server.url}/")
    member.click("nav.public >> text=どの課に相談？")
    member.fill("input[name=q]", "猫")  # a theme word; the desk lists 地域猫 among its themes
    member.click("form.search button")
    assert "保健所衛生課" in member.inner_text("main") and "0467-38-3300" in member.inner_text("main")
    _fits(member, 390)
    shot(member, "walk-02-departments-by-theme-phone")
    member.click("nav.public >> text=市のメニュー")
    assert "譲渡会の会場（保健所の会議室）" in member.inner_text("main")
    member.click("nav.public >> text=協働の種")
    assert "飼い主のいない猫対策" in member.inner_text("main")
    _fits(member, 390)
    shot(member, "proposal-00-public-needs-phone")
    member.click("a:has-text('この協働の種に提案する')")
    member.wait_for_url(lambda url: "/login/" in url)
    member.fill("#id_username", "member")
    member.fill("#id_password", f.PASSWORD)
    member.click("button[type=submit]")
    member.wait_for_url(lambda url: "/propose/" in url)  # back to the form after signing in
    assert "飼い主のいない猫対策" in member.inner_text("main")
    member.fill("#id_title", "地域猫の見守りと自治会向け説明会")
    member.fill("#id_activity", "苦情のある地区で自治会と説明会を開き、TNRと餌やりのルールをつくる。")
    member.fill("#id_people", "会員12名")
    member.fill("#id_timing", "来年度4月から1年間")
    member.fill("#id_cost_yen", "240000")
    member.fill("#id_asks_of_city", "自治会への周知と会場の確保")
    _fits(member, 390)
    shot(member, "proposal-01-form-phone")
    member.click("button:has-text('提案を送る')")
    member.wait_for_selector("#proposal-stage")
    assert "確認中" in member.inner_text("#proposal-stage")
    _fits(member, 390)
    shot(member, "proposal-02-submitted-phone")

    staff.goto(f"{live_server.url}/matching/")
    _fits(staff, 1280)
    assert staff.inner_text("#pending-proposals") == "1"
    staff.click("a:has-text('団体からの提案')")
    staff.click("a:has-text('地域猫の見守りと自治会向け説明会')")
    staff.fill("#id_note", "保健所衛生課と日程を調整します。")
    shot(staff, "proposal-03-center-decides-desktop")
    staff.click("button:has-text('マッチングを始める')")
    staff.wait_for_selector("text=マッチングを始めました。")
    staff.click("a:has-text('マッチングの進行を開く')")
    staff.fill("#id_held_on", (dt.date.today()).isoformat())
    staff.fill("#id_notes", "説明会を開く地区の順番と費用の分担を確認した。")
    staff.click("button:has-text('打ち合わせを記録')")
    staff.wait_for_selector("text=事前打ち合わせを記録しました。")
    assert "団体からの提案" in staff.inner_text("main")  # the match shows where it came from

    member.reload()
    assert "事前打ち合わせ" in member.inner_text("#proposal-stage")
    assert "保健所衛生課と日程を調整します。" in member.inner_text("main")

    staff.select_option("#id_form", m.CollaborationForm.KYODO_SUISHIN_GYOSEI)
    staff.click("button:has-text('合意を記録')")
    staff.wait_for_selector("text=合意を記録しました。")
    staff.click("button:has-text('協働事例を作成')")
    staff.wait_for_url(lambda url: "/cases/" in url)
    shot(staff, "proposal-04-case-desktop")

    member.reload()
    assert member.inner_text("#proposal-stage") == "協働事例になりました"
    _fits(member, 390)
    shot(member, "proposal-05-case-phone")

    # The daily sweep (a beat task) opens the renewal and lapses the registration past its due date.
    services.renewals_sweep()
    member.goto(f"{live_server.url}/my-group/")
    member.check("input[name=continues][value=yes]")
    member.check("input[name=difficulties][value=successors]")
    member.fill("textarea[name=changes]", "会員が15名に増えました")
    _fits(member, 390)
    shot(member, "walk-06-renewal-phone")
    member.click("#renewal button:has-text('回答を送る')")
    member.wait_for_selector("#renewal >> text=回答を受け付けました")
    staff.goto(f"{live_server.url}/renewals/")
    assert "Chigasaki Cat's Protect" in staff.inner_text("#renewals-answered")
    assert "浜辺の朗読サークル" in staff.inner_text("#renewals-overdue")
    assert "担い手不足" in staff.inner_text("#difficulties")
    assert m.GroupRegistration.objects.get(organization__name="浜辺の朗読サークル").status == m.GroupStatus.LAPSED
    _fits(staff, 1280)
    shot(staff, "walk-07-renewals-desktop")
    member_context.close()
    staff_context.close()
