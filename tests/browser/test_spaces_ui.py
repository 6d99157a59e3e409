"""Meeting spaces and group boxes in Chromium at 390 and 1280 px: a group books スペースA from わたしの団体,
staff approve it, the group prints the 利用票 (a PDF); staff run the group-box lottery and anyone can
verify it on the public record. Nothing scrolls sideways; screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from nodes import models as m, services
from nodes.spaces_selectors import closed_reason
from permissions.models import Role

from .. import factories as f
from .chromium import screenshot

pytestmark = [pytest.mark.browser]


@pytest.fixture
def nishiku(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = f.center("にしく市民活動支援センター", "141038", "横浜市西区")
    staff = f.member("staff", center, Role.CENTER_STAFF)
    group = f.group(staff, center, "ハマの写真クラブ", name_kana="ハマノシャシンクラブ")
    others = [f.group(staff, center, name) for name in ("にしく子育てサロン", "戸部うたごえの会", "西区日本語教室")]
    f.member("member", group.organization, Role.GROUP_MEMBER)
    room = services.room_create(acting_user=staff, center=center, name="スペースA", capacity=24,
                                equipment="プロジェクター、ホワイトボード", opens_at=dt.time(9), closes_at=dt.time(21))
    services.room_create(acting_user=staff, center=center, name="スペースB", capacity=24, opens_at=dt.time(9),
                         closes_at=dt.time(21))
    return {"center": center, "staff": staff, "group": group, "others": others, "room": room}


def _login(browser, live_server, console_problems, username: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900}, locale="ja-JP",
                                  timezone_id="Asia/Tokyo", accept_downloads=True)
    page = console_problems(context.new_page())
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return context, page


def _shot(page, name: str) -> None:
    screenshot(page, name)
    page.evaluate("window.scrollTo(0, 0)")


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width}px ({scroll}px)"


def _open_day() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=8)
    while closed_reason(m.Room(closed_weekdays=[]), day):
        day += dt.timedelta(days=1)
    return day


@pytest.mark.parametrize("width", [390, 1280])
def test_a_group_books_a_room_staff_approve_and_the_group_prints_the_slip(live_server, browser, console_problems,
                                                                          nishiku, width):
    day = _open_day()
    group = nishiku["group"]
    context, page = _login(browser, live_server, console_problems, "member", width)
    try:
        page.goto(f"{live_server.url}/my-group/{group.uuid}/")
        page.click("#spaces a.btn")
        page.fill("#id_day", day.isoformat())
        page.fill("#id_starts", "13:00")
        page.fill("#id_ends", "15:00")
        page.fill("#id_purpose", "西区の風景 写真展の準備会")
        page.fill("#id_attendees", "10")
        _fits(page, width)
        _shot(page, f"spaces-group-request-{width}")
        with page.expect_navigation():
            page.click("#request button[type=submit]")
        assert "センターの承認をお待ちください" in page.content()
        booking = m.Booking.objects.get(organization=group.organization)
        assert booking.status == m.BookingStatus.PENDING
    finally:
        context.close()

    staff_context, staff_page = _login(browser, live_server, console_problems, "staff", width)
    try:
        staff_page.goto(f"{live_server.url}/spaces/")
        _fits(staff_page, width)
        _shot(staff_page, f"spaces-staff-board-{width}")
        with staff_page.expect_navigation():
            staff_page.click(f"#booking-{booking.uuid} button:has-text('承認')")
        assert "承認しました" in staff_page.content()
        staff_page.goto(f"{live_server.url}/spaces/usage/")
        assert staff_page.locator("svg.chart rect").count() >= 1
        _fits(staff_page, width)
        _shot(staff_page, f"spaces-usage-{width}")
    finally:
        staff_context.close()

    context, page = _login(browser, live_server, console_problems, "member", width)
    try:
        page.goto(f"{live_server.url}/my-group/{group.uuid}/spaces/")
        assert "承認済み" in page.inner_text(f"#booking-{booking.uuid}")
        _fits(page, width)
        _shot(page, f"spaces-group-approved-{width}")
        slip = page.locator(f"#booking-{booking.uuid} a:has-text('利用票')")
        response = page.request.get(live_server.url + slip.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
        assert "利用票" in text and "スペースA" in text and "ハマの写真クラブ" in text
        assert f"{day.month}月{day.day}日" in text and "13:00" in text
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_staff_run_the_box_lottery_and_anyone_verifies_it(live_server, browser, console_problems, nishiku, width):
    center, staff = nishiku["center"], nishiku["staff"]
    for label in ("S-01", "S-02"):
        services.box_create(acting_user=staff, center=center, label=label, size="small")
    today = timezone.localdate()
    round_ = services.box_round_open(
        acting_user=staff, center=center, title="グループボックス 2年間の利用団体募集",
        term_starts_on=dt.date(today.year + 1, 4, 1), applications_open_on=today - dt.timedelta(days=20),
        applications_close_on=today - dt.timedelta(days=1))
    for group in (nishiku["group"], *nishiku["others"]):
        services.box_apply(acting_user=staff, round=round_, group=group, size="small")
    context, page = _login(browser, live_server, console_problems, "staff", width)
    try:
        page.goto(f"{live_server.url}/boxes/")
        _fits(page, width)
        _shot(page, f"boxes-staff-{width}")
        with page.expect_navigation():
            page.click(f"a:has-text('{round_.title}')")
        _fits(page, width)
        _shot(page, f"boxes-round-before-draw-{width}")
        with page.expect_navigation():
            page.click("#run-draw")
        assert "抽選しました" in page.content()
        round_.refresh_from_db()
        assert round_.status == m.RoundStatus.DRAWN and round_.seed in page.content()
        assert page.locator("#applications .badge:has-text('当選')").count() == 2
        assert page.locator("#applications .badge:has-text('補欠')").count() == 2
        _fits(page, width)
        _shot(page, f"boxes-round-drawn-{width}")
        with page.expect_navigation():
            page.click("#verify")
        assert "一致" in page.inner_text("#verified")
        assert "ハマの写真クラブ" not in page.content()  # the public record has numbers, not names
        _fits(page, width)
        _shot(page, f"boxes-draw-verified-{width}")
    finally:
        context.close()
