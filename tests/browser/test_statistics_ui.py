"""The center's statistics page in Chromium at 1280 px and 390 px: seed 001's table as a stacked column
chart and a table, the continuation pie, the monthly consultations against the target — nothing cut
off, no console error under the strict CSP — and the targets set through the settings form."""

from __future__ import annotations

import pytest

from nodes import models as m, services
from permissions.models import Role

from .. import factories as f
from ..nodes.test_statistics import FORM_BY_LABEL, SEED_FORMS, SEED_YEARS
from .test_proposal_walk import _fits, _login

pytestmark = [pytest.mark.browser]


@pytest.fixture
def center(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = f.center("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")
    staff = f.member("staff", center, Role.CENTER_STAFF)
    for label, counts in SEED_FORMS.items():
        for year, count in zip(SEED_YEARS, counts, strict=True):
            m.HistoricalFormCount.objects.create(center=center, fiscal_year=year, form=FORM_BY_LABEL[label], count=count)
    for index, outcome in enumerate([m.CaseOutcome.CONTINUED, m.CaseOutcome.BUDGET_REDUCED, m.CaseOutcome.ENDED]):
        services.case_create(acting_user=staff, center=center, title=f"市民提案型の事業{index}", summary="概要",
                             form=m.CollaborationForm.KYODO_SUISHIN_SHIMIN, fiscal_year_start=2016,
                             fiscal_year_end=2017, outcome=outcome)
    services.consultation_open(acting_user=staff, center=center, topic="NPO法人の設立",
                               channel=m.ConsultationChannel.COUNTER)
    return center


@pytest.mark.parametrize("width", [1280, 390])
def test_statistics_page_shows_the_seed_table_and_charts(live_server, browser, console_problems, center, shot, width):
    context, page = _login(browser, live_server, console_problems, "staff", width)
    try:
        page.goto(f"{live_server.url}/stats/settings/")
        page.fill("#id_consultation_target", "480")
        page.fill("#id_coordination_target", "36")
        page.check("#id_form_counts_public")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert page.url.endswith("/stats/")
        table = page.locator("#table-forms")
        assert table.locator("tbody tr").first.locator("th").inner_text() == "共催"
        assert table.locator("tr.total td").last.inner_text() == "2219"
        assert page.locator("#stat-forms svg rect").count() == 6 * 8  # every form in every 年度
        assert page.locator("#stat-continuation svg path").count() == 3
        assert "年間目標 480件" in page.locator("#stat-consultations").inner_text()
        _fits(page, width)
        page.locator("nav.main a", has_text="統計").wait_for()
        shot(page, f"node-statistics-{width}")
    finally:
        context.close()
