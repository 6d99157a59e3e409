"""A real browser, phone (390 px) and tablet/desktop (1280 px): a ward center's staff register two of
their own for a 研修 their backing center opened; the backing center counts the attendance of a
meeting that has begun. The hub sits at the network edge (a fake answering as the real one does).
Screenshots in test-artifacts/screenshots/training-*."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

import httpx
import pytest
from django.utils import timezone

from nodes import hub_link, models as m, services
from permissions.models import Role
from sync import client as sync_client
from sync.keys import _pair
from sync.models import FeedItem
from sync.signing import new_key_pair
from sync.wire import trainings as wire

from .. import factories as f

pytestmark = [pytest.mark.browser]

BACKING = str(uuid.uuid4())
WARD = str(uuid.uuid4())
PDF = b"%PDF-1.4\n% slides\n"
WIDTHS = (390, 1280)


@pytest.fixture
def hub(monkeypatch):
    requests: list = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        requests.append((request.method, request.url.path, body))
        if "/materials/" in request.url.path:
            return httpx.Response(200, json={"filename": "slides.pdf", "content_type": "application/pdf",
                                             "content": base64.b64encode(PDF).decode()})
        return httpx.Response(200, json={})

    def client(client=None):
        return client or sync_client.HubClient(base_url="http://hub.test", key=_pair(new_key_pair()[0]),
                                               transport=httpx.MockTransport(handler))

    monkeypatch.setattr(hub_link, "hub_client", client)
    return requests


def _feed(kind: str, payload: dict) -> None:
    seq = (FeedItem.objects.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    item = FeedItem.objects.create(seq=seq, kind=kind, payload=payload, published_at=timezone.now())
    {wire.TRAINING_KIND: services.training_receive_item,
     wire.REGISTRATION_KIND: services.registration_receive_item}[kind](item)


def _training(center, organizer: str, organizer_name: str, starts: dt.datetime, **extra) -> dict:
    return {"uuid": str(uuid.uuid4()), "center": organizer, "center_name": organizer_name, "kind": "kenshu",
            "title": "区センター職員研修 相談対応の基礎",
            "description": "インテークでの聞き取り、コーディネートの進め方、クロージングの記録を演習します。",
            "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=3)).isoformat(),
            "place": "横浜市市民協働推進センター スペースC", "online": False, "capacity_per_center": 3,
            "capacity_total": 40, "deadline": (starts - dt.timedelta(days=7)).isoformat(), "status": "open",
            "invited": [{"uuid": str(center.uuid), "name": center.name}], "seats_taken": 4,
            "materials": [{"uuid": str(uuid.uuid4()), "title": "研修スライド（相談対応の基礎）",
                           "description": "当日投影する資料です。", "filename": "slides.pdf", "size": len(PDF), "link": ""}],
            **extra}


def _login(browser, live_server, username: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def _fits(page) -> None:
    """Nothing wider than the viewport, outside the scrolling tables."""
    overflow = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(e =>
        !e.closest('.table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.outerHTML.slice(0, 80))""")
    assert overflow == []


