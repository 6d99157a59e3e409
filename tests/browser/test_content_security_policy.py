"""The UI under its Content-Security-Policy: the behaviours that were inline handlers (row links,
confirmations, the language switcher, printing) still work from the static script, and the pages
with their own styles, the search (htmx) and the API docs raise no violation (the `page` fixture
fails the test on any console error)."""

from __future__ import annotations

import pytest

from nodes import models as m
from permissions.models import Role

from .. import factories as f

pytestmark = [pytest.mark.browser]


@pytest.fixture
def staff(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = f.center("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")
    staff = f.member("staff", center, Role.CENTER_ADMIN)  # may delete: the confirmation shows
    f.group(staff, center, "Chigasaki Cat's Protect", name_kana="チガサキキャッツプロテクト")
    f.event(staff, center, "分野別発表会＆交流会", theme="環境")
    return staff


def _login(page, url):
    page.goto(f"{url}/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def test_the_csp_header_allows_no_inline_script(live_server, page, staff):
    response = page.goto(f"{live_server.url}/login/")
    policy = response.headers["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"] and "'unsafe-eval'" not in policy


def test_row_links_confirmations_and_the_language_switch_work_without_inline_script(live_server, page, staff):
    _login(page, live_server.url)
    page.goto(f"{live_server.url}/groups/?q=ﾈｺ")  # htmx search and its indicator style
    page.goto(f"{live_server.url}/groups/")
    page.click("tr.row-link >> text=Chigasaki Cat's Protect")  # the row, not a link in it
    page.wait_for_selector("h1:has-text(\"Chigasaki Cat's Protect\")")
    detail = page.url
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("button:has-text('削除')")
    assert asked == ["削除してよろしいですか？"] and page.url == detail
    assert m.GroupRegistration.objects.filter(organization__name="Chigasaki Cat's Protect").exists()
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")
    page.select_option("select[name=language]", "ja")
    page.wait_for_selector("html[lang=ja]")


def test_pages_with_their_own_styles_and_the_api_docs_raise_no_violation(live_server, page, staff):
    _login(page, live_server.url)
    for path in ("/", "/matching/", "/menu/", "/events/", "/sync/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info")
