"""Staff UI of an intermediate support network (中間支援組織のネットワーク): its members — registered
groups, other organizations, the individuals' count — and their counts by kind."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from common.forms import add_service_errors
from permissions.scoping import holds, scoped_queryset

from . import models as m, services, support_networks as selectors
from .forms_networks import IndividualsForm, LeaveForm, MemberGroupForm, MemberOrganizationForm
from .views_common import get_or_404, show_errors


def _network_group(request, uuid) -> m.GroupRegistration:
    group = get_or_404(request.user, m.GroupRegistration, "view", uuid)
    if not selectors.is_network_kind(group) or not holds(request.user, m.CENTER_VIEW, group.center_id):
        raise Http404  # networks are a 中間支援組織's, kept by the center's staff
    return group


def _candidates(user, group, network):
    """Registered groups of the center that may join: not the network itself, not a current member."""
    current = [] if network is None else list(selectors.current_members(network).filter(
        group__isnull=False).values_list("group_id", flat=True))
    return (scoped_queryset(user, m.GroupRegistration, "view").filter(center=group.center_id)
            .exclude(pk=group.pk).exclude(pk__in=current).select_related("organization")
            .order_by("organization__name_kana", "organization__name"))


def _page(request, group, *, forms=None, status=200):
    network = selectors.network_of(group)
    counts = selectors.counts_of(network) if network else selectors.MemberCounts()
    forms = forms or {}
    peak = max([count for _k, _l, count in counts.labelled()] or [1])
    return render(request, "nodes/support_network.html", {
        "group": group, "network": network, "counts": counts,
        "bars": [(label, count, round(100 * count / peak)) for _kind, label, count in counts.labelled()],
        "members": list(selectors.member_list(user=request.user, network=network)) if network else [],
        "can_change": holds(request.user, m.CENTER_CHANGE, group.center_id),
        "group_form": forms.get("group") or MemberGroupForm(candidates=_candidates(request.user, group, network)),
        "organization_form": forms.get("organization") or MemberOrganizationForm(),
        "individuals_form": forms.get("individuals") or IndividualsForm(
            initial={"individuals": network.individuals if network else 0}),
        "leave_form": LeaveForm(),
    }, status=status)


@login_required
def network_members(request, uuid):
    return _page(request, _network_group(request, uuid))


@login_required
@require_POST
def network_member_add(request, uuid, what):
    group = _network_group(request, uuid)
    if not holds(request.user, m.CENTER_CHANGE, group.center_id):
        raise PermissionDenied("permission_denied")
    network = selectors.network_of(group)
    if what == "group":
        form = MemberGroupForm(request.POST, candidates=_candidates(request.user, group, network))
    elif what == "organization":
        form = MemberOrganizationForm(request.POST)
    elif what == "individuals":
        form = IndividualsForm(request.POST)
    else:
        raise Http404
    if form.is_valid():
        try:
            network = network or services.network_open(acting_user=request.user, group=group)
            if what == "group":
                services.network_member_add_group(acting_user=request.user, network=network, **form.cleaned_data)
            elif what == "organization":
                services.network_member_add_organization(acting_user=request.user, network=network,
                                                         **form.cleaned_data)
            else:
                services.network_set_individuals(acting_user=request.user, network=network,
                                                 individuals=form.cleaned_data["individuals"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("会員名簿を更新しました。"))
            return redirect("network-members", uuid=group.uuid)
    return _page(request, group, forms={what: form}, status=400)


@login_required
@require_POST
def network_member_leave(request, uuid, member_uuid):
    group = _network_group(request, uuid)
    member = get_or_404(request.user, m.NetworkMember, "change", member_uuid)
    if member.network.group_id != group.pk:
        raise Http404
    form = LeaveForm(request.POST)
    if not form.is_valid():
        show_errors(request, ValidationError(gettext("退会日を正しく入力してください。"), code="invalid_date"))
        return redirect("network-members", uuid=group.uuid)
    try:
        services.network_member_leave(acting_user=request.user, member=member, left_on=form.cleaned_data["left_on"])
    except ValidationError as error:
        show_errors(request, error)
    else:
        messages.success(request, gettext("%(name)sの退会を記録しました。") % {"name": member.display_name})
    return redirect("network-members", uuid=group.uuid)
