"""Hub UI: the federation overview, node enrollment and keys, and notices to the nodes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common.forms import add_service_errors
from permissions.models import HubScope

from ..forms import EnrollForm, KeyForm, NoticeForm
from ..models import FeedEntry, KeyStatus, Node, NodeKey, NodeStatus
from ..selectors.access import can
from ..selectors.directory import upcoming_events
from ..selectors.federation import federation
from ..services import enrollment as services
from ..services.feed import feed_publish
from .common import hub_permission


@login_required
def home(request):
    """The federation page: every node's lag, last contact and keys. A study tour's visitor (no hub
    role) lands on their tours instead."""
    if not can(request.user, "view_hub"):
        if request.user.tour_participations.exists():
            return redirect("hub-tours")
        raise PermissionDenied
    return render(request, "hub/home.html", {
        "rows": federation(), "upcoming": upcoming_events() if can(request.user, HubScope.DIRECTORY) else None,
        "can_manage": can(request.user, "manage_hub"),
        "notices": FeedEntry.objects.select_related("node").order_by("-seq")[:5],
    })


@hub_permission("manage_hub")
def node_enroll(request):
    form = EnrollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            node = services.node_enroll(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("%(node)s を登録しました。") % {"node": node.name})
            return redirect("hub-node", slug=node.slug)
    return render(request, "hub/node_enroll.html", {"form": form}, status=400 if form.errors else 200)


@hub_permission("view_hub")
def node_detail(request, slug):
    node = get_object_or_404(Node, slug=slug)
    form = KeyForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, "manage_hub"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.node_key_add(acting_user=request.user, node=node, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("鍵を追加しました。"))
                return redirect("hub-node", slug=slug)
    return render(request, "hub/node_detail.html", {
        "node": node, "keys": node.keys.order_by("-created_at"), "centers": node.centers.all(), "form": form,
        "can_manage": can(request.user, "manage_hub"), "statuses": NodeStatus.choices,
    }, status=400 if form.errors else 200)


@hub_permission("manage_hub")
@require_POST
def key_retire(request, slug, key_id):
    key = get_object_or_404(NodeKey, node__slug=slug, key_id=key_id, status=KeyStatus.ACTIVE)
    revoke = request.POST.get("revoke") == "1"
    services.node_key_retire(acting_user=request.user, key=key, revoke=revoke)
    messages.success(request, gettext("鍵を失効させました。") if revoke else gettext("鍵を引退させました。"))
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
        feed_publish(acting_user=request.user, kind="notice", node=data["node"],
                              payload={"title": data["title"], "body": data["body"]})
        messages.success(request, gettext("ノードへ配信しました。"))
        return redirect("home")
    return render(request, "hub/notice.html", {"form": form}, status=400 if form.errors else 200)
