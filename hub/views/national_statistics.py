"""National hub UI: statistics by region, prefecture and form (全国の統計), suppressed at this level."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render

from common import csv_safe
from permissions.models import HubScope

from ..disclosure import SUPPRESSED
from ..selectors import national_statistics as selectors
from ..selectors.statistics import table_csv_rows, table_footnote_rows, with_note
from .common import hub_permission


def national_only():
    if settings.KYODO_HUB_LEVEL != "national":
        raise Http404("national statistics are a national hub's")


def requested_year(request) -> int | None:
    """The 年度 asked for (None: the latest); 404 for one no prefecture sent."""
    value = request.GET.get("year", "")
    if not value:
        return None
    if not value.isdigit() or int(value) not in selectors.national_years():
        raise Http404("no statistics for that fiscal year")
    return int(value)


@hub_permission(HubScope.STATISTICS)
def national_statistics(request):
    national_only()
    stats = selectors.national_statistics(year=requested_year(request))
    return render(request, "hub/national_statistics.html", {"stats": stats, "symbol": SUPPRESSED})


@hub_permission(HubScope.STATISTICS)
def national_statistics_csv(request):
    national_only()
    stats = selectors.national_statistics(year=requested_year(request))
    if stats.table is None:
        raise Http404("no statistics yet")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kyodo-national-{stats.year}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with the BOM
    rows = table_csv_rows(stats.table, footnote=False)
    csv_safe.writer(response).writerows(with_note(stats.table, rows + table_footnote_rows(stats.table)))
    return response
