"""A case's 年度 lines (seed 001: みるっこ 1年目 1,187,000円, 2年目 1,180,000円): the service keeps the
case's totals and department, refuses lines outside the case's years, and the page edits them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from nodes import models as m, services
from sync.models import OutboxEntry


def _years(world):
    return [
        {"fiscal_year": 2016, "total_cost": 1_187_000, "city_share": 1_187_000,
         "budget_source": m.BudgetSource.PROGRAMME, "responsible_department": world.other_department},
        {"fiscal_year": 2017, "total_cost": 1_180_000, "city_share": 1_180_000,
         "budget_source": m.BudgetSource.PROGRAMME, "responsible_department": world.department},
    ]


def test_year_lines_set_the_totals_and_the_latest_department(world):
    case = services.case_update(acting_user=world.staff_a, case=world.other_case, years=_years(world))
    case.refresh_from_db()
    assert (case.total_cost, case.city_share) == (2_367_000, 2_367_000)
    assert case.responsible_department == world.department  # the latest year's
    assert [(y.fiscal_year, y.total_cost) for y in case.years.all()] == [(2016, 1_187_000), (2017, 1_180_000)]


@pytest.mark.parametrize(("change", "code"), [
    ({"fiscal_year": 2019}, "year_outside_case"),
    ({"city_share": 2_000_000}, "city_share_exceeds_total"),
])
def test_bad_lines_are_refused_and_nothing_changes(world, change, code):
    years = _years(world)
    years[1].update(change)
    before = (world.other_case.version, OutboxEntry.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.case_update(acting_user=world.staff_a, case=world.other_case, years=years)
    assert code in str(refused.value.error_dict["years"][0].code)
    world.other_case.refresh_from_db()
    assert (world.other_case.version, OutboxEntry.objects.count()) == before and not world.other_case.years.exists()


def test_duplicate_year_is_refused(world):
    years = _years(world)
    years[1]["fiscal_year"] = 2016
    with pytest.raises(ValidationError):
        services.case_update(acting_user=world.staff_a, case=world.other_case, years=years)


def test_the_page_shows_and_edits_the_lines(world, client):
    client.force_login(world.staff_a)
    url = f"/cases/{world.other_case.uuid}/years/"
    data = {"years-TOTAL_FORMS": "2", "years-INITIAL_FORMS": "0", "years-MIN_NUM_FORMS": "0",
            "years-MAX_NUM_FORMS": "1000",
            "years-0-fiscal_year": "2016", "years-0-total_cost": "1187000", "years-0-city_share": "1187000",
            "years-0-budget_source": "programme", "years-0-responsible_department": str(world.other_department.pk),
            "years-1-fiscal_year": "2017", "years-1-total_cost": "1180000", "years-1-city_share": "1180000",
            "years-1-budget_source": "programme", "years-1-responsible_department": str(world.other_department.pk)}
    response = client.post(url, data)
    assert response.status_code == 302
    page = client.get(f"/cases/{world.other_case.uuid}/").content.decode()
    assert "1,180,000" in page and "協働推進事業の予算（市民自治推進課）" in page
    data["years-1-fiscal_year"] = "2030"
    data["years-INITIAL_FORMS"] = "0"
    m.CaseYear.objects.all().delete()
    refused = client.post(url, data)
    assert refused.status_code == 400 and "事業の期間" in refused.content.decode()
    client.force_login(world.staff_b)
    assert client.get(url).status_code == 404
