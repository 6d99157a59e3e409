"""Signed endpoints through which a center's staff read the shared library from their own node
(事例ライブラリ（県）): the case search with the library's filters and paging, one case, the
statistics tables (suppressed) and the directory — what a hub coordinator's pages show, no more.

Every request names the reading center (`reader`, one of the signing node's own centers); each
answered read is counted for it (hub.services.library_reads). Errors as {"error": {"code", "message"}},
a bad filter as 400 `invalid_filter` with the fields and their codes."""

from __future__ import annotations

import uuid as uuid_module

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.views.decorators.http import require_http_methods

from sync.signed_requests import error_json

from . import national_link
from .forms import LibraryFilterForm, StatisticsFilterForm
from .models import LibraryReadKind, Node
from .selectors import node_library as selectors
from .selectors.directory import directory as directory_groups
from .selectors.library import case_library_results
from .selectors.statistics import MAX_STATISTICS_YEARS, case_statistics, statistics_range
from .services.library_reads import library_read_record
from .sync_views import signed

MAX_PAGE = 10_000


def _reader(request, node: Node):
    """(the reading center, None) or (None, the refusal)."""
    try:
        center_uuid = uuid_module.UUID(request.GET.get("reader", ""))
    except ValueError:
        return None, error_json("reader_required", "reader must be the uuid of the reading center", 400)
    center = selectors.reader_center(node=node, center_uuid=center_uuid)
    if center is None:
        return None, error_json("outside_partition", "the reading center does not belong to the signing node "
                                                     "(or its profile has not reached the hub yet)", 403)
    return center, None


def _filter_error(fields: dict[str, list[str]], message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": "invalid_filter", "message": message, "fields": fields}}, status=400)


def _invalid_filter(form) -> JsonResponse:
    fields = {name: [error.code or "invalid" for error in errors.as_data()] for name, errors in form.errors.items()}
    return _filter_error(fields, " ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))


def _page_number(request) -> int | None:
    value = request.GET.get("page", "1") or "1"
    return int(value) if value.isdigit() and 1 <= int(value) <= MAX_PAGE else None


def _paged(request, items, per_page: int):
    number = _page_number(request)
    if number is None:
        return None, error_json("invalid_page", f"page must be a whole number from 1 to {MAX_PAGE}", 400)
    return Paginator(items, per_page).get_page(number), None


def _paging(page) -> dict:
    return {"count": page.paginator.count, "page": page.number, "num_pages": page.paginator.num_pages,
            "per_page": page.paginator.per_page}


@require_http_methods(["GET"])
@signed
def cases(request, node: Node):
    """The library searched and filtered as on the hub's page (LibraryFilterForm), 30 a page."""
    reader, refusal = _reader(request, node)
    if refusal:
        return refusal
    scope = request.GET.get("scope", "")
    if scope not in ("", "prefecture", "national"):
        return _filter_error({"scope": ["invalid_choice"]}, "scope is prefecture or national")
    if scope == "national":
        # Every prefecture's 全国 cases are on the national hub (this one's too): the question goes
        # up as this hub's, naming the same reading center.
        params = {k: v for k, v in request.GET.items() if k != "scope"}
        answer = national_link.ask_national("/sync/v1/library/cases", params)
        if answer.status_code == 200:
            library_read_record(node=node, center=reader, kind=LibraryReadKind.SEARCH)
        return answer
    filters = LibraryFilterForm(request.GET)
    if not filters.is_valid():
        return _invalid_filter(filters)
    chosen = {name: value for name, value in filters.cleaned_data.items() if value not in (None, "")}
    page, refusal = _paged(request, case_library_results(**chosen), selectors.CASES_PER_PAGE)
    if refusal:
        return refusal
    library_read_record(node=node, center=reader, kind=LibraryReadKind.SEARCH)
    # count_capped: there are more than `count` matches (counted up to a cap); pages stop there.
    return JsonResponse({**_paging(page), "count_capped": page.paginator.object_list.count_capped,
                         "cases": [selectors.case_row(case) for case in page],
                         "centers": selectors.centers()})


@require_http_methods(["GET"])
@signed
def case(request, node: Node, uuid):
    reader, refusal = _reader(request, node)
    if refusal:
        return refusal
    found = selectors.case_by_uuid(uuid)
    if found is None and national_link.has_national_hub():
        # A case of another prefecture, found through a 全国 search: its page comes from the national hub.
        answer = national_link.ask_national(f"/sync/v1/library/cases/{uuid}", {"reader": str(reader.center_uuid)})
        if answer.status_code == 200:
            library_read_record(node=node, center=reader, kind=LibraryReadKind.CASE)
        return answer
    if found is None:
        return error_json("case_not_found", "no shared case has this uuid (retracted?)", 404)
    library_read_record(node=node, center=reader, kind=LibraryReadKind.CASE, case=found)
    return JsonResponse({"case": selectors.case_document(found)})


@require_http_methods(["GET"])
@signed
def statistics(request, node: Node):
    """The statistics tables as a coordinator sees them (StatisticsFilterForm), already suppressed."""
    reader, refusal = _reader(request, node)
    if refusal:
        return refusal
    form = StatisticsFilterForm(request.GET, max_years=MAX_STATISTICS_YEARS)
    if not form.is_valid():
        return _invalid_filter(form)
    data = form.cleaned_data
    first, last = statistics_range(first=data.get("year_from"), last=data.get("year_to"), center=data.get("center"))
    if last - first + 1 > MAX_STATISTICS_YEARS:
        return _filter_error({"year_to": ["too_many_years"]}, f"at most {MAX_STATISTICS_YEARS} fiscal years at once")
    stats = case_statistics(first=first, last=last, center=data.get("center"), form=data.get("form") or None,
                            track_form=form.track_form)
    library_read_record(node=node, center=reader, kind=LibraryReadKind.STATISTICS)
    return JsonResponse({"statistics": selectors.statistics_document(stats), "centers": selectors.centers(),
                         "max_years": MAX_STATISTICS_YEARS})


@require_http_methods(["GET"])
@signed
def directory(request, node: Node):
    """The directory of listed groups as on the hub's page: keyword, field, center; 50 a page."""
    reader, refusal = _reader(request, node)
    if refusal:
        return refusal
    field, center = request.GET.get("field", ""), request.GET.get("center", "")
    if field and not (field.isdigit() and 1 <= int(field) <= 20):
        return _filter_error({"field": ["invalid_choice"]}, "field must be an activity field code (1-20)")
    if center:
        try:
            uuid_module.UUID(center)
        except ValueError:
            return _filter_error({"center": ["invalid"]}, "center must be a center's uuid")
    groups = directory_groups(q=request.GET.get("q", "")[:200], field=int(field) if field else None, center=center)
    page, refusal = _paged(request, groups, selectors.GROUPS_PER_PAGE)
    if refusal:
        return refusal
    library_read_record(node=node, center=reader, kind=LibraryReadKind.DIRECTORY)
    return JsonResponse({**_paging(page), "groups": [selectors.directory_row(group) for group in page],
                         "centers": selectors.centers()})
