"""Hub UI: federation overview, cross-center directory and calendar, node enrollment and keys, notices."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.forms import add_service_errors

from . import selectors, services
from .forms import EnrollForm, KeyForm, NoticeForm
from .models import FeedEntry, KeyStatus, Node, NodeKey, NodeStatus


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


@hub_permission("view_hub")
def home(request):
    """The federation page: every node's lag, last contact and keys."""
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
