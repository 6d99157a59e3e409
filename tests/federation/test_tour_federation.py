"""A study tour between real processes: 茅ヶ崎 hosts a tour with a case named for the tour only; a
visitor from 小田原 opens the invitation link on a phone (headless Chromium, 390×844), reads the case
of the current stop, and writes a report that reaches the host node; when the reading period ends
the named copy leaves the hub — no trace of the group's name in a `pg_dump` of the hub."""

from __future__ import annotations

import subprocess

import pytest

from tests.browser.chromium import screenshot

from .common import shared_federation, shell, wait

# On the network federation (common.py); its group, representative and phone are this module's alone.
pytestmark = [pytest.mark.federation, pytest.mark.browser, pytest.mark.xdist_group("network")]

GROUP, KANA, REPRESENTATIVE, PHONE = "浜見平ねこの会", "ハマミダイラネコノカイ", "三毛 夏子", "0467-82-4613"
TOUR_SETUP = """
import datetime as dt, json
from django.contrib.auth import get_user_model
from django.utils import timezone
from nodes import models as m, services, tours
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
group = services.group_register(acting_user=staff, center=center, name={group!r}, name_kana={kana!r},
                                representative_name={representative!r}, contact_phone={phone!r},
                                activity_fields=list(m.ActivityField.objects.filter(code=7)))
case = services.case_create(acting_user=staff, center=center, title="飼い主のいない猫の不妊去勢手術及び適正管理普及啓発事業",
                            summary="野良猫の不妊去勢手術を実施し、殺処分数の減少を図る。", form="kyodo_suishin_gyosei",
                            fiscal_year_start=2014, fiscal_year_end=2014, total_cost=1732180, city_share=1694000,
                            outcome="continued", parties=[{{"organization": group.organization, "role": "lead",
                                                            "contribution": "猫の生態に関する専門知識と譲渡会の運営"}}])
today, now = timezone.localdate(), timezone.now()
tour = tours.tour_create(acting_user=staff, center=center, title="地域猫と協働を学ぶスタディツアー", theme="動物愛護と協働",
                         starts_on=today, ends_on=today + dt.timedelta(days=1), reading_days=7, capacity=10,
                         organizations=[{{"name": "小田原市市民活動交流センター UMECO", "kind": "center", "seats": 2}}])
stop = tours.tour_stop_add(acting_user=staff, tour=tour, title={group!r} + "の譲渡会を見学",
                           starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(hours=2),
                           place="市役所 分庁舎 1階", directions="駅北口を出て右へ。市役所本庁舎の裏手、徒歩8分。")
tours.tour_case_add(acting_user=staff, tour=tour, case=case, stop=stop, named=True, note="手術費を市が負担する仕組み")
tours.tour_consent_record(acting_user=staff, tour=tour, organization=group.organization, method="written")
print(json.dumps({{"tour": str(tour.uuid)}}))
"""
INVITE = """
import json
from django.contrib.auth import get_user_model
from nodes import models as m, tours
staff = get_user_model().objects.get(username="staff")
tour = m.StudyTour.objects.get(uuid={tour!r})
answer = tours.invitations_issue(acting_user=staff, tour=tour, organization=tour.organizations.get(), count=1)
print(json.dumps(answer))
"""
REPORTS = """
import json
from nodes import models as m
print(json.dumps([[r.author_name, r.saw] for r in m.TourReport.objects.filter(tour__uuid={tour!r})]))
"""
END_READING = """
import datetime as dt, json
from django.utils import timezone
from nodes import models as m, tours
# The tour took place a month ago; its week of reading is over.
today = timezone.localdate()
m.StudyTour.objects.filter(uuid={tour!r}).update(starts_on=today - dt.timedelta(days=30),
                                                 ends_on=today - dt.timedelta(days=29))
print(json.dumps(tours.tours_close_due()))
"""


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    return shared_federation("network", tmp_path_factory)


def hub_rows(fed, query: str, params=()):
    return fed.sql("net-hub", query, params)


def test_a_visitor_reads_a_named_case_on_a_phone_and_the_name_is_gone_after_the_tour(fed, browser):
    tour = shell(fed, "net-chigasaki", TOUR_SETUP.format(group=GROUP, kana=KANA, representative=REPRESENTATIVE,
                                                       phone=PHONE))["tour"]
    wait(lambda: hub_rows(fed, "SELECT 1 FROM hub_tourcasecopy WHERE level = 'named' AND tour_uuid = %s", (tour,)),
         timeout=90,
         what="the tour's named case copy on the hub")
    (link,) = shell(fed, "net-chigasaki", INVITE.format(tour=tour))["links"]
    assert link.startswith(fed.by_name["net-hub"].url + "/tours/invite/")

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP", timezone_id="Asia/Tokyo",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(link)
    assert "スタディツアーへの招待" in page.content()
    screenshot(page, "tour-phone-1-invitation")
    page.fill("#id_display_name", "相模 太郎")
    page.fill("#id_username", "sagami-visitor")
    page.fill("#id_password", "kanagawa-tour-2026")
    page.click("#accept button[type=submit]")
    page.wait_for_selector("#current-stop")
    current = page.inner_text("#current-stop")
    assert f"{GROUP}の譲渡会を見学" in current and "徒歩8分" in current
    assert "飼い主のいない猫の不妊去勢手術" in current
    screenshot(page, "tour-phone-2-current-stop")
    page.click("#current-stop .tour-case a")
    page.wait_for_selector("#parties")
    assert GROUP in page.inner_text("#parties") and "このツアーでは団体名あり" in page.content()
    assert "三毛" not in page.content() and "0467" not in page.content()
    screenshot(page, "tour-phone-3-case")
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.goto(link.split("/tours/")[0] + "/tours/")
    page.click("text=地域猫と協働を学ぶスタディツアー")
    page.click("text=訪問レポートを書く")
    page.fill("#id_saw", "市が手術費を負担し、団体が捕獲と見守りを担う分担が明快だった。")
    page.fill("#id_transfer", "小田原でも獣医師会と相談したい。")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#agenda")
    screenshot(page, "tour-phone-4-report-sent")
    tour_page = page.url

    # The report reaches the host node through the feed.
    reports = wait(lambda: shell(fed, "net-chigasaki", REPORTS.format(tour=tour)), timeout=60,
                   what="the report on the host node")
    assert reports == [["相模 太郎", "市が手術費を負担し、団体が捕獲と見守りを担う分担が明快だった。"]]
    reads = hub_rows(fed, "SELECT count(*) FROM permissions_auditevent WHERE action = 'tour.case_read'")
    assert reads == [(1,)]

    # Reading ends: the host withdraws the tour's copy; the hub refuses reads and keeps no name.
    assert shell(fed, "net-chigasaki", END_READING.format(tour=tour)) == 1
    wait(lambda: not hub_rows(fed, "SELECT 1 FROM hub_tourcasecopy WHERE tour_uuid = %s", (tour,)), timeout=90,
         what="the copy purged")
    wait(lambda: hub_rows(fed, "SELECT 1 FROM hub_studytour WHERE closed AND entity_uuid = %s", (tour,)), timeout=60,
         what="the tour closed")
    response = page.goto(tour_page)
    assert response.status == 403 and "終了しました" in page.content()
    context.close()

    dump = subprocess.run(["pg_dump", "--data-only", fed.by_name["net-hub"].env["DATABASE_URL"]], capture_output=True,
                          text=True, check=True).stdout
    assert "相模 太郎" in dump  # the visitor's own account and report are on the hub, as they should be
    for trace in (GROUP, KANA, REPRESENTATIVE.split()[0], PHONE):
        assert trace not in dump, trace
