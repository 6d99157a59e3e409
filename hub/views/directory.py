"""Hub UI: the cross-center directory of listed groups and the calendar of public events."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from permissions.models import HubScope

from ..selectors import directory as selectors
from .common import hub_permission


@hub_permission(HubScope.DIRECTORY)
def directory(request):
    field = request.GET.get("field", "")
    groups = selectors.directory(q=request.GET.get("q", ""), field=int(field) if field.isdigit() else None,
                                 center=request.GET.get("center", ""), kind=request.GET.get("kind", ""))
    page = Paginator(groups, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "hub/directory.html", {
        "page": page, "centers": selectors.centers(), "query": query.urlencode(), "params": request.GET,
        "fields": range(1, 21)})


@hub_permission(HubScope.DIRECTORY)
def calendar(request):
    try:
        month = dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        month = timezone.localdate().replace(day=1)
    data = selectors.calendar(month=month, q=request.GET.get("q", ""), center=request.GET.get("center", ""))
    return render(request, "hub/calendar.html", {"data": data, "centers": selectors.centers(), "params": request.GET})
