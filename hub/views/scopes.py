"""Hub UI: the hub's operator and partners with their coordinators' roles, and the scopes the
operator's hub admin grants on top of a role (and revokes)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common.forms import add_service_errors
from permissions import grants as services
from permissions.models import HubScope, ScopeGrant
from permissions.selectors import hub_operator

from ..forms import ScopeGrantForm
from ..selectors.access import SCOPE_COLUMNS, hub_roles_overview
from .common import forbidden, hub_permission


@hub_permission("manage_hub")
def scopes(request):
    form = ScopeGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership = form.cleaned_data["membership"]
        try:
            services.scope_grant(acting_user=request.user, user=membership.user, organization=membership.organization,
                                 scope=form.cleaned_data["scope"], reason=form.cleaned_data["reason"])
        except PermissionDenied:
            return forbidden(request, "manage_hub")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("「%(scope)s」を付与しました。") % {
                "scope": HubScope(form.cleaned_data["scope"]).label})
            return redirect("hub-scopes")
    return render(request, "hub/scopes.html", {
        "organizations": hub_roles_overview(), "operator": hub_operator(), "form": form,
        "scopes": [(scope.label, SCOPE_COLUMNS[scope]) for scope in HubScope],
    }, status=400 if form.errors else 200)


@hub_permission("manage_hub")
@require_POST
def scope_revoke(request, pk):
    grant = get_object_or_404(ScopeGrant, pk=pk)
    try:
        services.scope_grant_revoke(acting_user=request.user, grant=grant)
    except PermissionDenied:
        return forbidden(request, "manage_hub")
    messages.success(request, gettext("「%(scope)s」の付与を取り消しました。") % {"scope": grant.get_scope_display()})
    return redirect("hub-scopes")
