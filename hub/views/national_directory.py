"""National hub UI: the directory of groups listed nationally, with their offers and prefecture."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from permissions.models import HubScope

from ..selectors import national_directory as selectors
from .common import hub_permission
from .national_statistics import national_only


def directory_query(params) -> dict:
    field = params.get("field", "")
    return {"q": params.get("q", "")[:200], "prefecture": params.get("prefecture", ""),
            "field": int(field) if field.isdigit() and 1 <= int(field) <= 20 else None}


@hub_permission(HubScope.DIRECTORY)
def national_directory(request):
    national_only()
    page = Paginator(selectors.national_groups(**directory_query(request.GET)), selectors.GROUPS_PER_PAGE) \
        .get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "hub/national_directory.html", {
        "page": page, "rows": selectors.national_rows(page), "prefectures": selectors.national_prefectures(),
        "params": request.GET, "query": query.urlencode(), "fields": range(1, 21)})
