"""Hub UI: statistics of the shared case library (統計) and the centers' own counts, on a page and as CSV."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from common import csv_safe
from permissions.models import HubScope

from .. import figures_cache
from ..disclosure import SUPPRESSED
from ..forms import StatisticsFilterForm, YearRangeFilterForm
from ..selectors import center_figures as figures_selectors, statistics as selectors
from .common import hub_permission


def _statistics(request, only: str | None = None):
    """The filter form and, when it is valid, the statistics it asks for (hub.figures_cache's Figures)."""
    form = StatisticsFilterForm(request.GET or None, max_years=selectors.MAX_STATISTICS_YEARS)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    first, last = data.get("year_from"), data.get("year_to")
    center = data.get("center")
    if first is not None or last is not None:  # neither: the default 年度, found with the figures
        first, last = selectors.statistics_range(first=first, last=last, center=center)
        if last - first + 1 > selectors.MAX_STATISTICS_YEARS:
            form.add_error(None, gettext("一度に集計できるのは%(n)d年度までです。") % {"n": selectors.MAX_STATISTICS_YEARS})
            return form, None
    return form, figures_cache.figures("statistics", first=first, last=last, center=center.pk if center else None,
                                       only=only, form=data.get("form") or None, track_form=form.track_form)


@hub_permission(HubScope.STATISTICS)
def statistics(request):
    form, found = _statistics(request)
    stats = found.value if found is not None else None
    shares = selectors.labelled_shares(stats) if stats is not None else []
    total = selectors.continuation_total(stats) if stats is not None else None
    return render(request, "hub/statistics.html", {"form": form, "stats": stats, "figures_state": found,
                                                   "query": request.GET.urlencode(), "symbol": SUPPRESSED,
                                                   "shares": shares, "shares_total": total},
                  status=400 if stats is None else 200)


@hub_permission(HubScope.STATISTICS)
def statistics_csv(request, slug):
    if slug not in selectors.STATISTICS_TABLES:
        raise Http404
    form, found = _statistics(request, only=slug)
    if found is None:
        return HttpResponse(" ".join(str(m) for e in form.errors.values() for m in e), status=400,
                            content_type="text/plain; charset=utf-8")
    stats = found.value
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    center = f"-{stats.center.center_uuid}" if stats.center else ""
    response["Content-Disposition"] = f'attachment; filename="kyodo-{slug}-{stats.first}-{stats.last}{center}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with the BOM
    csv_safe.writer(response).writerows(selectors.statistics_csv_rows(stats, slug))
    return response


def _center_figures(request, only: str | None = None):
    """The filter form and, when it is valid, the centers' counts it asks for."""
    form = YearRangeFilterForm(request.GET or None, max_years=figures_selectors.MAX_CENTER_FIGURES_YEARS)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    center = data.get("center")
    return form, figures_cache.figures("centers", first=data.get("year_from"), last=data.get("year_to"),
                                       center=center.pk if center else None, only=only)


@hub_permission(HubScope.STATISTICS)
def center_statistics(request):
    form, found = _center_figures(request)
    figures = found.value if found is not None else None
    return render(request, "hub/center_statistics.html", {"form": form, "figures": figures, "figures_state": found,
                                                          "query": request.GET.urlencode(), "symbol": SUPPRESSED},
                  status=400 if figures is None else 200)


@hub_permission(HubScope.STATISTICS)
def center_statistics_csv(request, slug):
    if not figures_selectors.is_center_figures_slug(slug):
        raise Http404
    form, found = _center_figures(request, only=slug)
    if found is None:
        return HttpResponse(" ".join(str(m) for e in form.errors.values() for m in e), status=400,
                            content_type="text/plain; charset=utf-8")
    figures = found.value
    rows = figures_selectors.center_figures_csv_rows(figures, slug)
    if rows is None:
        raise Http404  # a center without such counts, or one the filter left out
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kyodo-centers-{slug}-{figures.first}-{figures.last}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with the BOM
    csv_safe.writer(response).writerows(rows)
    return response
