"""Public pages of a node (no login): the center's portal at `/`, the city's menu, published needs,
the department directory, the printable menu and its PDF, and the open-data event list."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from common import pdf

from . import city_menu, csvio, models as m, newsletters
from .outgoing import Door
from .views_common import int_or_none

CACHE = "public, max-age=300"


def _center(center_uuid):
    center = city_menu.public_center(center_uuid)
    if center is None:
        raise Http404
    return center


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = CACHE
    return response


def portal_home(request):
    """`/` for a visitor: the node's one center's portal, or the list of its centers."""
    centers = list(city_menu.public_centers())
    if len(centers) == 1:
        return portal(request, centers[0].uuid)
    return render(request, "nodes/public/centers.html", {"centers": centers})


def portal(request, center_uuid):
    center = _center(center_uuid)
    return render(request, "nodes/public/portal.html", {
        "center": center, **city_menu.portal(center=center),
        "newsletters": newsletters.published_editions(center=center, limit=city_menu.PORTAL_LIMIT)})


def menu(request, center_uuid):
    """The city's menu for one fiscal year, by department (default) or by activity field."""
    center = _center(center_uuid)
    years = city_menu.menu_fiscal_years(center=center)
    year = int_or_none(request.GET.get("year"))
    year = year if year in years else city_menu.current_fiscal_year()
    by_field = request.GET.get("by") == "field"
    context = {"center": center, "years": years, "year": year, "by_field": by_field}
    if by_field:
        context["sections"] = city_menu.city_menu_by_field(center=center, fiscal_year=year)
    else:
        context["departments"] = city_menu.city_menu(center=center, fiscal_year=year)
    return _public(render(request, "nodes/public/menu.html", context))


def _menu_year(center, year: int) -> int:
    """A 年度 the menu has (or the current one): any other number in the address is not a page."""
    if year not in city_menu.menu_fiscal_years(center=center):
        raise Http404
    return year


def menu_print(request, center_uuid, year):
    center = _center(center_uuid)
    year = _menu_year(center, year)
    return _public(render(request, "nodes/public/menu_print.html", {
        "center": center, "year": year, "departments": city_menu.city_menu(center=center, fiscal_year=year)}))


def menu_pdf(request, center_uuid, year):
    center = _center(center_uuid)
    year = _menu_year(center, year)
    body = pdf.render(city_menu.menu_document(center=center, fiscal_year=year))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="city-menu-{year}.pdf"'
    return _public(response)


def needs(request, center_uuid):
    center = _center(center_uuid)
    field_code = int_or_none(request.GET.get("field"))
    return _public(render(request, "nodes/public/needs.html", {
        "center": center, "needs": city_menu.published_needs(center=center, field_code=field_code),
        "fields": m.ActivityField.objects.all(), "field_code": field_code,
    }))


def departments(request, center_uuid):
    """「どの課に相談すればいいか」: search the desks by theme and activity field."""
    center = _center(center_uuid)
    q = request.GET.get("q", "")[:100]
    field_code = int_or_none(request.GET.get("field"))
    return _public(render(request, "nodes/public/departments.html", {
        "center": center, "q": q, "field_code": field_code, "fields": m.ActivityField.objects.all(),
        "desks": city_menu.department_directory(center=center, q=q, field_code=field_code),
    }))


def groups(request, center_uuid):
    center = _center(center_uuid)
    q = request.GET.get("q", "")[:100]
    field_code = int_or_none(request.GET.get("field"))
    return _public(render(request, "nodes/public/groups.html", {
        "center": center, "q": q, "field_code": field_code, "fields": m.ActivityField.objects.all(),
        "groups": city_menu.listed_groups(center=center, q=q, field_code=field_code),
    }))


def events_open_data(request, center_uuid):
    """The center's public events as open data (イベント一覧 layout), no login needed."""
    center = _center(center_uuid)
    queryset = (m.Event.objects.filter(center=center, is_public=True).exclude(status=m.EventStatus.CANCELLED)
                .select_related("center").prefetch_related("organizers").order_by("starts_at"))
    body = "\ufeff" + csvio.events_open_data_csv(queryset=queryset, door=Door(organizations=False))
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="event-list-opendata.csv"'
    return _public(response)
