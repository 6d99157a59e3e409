"""Hub UI of disaster contacts: listed only under a valid grant (every view is audited), and the
grants: requests, approvals and their early end."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import add_service_errors
from permissions.models import HubScope

from ..forms import ContactGrantForm
from ..models import ContactGrant
from ..selectors import contacts as selectors
from ..selectors.access import can
from ..services import contacts as services
from .common import declaration_or_404, hub_permission


def _contacts_page(request, declaration, *, form=None, status=200):
    grant, contacts = selectors.disaster_contacts(user=request.user, declaration=declaration, purpose="page")
    return render(request, "hub/disaster_contacts.html", {
        "declaration": declaration, "grant": grant, "contacts": contacts,
        "contact_count": selectors.contact_count(declaration=declaration),
        "grants": selectors.contact_grants(declaration=declaration), "form": form or ContactGrantForm(),
        "can_manage": can(request.user, "manage_hub")}, status=status)


@hub_permission(HubScope.DISASTER_COORDINATION)
def disaster_contacts(request, uuid):
    """The declaration's disaster contacts — listed only under a valid grant (every view is audited)."""
    return _contacts_page(request, declaration_or_404(uuid))


@hub_permission(HubScope.DISASTER_COORDINATION)
@require_POST
def contact_grant_request(request, uuid):
    declaration = declaration_or_404(uuid)
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
    declaration = declaration_or_404(uuid)
    try:
        services.contact_grant_approve(acting_user=request.user, grant=_grant(declaration, grant_uuid))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("hub-disaster-contacts", uuid=uuid)
    messages.success(request, _("閲覧を承認しました。"))
    return redirect("hub-disaster-contacts", uuid=uuid)


@hub_permission(HubScope.DISASTER_COORDINATION)
@require_POST
def contact_grant_end(request, uuid, grant_uuid):
    declaration = declaration_or_404(uuid)
    grant = _grant(declaration, grant_uuid)
    if grant.grantee_id != request.user.pk and not can(request.user, "manage_hub"):
        raise PermissionDenied
    services.contact_grant_end(acting_user=request.user, grant=grant)
    messages.success(request, _("閲覧許可を終了しました。"))
    return redirect("hub-disaster-contacts", uuid=uuid)
