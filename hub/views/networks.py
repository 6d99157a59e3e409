"""Hub UI: intermediate support networks across centers, by center and field, counts only."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from permissions.models import HubScope

from ..selectors import directory, networks as selectors
from .common import hub_permission


def _listing(request) -> dict:
    field = request.GET.get("field", "")
    return selectors.network_listing(field_code=int(field) if field.isdigit() else None,
                                     center=request.GET.get("center", ""))


@hub_permission(HubScope.DIRECTORY)
def network_list(request):
    return render(request, "hub/networks.html", {"listing": _listing(request), "centers": directory.centers(),
                                                 "params": request.GET, "fields": range(1, 21)})


@hub_permission(HubScope.DIRECTORY)
def network_list_json(request):
    return JsonResponse(selectors.listing_document(_listing(request)), json_dumps_params={"ensure_ascii": False})