@pytest.mark.parametrize("width", WIDTHS)
def test_ward_staff_register_two_of_their_own_and_see_the_attendance(live_server, browser, shot, hub, settings,
                                                                       transactional_db, width):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ward = f.center("にしく市民活動支援センター", "141038", "横浜市西区")
    staff = f.member("staff", ward, Role.CENTER_STAFF)
    colleague = f.member("colleague", ward, Role.CENTER_STAFF)
    colleague.last_name, colleague.first_name = "西野", "智子"
    colleague.save()
    _feed(wire.TRAINING_KIND, _training(ward, BACKING, "横浜市市民協働推進センター",
                                        timezone.now() + dt.timedelta(days=24)))
    page = _login(browser, live_server, "staff", width)
    page.click("nav >> text=センター間の研修")
    page.wait_for_selector("#trainings-invited")
    page.click("#trainings-invited a:has-text('相談対応の基礎')")
    page.wait_for_selector("#register-form")
    page.check(f"#register-form input[value='{staff.pk}']")
    page.check(f"#register-form input[value='{colleague.pk}']")
    page.fill("#note", "1名は15時からの演習のみ参加します。")
    page.click("#register-form button[type=submit]:not([name=cancel])")
    page.wait_for_selector("text=2人で申し込みました。")
    assert "2人で申込済み" in page.inner_text("#training-registration")
    assert hub[-1][2] == {"center": str(ward.uuid), "seats": 2, "note": "1名は15時からの演習のみ参加します。"}
    _fits(page)
    shot(page, f"training-1-registered-{width}")

    # The meeting has begun; the organizer's count arrives; the ward marks which of its staff attended.
    training = m.Training.objects.get()
    m.Training.objects.filter(pk=training.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1),
                                                     ends_at=None, deadline=timezone.now() - dt.timedelta(days=1))
    services.attendance_receive_item(FeedItem.objects.create(seq=99, kind=wire.ATTENDANCE_KIND, payload={
        "training": str(training.uuid), "center": str(ward.uuid), "attended": 2}, published_at=timezone.now()))
    page.reload()
    page.check(f"#participants-form input[value='{colleague.pk}']")
    page.click("#participants-form button[type=submit]")
    page.wait_for_selector("text=参加した職員を記録しました。")
    assert "主催の記録：参加 2人" in page.inner_text("#training-registration")
    with page.expect_download() as download:
        page.click("#training-materials a:has-text('研修スライド')")
    assert download.value.suggested_filename == "slides.pdf"
    page.goto(f"{live_server.url}/trainings/")
    assert "年度ごとの参加（このセンターの職員）" in page.inner_text("#training-years-attended")
    _fits(page)
    shot(page, f"training-2-attended-per-year-{width}")
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_backing_center_counts_the_attendance_per_center(live_server, browser, shot, hub, settings,
                                                             transactional_db, width):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    backing = f.center("横浜市市民協働推進センター", "141003", "横浜市")
    f.member("staff", backing, Role.CENTER_STAFF)
    opened = _training(backing, str(backing.uuid), backing.name, timezone.now() + dt.timedelta(days=10),
                       kind="joho_kyoyu", title="区センター情報共有会議（相談の傾向と連携）", place="", online=True,
                       materials=[], seats_taken=5, invited=[{"uuid": WARD, "name": "にしく市民活動支援センター"},
                                              {"uuid": str(uuid.uuid4()), "name": "港北区民活動支援センター"}])
    _feed(wire.TRAINING_KIND, opened)
    for center, name, seats in ((WARD, "にしく市民活動支援センター", 2), (opened["invited"][1]["uuid"], "港北区民活動支援センター", 3)):
        _feed(wire.REGISTRATION_KIND, {"training": opened["uuid"], "center": center, "center_name": name, "seats": seats,
                                       "note": "", "changed_at": timezone.now().isoformat()})
    m.Training.objects.update(starts_at=timezone.now() - dt.timedelta(hours=2), ends_at=None,
                              deadline=timezone.now() - dt.timedelta(days=1))
    page = _login(browser, live_server, "staff", width)
    page.goto(f"{live_server.url}/trainings/{opened['uuid']}/")
    page.wait_for_selector("#attendance-form")
    def count(center: str):
        return page.locator("#attendance-form tr", has_text=center).locator("input[type=number]")

    # The browser's max is a hint only: without it, the server refuses more attendees than seats.
    page.evaluate("document.querySelectorAll('#attendance-form input[type=number]').forEach(e => e.removeAttribute('max'))")
    count("にしく").fill("3")
    count("港北").fill("3")
    page.click("#attendance-form button[type=submit]")
    page.wait_for_selector("text=にしく市民活動支援センターの参加人数は0から申込人数（2人）までで入力してください。")
    assert m.TrainingRegistration.objects.filter(attended__isnull=False).count() == 0
    count("にしく").fill("2")
    count("港北").fill("3")
    page.click("#attendance-form button[type=submit]")
    page.wait_for_selector("text=参加人数を記録しました。")
    assert "開催済み" in page.inner_text("#training-summary")
    assert hub[-1][2] == {"attendance": [{"center": WARD, "attended": 2},
                                         {"center": opened["invited"][1]["uuid"], "attended": 3}]}
    _fits(page)
    shot(page, f"training-3-attendance-recorded-{width}")
    page.goto(f"{live_server.url}/trainings/")
    assert "港北区民活動支援センター" in page.inner_text("#training-years-organizer")
    _fits(page)
    shot(page, f"training-4-organizer-per-year-{width}")
    page.context.close()
