"""The chief coordinator assigns a consultation (issue 18 item 4) at 1280 px and on a phone (390 px),
under the strict CSP, without sideways scrolling; the monthly review page at both widths."""

from __future__ import annotations

import datetime as dt

import pytest

from nodes import models as m, services
from nodes.services import consultation_routing as routing
from permissions.models import Role

from .. import factories as f

pytestmark = [pytest.mark.browser]


@pytest.fixture
def nishiku(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = f.center("にしく市民活動支援センター", "141038", "横浜市西区")
    staff = f.member("staff", center, Role.CENTER_STAFF)
    staff.last_name, staff.first_name = "遠藤", "翔"
    staff.save()
    chief = f.member("chief", center, Role.CHIEF_COORDINATOR)
    chief.last_name, chief.first_name = "北村", "理恵"
    chief.save()
    cards = [services.consultation_open(acting_user=staff, center=center, topic=topic, channel=channel,
                                        requester_name="後藤 花子")
             for topic, channel in (("NPO法人の設立手続きについて", m.ConsultationChannel.EMAIL),
                                    ("助成金の申請書の書き方", m.ConsultationChannel.PHONE))]
    routing.consultation_day_create(acting_user=staff, center=center, title="団体運営なんでも相談日",
                                    theme=m.ConsultationKind.FUNDING, day=dt.date.today() + dt.timedelta(days=5),
                                    starts_at=dt.time(13), ends_at=dt.time(16), capacity=3)
    routing.consultation_mark_notable(acting_user=staff, consultation=cards[1], reason="締切が近く、書類が揃っていない")
    return chief, staff, cards


def _login(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_chief_assigns_a_consultation(live_server, browser, console_problems, shot, nishiku, width):
    chief, staff, cards = nishiku
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = console_problems(context.new_page())
    try:
        _login(page, live_server.url, "chief")
        page.goto(f"{live_server.url}/consultations/?unassigned=true&is_open=true")
        assert "NPO法人の設立手続きについて" in page.content()
        page.goto(f"{live_server.url}/consultations/{cards[0].uuid}/")
        assert page.locator("#assignee").inner_text().strip() == "担当未定"
        page.select_option("#assignee-select", label="遠藤 翔")
        page.select_option("#kind-select", "founding")
        with page.expect_navigation():
            page.click("#assign-form button[type=submit]")
        assert "対応するスタッフを遠藤 翔さんに決めました。" in page.content()
        assert page.locator("#assignee").inner_text().startswith("遠藤 翔")
        assert "団体・法人の設立" in page.locator("#consultation-routing").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"consultation-routing-assigned-{width}")
        cards[0].refresh_from_db()
        assert (cards[0].assignee, cards[0].kind) == (staff, "founding")

        page.goto(f"{live_server.url}/consultation-review/")
        assert "締切が近く、書類が揃っていない" in page.content()
        page.fill("#review textarea[name=decision]", "税理士の相談日につなぐ")
        with page.expect_navigation():
            page.click("#review button[type=submit]")
        assert "検討の結果を記録しました。" in page.content() and "税理士の相談日につなぐ" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"consultation-review-{width}")
        m.NotableConsultation.objects.update(decision="", decided_at=None, decided_by=None)  # the next width again

        page.goto(f"{live_server.url}/consultation-days/")
        assert "団体運営なんでも相談日" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"consultation-days-{width}")
    finally:
        context.close()
