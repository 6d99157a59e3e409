"""A network's members page in a real browser, on a phone (390 px) and a desktop (1280 px): staff add an
outside organization and the counts follow; nothing cut off. (Bad input answers 400, which the console
would report: it is tested in tests/nodes/test_support_networks.py.)"""

from __future__ import annotations

import pytest

from nodes import models as m, services, support_networks
from permissions.models import OrganizationKind, Role

from .. import factories as f

pytestmark = [pytest.mark.browser]


@pytest.fixture
def network(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = f.center("かわさき市民活動センター", "141305", "川崎市")
    staff = f.member("staff", center, Role.CENTER_STAFF)
    group = f.group(staff, center, "川崎区企業市民交流事業推進委員会", kind=OrganizationKind.INTERMEDIATE_SUPPORT,
                    legal_form=m.LegalForm.OTHER, activity_fields=f.fields(3, 13, 16))
    guides = f.group(staff, center, "かわさき歴史ガイド協会", activity_fields=f.fields(4, 6))
    network = services.network_open(acting_user=staff, group=group)
    services.network_member_add_group(acting_user=staff, network=network, group=guides)
    for name, kind in (("川崎区全町内会連合会", "neighborhood"), ("川崎市立京町中学校", "school"),
                       ("京浜急行電鉄株式会社", "company"), ("川崎信用金庫", "company")):
        services.network_member_add_organization(acting_user=staff, network=network, name=name, kind=kind)
    services.network_set_individuals(acting_user=staff, network=network, individuals=2)
    return network


@pytest.mark.parametrize("width", [390, 1280])
def test_staff_keep_a_networks_members_on_a_phone_and_a_desktop(live_server, browser, console_problems, network,
                                                                shot, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = console_problems(context.new_page())
    try:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "staff")
        page.fill("#id_password", f.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/groups/{network.group.uuid}/")
        assert "7" in page.locator("#network-summary").inner_text()
        page.click("text=会員名簿を見る・編集する")
        assert page.locator("#network-counts").inner_text().startswith("7")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"network-members-{width}")
        form = page.locator("#add-organization")
        form.locator("input[name=name]").fill("JFEスチール株式会社")
        form.locator("select[name=kind]").select_option("company")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "会員名簿を更新しました。" in page.content()
        assert page.locator("#network-counts").inner_text().startswith("8")
        assert support_networks.counts_of(network).by_kind["company"] == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"network-members-added-{width}")
        # The committee records that a company left: its row stays, the counts drop.
        row = page.locator("tr", has_text="川崎信用金庫")
        row.locator("summary").click()
        page.once("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation():
            row.locator("button[type=submit]").click()
        assert "川崎信用金庫の退会を記録しました。" in page.content()
        assert page.locator("#network-counts").inner_text().startswith("7")
        assert m.NetworkMember.objects.get(name="川崎信用金庫").left_on is not None
    finally:
        context.close()
