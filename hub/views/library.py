"""Hub UI: the shared case library (協働事例ライブラリ) and its study-tour collections."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common.forms import add_service_errors
from permissions.models import HubScope

from ..forms import AddToCollectionForm, CollectionForm, LibraryFilterForm
from ..models import CaseCollection, SharedCase
from ..selectors import library as selectors
from ..selectors.node_library import library_reads_by_month
from ..selectors.tours import lessons_for_case
from ..selectors.trainings import training_counts_by_month
from ..services import library as services
from .common import hub_permission


def _page_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@hub_permission(HubScope.LIBRARY)
def case_library(request):
    filters = LibraryFilterForm(request.GET or None)
    # A bad filter is shown with its message and left out; the valid ones still apply.
    chosen = {}
    if filters.is_bound:
        filters.is_valid()
        chosen = {name: value for name, value in filters.cleaned_data.items() if value not in (None, "")}
    page = Paginator(selectors.case_library_results(**chosen), 30).get_page(request.GET.get("page"))
    return render(request, "hub/case_library.html", {"filters": filters, "page": page, "query": _page_query(request),
                                                     "index_lag": selectors.case_index_lag(),
                                                     "count_capped": page.paginator.object_list.count_capped})


@hub_permission(HubScope.STATISTICS)
def library_reads(request):
    """How often each center's staff read the library from their node, per month (事例ライブラリ（県）)."""
    return render(request, "hub/library_reads.html", {"reads": library_reads_by_month()})


@hub_permission(HubScope.STATISTICS)
def training_counts(request):
    """Trainings and information-sharing meetings across centers, per center and month (counts only)."""
    return render(request, "hub/training_counts.html", {"rows": training_counts_by_month()})


def _case_page(request, case: SharedCase, add_form: AddToCollectionForm, status: int = 200):
    return render(request, "hub/case_detail.html", {
        "case": case, "add_form": add_form, "has_collections": CaseCollection.objects.exists(),
        "entries": selectors.case_collection_entries(case), "lessons": lessons_for_case(case)}, status=status)


@hub_permission(HubScope.LIBRARY)
def case_detail(request, pk):
    case = selectors.case_detail(pk)
    if case is None:
        raise Http404
    return _case_page(request, case, AddToCollectionForm())


@hub_permission(HubScope.LIBRARY)
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
            messages.success(request, gettext("「%(collection)s」に追加しました。") % {
                "collection": form.cleaned_data["collection"].title})
            return redirect("hub-case", pk=case.pk)
    return _case_page(request, case, form, status=400)


@hub_permission(HubScope.LIBRARY)
def collection_list(request):
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.collection_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("事例集「%(collection)s」を作りました。事例のページから事例を追加できます。") % {
                "collection": collection.title})
            return redirect("hub-collection", pk=collection.pk)
    return render(request, "hub/collection_list.html", {"collections": selectors.collections(), "form": form},
                  status=400 if form.errors else 200)


@hub_permission(HubScope.LIBRARY)
def collection_detail(request, pk):
    collection = get_object_or_404(CaseCollection.objects.select_related("created_by"), pk=pk)
    return render(request, "hub/collection_detail.html", {
        "collection": collection, "entries": selectors.collection_entries(collection)})


@hub_permission(HubScope.LIBRARY)
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
            messages.success(request, gettext("事例集を更新しました。"))
            return redirect("hub-collection", pk=pk)
    return render(request, "hub/collection_form.html", {"collection": collection, "form": form},
                  status=400 if form.errors else 200)


@hub_permission(HubScope.LIBRARY)
@require_POST
def collection_delete(request, pk):
    collection = get_object_or_404(CaseCollection, pk=pk)
    services.collection_delete(acting_user=request.user, collection=collection)
    messages.success(request, gettext("事例集「%(collection)s」を削除しました（事例そのものは残ります）。") % {
        "collection": collection.title})
    return redirect("hub-collections")


def _back(request, default: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


@hub_permission(HubScope.LIBRARY)
@require_POST
def collection_remove_case(request, pk, case_pk):
    collection = get_object_or_404(CaseCollection, pk=pk)
    case = get_object_or_404(SharedCase, pk=case_pk)
    if services.collection_remove_case(acting_user=request.user, collection=collection, case=case):
        messages.success(request, gettext("「%(collection)s」から外しました。") % {"collection": collection.title})
    return _back(request, reverse("hub-collection", args=[pk]))


@hub_permission(HubScope.LIBRARY)
@require_POST
def collection_move_case(request, pk, case_pk):
    collection = get_object_or_404(CaseCollection, pk=pk)
    case = get_object_or_404(SharedCase, pk=case_pk)
    services.collection_move_case(acting_user=request.user, collection=collection, case=case,
                                  offset=-1 if request.POST.get("direction") == "up" else 1)
    return redirect("hub-collection", pk=pk)
