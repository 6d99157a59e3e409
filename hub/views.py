"""Hub UI: federation overview, cross-center directory and calendar, node enrollment and keys, notices,
the shared case library with its study-tour collections, statistics, and disaster declarations."""

from __future__ import annotations

import csv
import datetime as dt
import uuid as uuid_module
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import add_service_errors
from sync.disaster import Sector

from . import disaster_matching, selectors, services
from .disclosure import SUPPRESSED
from .forms import (
    AddToCollectionForm,
    CollectionForm,
    ContactGrantForm,
    DisasterDeclareForm,
    DisasterUpdateForm,
    EnrollForm,
    KeyForm,
    LibraryFilterForm,
    NoticeForm,
    StatisticsFilterForm,
    SurveyForm,
)
from .models import (
    CaseCollection,
    ContactGrant,
    DisasterDeclaration,
    DisasterNeedCopy,
    DisasterOfferCopy,
    EmergencySurvey,
    FeedEntry,
    KeyStatus,
    Node,
    NodeCenter,
    NodeKey,
    NodeStatus,
    SharedCase,
)
from .tours import lessons_for_case


def hub_permission(codename: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not selectors.can(request.user, codename):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@login_required
def home(request):
    """The federation page: every node's lag, last contact and keys. A study tour's visitor (no hub
    role) lands on their tours instead."""
    if not selectors.can(request.user, "view_hub"):
        if request.user.tour_participations.exists():
            return redirect("hub-tours")
        raise PermissionDenied
    return render(request, "hub/home.html", {
        "rows": selectors.federation(), "upcoming": selectors.upcoming_events(),
        "can_manage": selectors.can(request.user, "manage_hub"),
        "notices": FeedEntry.objects.select_related("node").order_by("-seq")[:5],
    })


@hub_permission("view_hub")
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


@hub_permission("view_hub")
def calendar(request):
    try:
        month = dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        month = timezone.localdate().replace(day=1)
    data = selectors.calendar(month=month, q=request.GET.get("q", ""), center=request.GET.get("center", ""))
    return render(request, "hub/calendar.html", {"data": data, "centers": selectors.centers(), "params": request.GET})


@hub_permission("manage_hub")
def node_enroll(request):
    form = EnrollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            node = services.node_enroll(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{node.name} を登録しました。")
            return redirect("hub-node", slug=node.slug)
    return render(request, "hub/node_enroll.html", {"form": form}, status=400 if form.errors else 200)


@hub_permission("view_hub")
def node_detail(request, slug):
    node = get_object_or_404(Node, slug=slug)
    form = KeyForm(request.POST or None)
    if request.method == "POST":
        if not selectors.can(request.user, "manage_hub"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.node_key_add(acting_user=request.user, node=node, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "鍵を追加しました。")
                return redirect("hub-node", slug=slug)
    return render(request, "hub/node_detail.html", {
        "node": node, "keys": node.keys.order_by("-created_at"), "centers": node.centers.all(), "form": form,
        "can_manage": selectors.can(request.user, "manage_hub"), "statuses": NodeStatus.choices,
    }, status=400 if form.errors else 200)


@hub_permission("manage_hub")
@require_POST
def key_retire(request, slug, key_id):
    key = get_object_or_404(NodeKey, node__slug=slug, key_id=key_id, status=KeyStatus.ACTIVE)
    revoke = request.POST.get("revoke") == "1"
    services.node_key_retire(acting_user=request.user, key=key, revoke=revoke)
    messages.success(request, "鍵を失効させました。" if revoke else "鍵を引退させました。")
    return redirect("hub-node", slug=slug)


@hub_permission("manage_hub")
@require_POST
def node_status(request, slug):
    node = get_object_or_404(Node, slug=slug)
    try:
        services.node_set_status(acting_user=request.user, node=node, status=request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("hub-node", slug=slug)


@hub_permission("manage_hub")
def notice(request):
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.feed_publish(acting_user=request.user, kind="notice", node=data["node"],
                              payload={"title": data["title"], "body": data["body"]})
        messages.success(request, "ノードへ配信しました。")
        return redirect("home")
    return render(request, "hub/notice.html", {"form": form}, status=400 if form.errors else 200)


# --- the shared case library (協働事例ライブラリ) -------------------------------------------------


def _page_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@hub_permission("view_hub")
def case_library(request):
    filters = LibraryFilterForm(request.GET or None)
    # A bad filter is shown with its message and left out; the valid ones still apply.
    chosen = {}
    if filters.is_bound:
        filters.is_valid()
        chosen = {name: value for name, value in filters.cleaned_data.items() if value not in (None, "")}
    page = Paginator(selectors.case_library(**chosen), 30).get_page(request.GET.get("page"))
    return render(request, "hub/case_library.html", {"filters": filters, "page": page, "query": _page_query(request)})


def _case_page(request, case: SharedCase, add_form: AddToCollectionForm, status: int = 200):
    return render(request, "hub/case_detail.html", {
        "case": case, "add_form": add_form, "has_collections": CaseCollection.objects.exists(),
        "entries": selectors.case_collection_entries(case), "lessons": lessons_for_case(case)}, status=status)


@hub_permission("view_hub")
def case_detail(request, pk):
    case = selectors.case_detail(pk)
    if case is None:
        raise Http404
    return _case_page(request, case, AddToCollectionForm())


@hub_permission("view_hub")
@require_POST
def case_collect(request, pk):
    """Add the case to a study-tour collection, from the case's page."""
    case = selectors.case_detail(pk)
    if case is None:
        raise Http404
    form = AddToCollectionForm(request.POST)
    if form.is_valid():
        try:
            services.collection_add_case(acting_user=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"「{form.cleaned_data['collection'].title}」に追加しました。")
            return redirect("hub-case", pk=case.pk)
    return _case_page(request, case, form, status=400)


@hub_permission("view_hub")
def collection_list(request):
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.collection_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"事例集「{collection.title}」を作りました。事例のページから事例を追加できます。")
            return redirect("hub-collection", pk=collection.pk)
    return render(request, "hub/collection_list.html", {"collections": selectors.collections(), "form": form},
                  status=400 if form.errors else 200)


@hub_permission("view_hub")
def collection_detail(request, pk):
    collection = get_object_or_404(CaseCollection.objects.select_related("created_by"), pk=pk)
    return render(request, "hub/collection_detail.html", {
        "collection": collection, "entries": selectors.collection_entries(collection)})


@hub_permission("view_hub")
def collection_edit(request, pk):
    collection = get_object_or_404(CaseCollection, pk=pk)
    # Initial values, not the instance: a refused title must not show up in the page's heading.
    form = CollectionForm(request.POST or None, initial={"title": collection.title, "description": collection.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.collection_update(acting_user=request.user, collection=collection, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "事例集を更新しました。")
            return redirect("hub-collection", pk=pk)
    return render(request, "hub/collection_form.html", {"collection": collection, "form": form},
                  status=400 if form.errors else 200)


@hub_permission("view_hub")
@require_POST
def collection_delete(request, pk):
    collection = get_object_or_404(CaseCollection, pk=pk)
    services.collection_delete(acting_user=request.user, collection=collection)
    messages.success(request, f"事例集「{collection.title}」を削除しました（事例そのものは残ります）。")
    return redirect("hub-collections")


def _back(request, default: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


@hub_permission("view_hub")
@require_POST
def collection_remove_case(request, pk, case_pk):
    collection = get_object_or_404(CaseCollection, pk=pk)
    case = get_object_or_404(SharedCase, pk=case_pk)
    if services.collection_remove_case(acting_user=request.user, collection=collection, case=case):
        messages.success(request, f"「{collection.title}」から外しました。")
    return _back(request, reverse("hub-collection", args=[pk]))


@hub_permission("view_hub")
@require_POST
def collection_move_case(request, pk, case_pk):
    collection = get_object_or_404(CaseCollection, pk=pk)
    case = get_object_or_404(SharedCase, pk=case_pk)
    services.collection_move_case(acting_user=request.user, collection=collection, case=case,
                                  offset=-1 if request.POST.get("direction") == "up" else 1)
    return redirect("hub-collection", pk=pk)


# --- statistics (統計) -------------------------------------------------------------------------------


def _statistics(request, only: str | None = None):
    """The filter form and, when it is valid, the statistics it asks for."""
    form = StatisticsFilterForm(request.GET or None, max_years=selectors.MAX_STATISTICS_YEARS)
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    first, last = selectors.statistics_range(first=data.get("year_from"), last=data.get("year_to"),
                                             center=data.get("center"))
    if last - first + 1 > selectors.MAX_STATISTICS_YEARS:
        form.add_error(None, f"一度に集計できるのは{selectors.MAX_STATISTICS_YEARS}年度までです。")
        return form, None
    return form, selectors.case_statistics(first=first, last=last, center=data.get("center"), only=only)


@hub_permission("view_hub")
def statistics(request):
    form, stats = _statistics(request)
    return render(request, "hub/statistics.html", {"form": form, "stats": stats, "query": request.GET.urlencode(),
                                                   "symbol": SUPPRESSED},
                  status=400 if stats is None else 200)


@hub_permission("view_hub")
def statistics_csv(request, slug):
    if slug not in selectors.STATISTICS_TABLES:
        raise Http404
    form, stats = _statistics(request, only=slug)
    if stats is None:
        return HttpResponse(" ".join(str(m) for e in form.errors.values() for m in e), status=400,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    center = f"-{stats.center.center_uuid}" if stats.center else ""
    response["Content-Disposition"] = f'attachment; filename="kyodo-{slug}-{stats.first}-{stats.last}{center}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with the BOM
    csv.writer(response).writerows(selectors.statistics_csv_rows(stats, slug))
    return response


# --- disaster coordination (みんかな) ---------------------------------------------------------------


def _disaster(uuid) -> DisasterDeclaration:
    return get_object_or_404(DisasterDeclaration, uuid=uuid)


@hub_permission("view_hub")
def disaster_list(request):
    return render(request, "hub/disaster_list.html", {
        "declarations": selectors.disasters(), "can_manage": selectors.can(request.user, "manage_hub")})


@hub_permission("manage_hub")
def disaster_declare(request):
    form = DisasterDeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = services.disaster_declare(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"「{declaration}」を宣言し、すべてのノードへ配信しました。")
            return redirect("hub-disaster", uuid=declaration.uuid)
    return render(request, "hub/disaster_form.html", {"form": form, "declaration": None},
                  status=400 if form.errors else 200)


@hub_permission("view_hub")
def disaster_board(request, uuid):
    declaration = _disaster(uuid)
    coordination = selectors.disaster_coordination(declaration)
    suggestions = disaster_matching.disaster_suggestions(declaration)
    top = [(row, suggestions.get(row.need.entity_uuid, [])[:disaster_matching.BOARD_TOP])
           for row in coordination.live_needs]
    return render(request, "hub/disaster_board.html", {
        "declaration": declaration, "board": selectors.disaster_board(declaration),
        "coordination": coordination, "sectors": Sector.choices, "suggestions": top,
        "surveys": selectors.surveys(declaration=declaration),
        "can_manage": selectors.can(request.user, "manage_hub")})


@hub_permission("view_hub")
def disaster_need(request, uuid, need_uuid):
    """One need on the hub: its lines, commitments and every suggested offer with its reasons."""
    declaration = _disaster(uuid)
    need = get_object_or_404(DisasterNeedCopy.objects.select_related("center"), declaration=declaration,
                             entity_uuid=need_uuid)
    coordination = selectors.disaster_coordination(declaration)
    row = next(r for r in coordination.needs if r.need.pk == need.pk)
    return render(request, "hub/disaster_need.html", {
        "declaration": declaration, "row": row,
        "commitments": [c for c in coordination.commitments if c.commitment.need_uuid == need.entity_uuid],
        "suggestions": disaster_matching.disaster_suggestions(declaration, need_uuid=need.entity_uuid).get(
            need.entity_uuid, []),
        "ask_centers": selectors.centers_to_ask(declaration, need),
        "can_manage": selectors.can(request.user, "manage_hub")})


@hub_permission("manage_hub")
def disaster_edit(request, uuid):
    declaration = _disaster(uuid)
    if declaration.closed_at is not None:
        messages.error(request, "終了した災害宣言は変更できません。")
        return redirect("hub-disaster", uuid=uuid)
    initial = {"name": declaration.name, "hazard": declaration.hazard, "phase": declaration.phase,
               "whole_prefecture": declaration.whole_prefecture,
               "municipality_codes": " ".join(declaration.municipality_codes)}
    form = DisasterUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.disaster_update(acting_user=request.user, declaration=declaration, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "災害宣言を更新し、ノードへ配信しました。")
            return redirect("hub-disaster", uuid=uuid)
    return render(request, "hub/disaster_form.html", {"form": form, "declaration": declaration},
                  status=400 if form.errors else 200)


@hub_permission("manage_hub")
@require_POST
def disaster_close(request, uuid):
    declaration = _disaster(uuid)
    try:
        services.disaster_close(acting_user=request.user, declaration=declaration)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"「{declaration}」を終了しました。ノードは通常の運用に戻ります。")
    return redirect("hub-disaster", uuid=uuid)


@hub_permission("manage_hub")
@require_POST
def disaster_commit(request, uuid):
    """A coordinator commits an offer (or a center) to a need; the committing node hears of it at once."""
    declaration = _disaster(uuid)
    need = get_object_or_404(DisasterNeedCopy, declaration=declaration, entity_uuid=_uuid_or_404(request.POST.get("need")))
    offer = center = None
    if request.POST.get("offer"):
        offer = get_object_or_404(DisasterOfferCopy, declaration=declaration,
                                  entity_uuid=_uuid_or_404(request.POST["offer"]))
    elif request.POST.get("center"):
        center = get_object_or_404(NodeCenter, center_uuid=_uuid_or_404(request.POST["center"]))
    try:
        quantity = int(request.POST.get("quantity", ""))
    except ValueError:
        quantity = 0
    try:
        services.disaster_commit(acting_user=request.user, need=need, offer=offer, center=center, quantity=quantity,
                                 instructions=request.POST.get("instructions", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "支援を割り当て、担当センターのノードへ送信しました。")
    if request.POST.get("back") == "need":
        return redirect("hub-disaster-need", uuid=uuid, need_uuid=need.entity_uuid)
    return redirect("hub-disaster", uuid=uuid)


def _uuid_or_404(value):
    try:
        return uuid_module.UUID(str(value))
    except ValueError as error:
        raise Http404 from error


@hub_permission("view_hub")
def disaster_sitrep(request, uuid):
    """POST issues the next 第N報 (the number is kept on the declaration); GET shows the last one for print."""
    declaration = _disaster(uuid)
    if request.method == "POST":
        services.disaster_sitrep_issue(acting_user=request.user, declaration=declaration)
        return redirect("hub-disaster-sitrep", uuid=uuid)
    if declaration.sitrep_number == 0:
        return redirect("hub-disaster", uuid=uuid)
    board = selectors.disaster_board(declaration)
    return render(request, "hub/disaster_sitrep.html", {
        "declaration": declaration, "board": board, "coordination": selectors.disaster_coordination(declaration)})


@hub_permission("view_hub")
def disaster_export(request, uuid, fmt):
    """Who does what where: CSV, JSON, or CSV with the HXL hashtag row under the header."""
    declaration = _disaster(uuid)
    rows = selectors.disaster_export_rows(declaration)
    stem = f"disaster-{declaration.uuid}"
    if fmt == "json":
        body = {"declaration": {"uuid": str(declaration.uuid), "name": declaration.name,
                                "hazard": declaration.hazard, "exercise": declaration.exercise,
                                "phase": declaration.phase, "started_at": declaration.started_at.isoformat(),
                                "closed_at": declaration.closed_at.isoformat() if declaration.closed_at else None},
                "exported_at": timezone.now().isoformat(), "rows": rows}
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}{"-hxl" if fmt == "hxl" else ""}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    writer = csv.writer(response)
    writer.writerow([label for _key, label, _tag in selectors.HXL_COLUMNS])
    if fmt == "hxl":
        writer.writerow([tag for _key, _label, tag in selectors.HXL_COLUMNS])
    for row in rows:
        writer.writerow([row[key] for key, _label, _tag in selectors.HXL_COLUMNS])
    return response


# --- disaster contacts (item 5) and emergency surveys (item 6) -------------------------------------------


def _contacts_page(request, declaration, *, form=None, status=200):
    grant, contacts = selectors.disaster_contacts(user=request.user, declaration=declaration, purpose="page")
    return render(request, "hub/disaster_contacts.html", {
        "declaration": declaration, "grant": grant, "contacts": contacts,
        "contact_count": selectors.contact_count(declaration=declaration),
        "grants": selectors.contact_grants(declaration=declaration), "form": form or ContactGrantForm(),
        "can_manage": selectors.can(request.user, "manage_hub")}, status=status)


@hub_permission("view_hub")
def disaster_contacts(request, uuid):
    """The declaration's disaster contacts — listed only under a valid grant (every view is audited)."""
    return _contacts_page(request, _disaster(uuid))


@hub_permission("view_hub")
@require_POST
def contact_grant_request(request, uuid):
    declaration = _disaster(uuid)
    form = ContactGrantForm(request.POST)
    if form.is_valid():
        try:
            services.contact_grant_request(acting_user=request.user, declaration=declaration, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("閲覧を申請しました。ほかの管理者が承認すると連絡先が表示されます。"))
            return redirect("hub-disaster-contacts", uuid=uuid)
    return _contacts_page(request, declaration, form=form, status=400)


def _grant(declaration, grant_uuid) -> ContactGrant:
    return get_object_or_404(ContactGrant, declaration=declaration, uuid=grant_uuid)


@hub_permission("manage_hub")
@require_POST
def contact_grant_approve(request, uuid, grant_uuid):
    declaration = _disaster(uuid)
    try:
        services.contact_grant_approve(acting_user=request.user, grant=_grant(declaration, grant_uuid))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("hub-disaster-contacts", uuid=uuid)
    messages.success(request, _("閲覧を承認しました。"))
    return redirect("hub-disaster-contacts", uuid=uuid)


@hub_permission("view_hub")
@require_POST
def contact_grant_end(request, uuid, grant_uuid):
    declaration = _disaster(uuid)
    grant = _grant(declaration, grant_uuid)
    if grant.grantee_id != request.user.pk and not selectors.can(request.user, "manage_hub"):
        raise PermissionDenied
    services.contact_grant_end(acting_user=request.user, grant=grant)
    messages.success(request, _("閲覧許可を終了しました。"))
    return redirect("hub-disaster-contacts", uuid=uuid)


@hub_permission("view_hub")
def survey_create(request, uuid):
    declaration = _disaster(uuid)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(acting_user=request.user, declaration=declaration,
                                            title=form.cleaned_data["title"], questions=form.questions())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("アンケートを対象のノードへ配信しました。"))
            return redirect("hub-survey", uuid=survey.uuid)
    return render(request, "hub/survey_form.html", {"declaration": declaration, "form": form},
                  status=400 if form.errors else 200)


def _survey(uuid) -> EmergencySurvey:
    return get_object_or_404(EmergencySurvey.objects.select_related("declaration"), uuid=uuid)


@hub_permission("view_hub")
def survey_results(request, uuid):
    survey = _survey(uuid)
    return render(request, "hub/survey_results.html", {
        "survey": survey, "declaration": survey.declaration, "results": selectors.survey_results(survey),
        "symbol": SUPPRESSED})


@require_POST
@hub_permission("view_hub")
def survey_close(request, uuid):
    survey = services.survey_close(acting_user=request.user, survey=_survey(uuid))
    messages.success(request, _("回答の受付を締め切りました。各ノードに伝わると回答を記録できなくなります。"))
    return redirect("hub-survey", uuid=survey.uuid)


@hub_permission("view_hub")
def survey_csv(request, uuid, slug):
    survey = _survey(uuid)
    rows = selectors.survey_csv_rows(selectors.survey_results(survey), slug)
    if rows is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.uuid}-{slug}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
    csv.writer(response).writerows(rows)
    return response
