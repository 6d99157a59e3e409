"""The national hub's REST API for coordinators: the national statistics, suppressed as on the page,
and the directory of groups listed nationally."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import error_response
from permissions.models import HubScope

from .selectors import national_directory as directory, national_statistics as selectors
from .selectors.access import can
from .views.national_directory import directory_query


class NationalStatisticsApi(APIView):
    """GET the cases by region (地方), prefecture and form family for one 年度 (`year`, default the latest).
    Suppressed figures are `{"value": null, "suppressed": true}`. 404 `not_national` on a prefectural hub,
    403 `scope_required` without the scope 統計, 404 `no_such_year` for a 年度 no prefecture sent."""

    @extend_schema(parameters=[OpenApiParameter("year", int, required=False)], responses={200: dict})
    def get(self, request):
        if not can(request.user, "view_hub"):
            return error_response("permission_denied", gettext("ハブの閲覧権限がありません。"), 403)
        if not can(request.user, HubScope.STATISTICS):
            return error_response("scope_required", gettext("統計の範囲がありません。"), 403,
                                  scope=HubScope.STATISTICS.value)
        if settings.KYODO_HUB_LEVEL != "national":
            return error_response("not_national", gettext("全国ハブではありません。"), 404)
        value = request.query_params.get("year", "")
        if value and (not value.isdigit() or int(value) not in selectors.national_years()):
            return error_response("no_such_year", gettext("その年度の集計はありません。"), 404)
        stats = selectors.national_statistics(year=int(value) if value else None)
        return Response(selectors.national_document(stats))


class NationalDirectoryApi(APIView):
    """GET the groups listed nationally with their offers and prefecture; `q`, `prefecture` (two digits),
    `field` (1–20) and `page` (50 a page). 404 `not_national` on a prefectural hub, 403 `scope_required`
    without the scope 団体一覧."""

    @extend_schema(parameters=[OpenApiParameter(name, str, required=False) for name in ("q", "prefecture", "field",
                                                                                          "page")],
                   responses={200: dict})
    def get(self, request):
        if not can(request.user, "view_hub"):
            return error_response("permission_denied", gettext("ハブの閲覧権限がありません。"), 403)
        if not can(request.user, HubScope.DIRECTORY):
            return error_response("scope_required", gettext("団体一覧の範囲がありません。"), 403,
                                  scope=HubScope.DIRECTORY.value)
        if settings.KYODO_HUB_LEVEL != "national":
            return error_response("not_national", gettext("全国ハブではありません。"), 404)
        page = Paginator(directory.national_groups(**directory_query(request.query_params)),
                         directory.GROUPS_PER_PAGE).get_page(request.query_params.get("page"))
        return Response({"count": page.paginator.count, "page": page.number, "num_pages": page.paginator.num_pages,
                         "groups": directory.national_rows(page)})
