"""Hub scopes granted on top of a coordinator's role (a 県社協 coordinator given the statistics): the
grant row and its guardian user permissions written and removed together, each step audited."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from .audit import audit_record
from .models import HubScope, Membership, Organization, OrganizationUserObjectPermission, ScopeGrant
from .roles import COORDINATOR_ROLES, ROLE_PERMISSIONS, SCOPE_PERMISSIONS
from .scoping import holds
from .selectors import hub_operator

MAX_REASON = 200


def _may_grant(user) -> bool:
    """Only the operator's hub admin (on a hub with no operator recorded: the prefecture's)."""
    operator = hub_operator()
    if operator is not None:
        return holds(user, "manage_hub", operator.pk)
    return any(holds(user, "manage_hub", pk) for pk in
               Organization.objects.filter(kind="prefecture").values_list("pk", flat=True))


def _role_permissions(*, user, organization: Organization) -> set[str]:
    roles = Membership.objects.filter(user=user, organization=organization).values_list("role", flat=True)
    return {codename for role in roles for codename in ROLE_PERMISSIONS.get(role, ())}


@transaction.atomic
def scope_grant(*, acting_user, user, organization: Organization, scope: str, reason: str) -> ScopeGrant:
    """Open one more scope to a coordinator of `organization` (their role stays as it is)."""
    if not _may_grant(acting_user):
        raise PermissionDenied("permission_denied")
    reason = reason.strip()
    errors = {}
    if scope not in HubScope.values:
        errors["scope"] = ValidationError(gettext("不明な範囲です。"), code="invalid_choice")
    if not reason:
        errors["reason"] = ValidationError(gettext("付与する理由を入力してください。"), code="required")
    elif len(reason) > MAX_REASON:
        errors["reason"] = ValidationError(gettext("理由は%(n)d文字以内で入力してください。"), code="max_length",
                                           params={"n": MAX_REASON})
    if errors:
        raise ValidationError(errors)
    if not Membership.objects.filter(user=user, organization=organization, role__in=COORDINATOR_ROLES).exists():
        raise ValidationError({"user": ValidationError(
            gettext("この組織のコーディネーターにだけ付与できます。"), code="not_a_coordinator")})
    if set(SCOPE_PERMISSIONS[scope]) <= _role_permissions(user=user, organization=organization):
        raise ValidationError({"scope": ValidationError(
            gettext("この範囲は役割ですでに開いています。"), code="already_held")})
    if ScopeGrant.objects.filter(user=user, organization=organization, scope=scope).exists():
        raise ValidationError({"scope": ValidationError(gettext("この範囲はすでに付与されています。"), code="already_granted")})
    grant = ScopeGrant.objects.create(user=user, organization=organization, scope=scope, reason=reason,
                                      granted_by=acting_user if getattr(acting_user, "is_authenticated", False) else None)
    for permission in Permission.objects.filter(content_type__app_label="permissions",
                                                codename__in=SCOPE_PERMISSIONS[scope]):
        OrganizationUserObjectPermission.objects.get_or_create(user=user, permission=permission,
                                                              content_object=organization)
    audit_record(actor=acting_user, action="hub.scope_grant", target=organization, organization=organization,
                 detail={"user_id": user.pk, "scope": scope})
    return grant


@transaction.atomic
def scope_grant_revoke(*, acting_user, grant: ScopeGrant) -> None:
    """Close the scope again: its user permissions go, except those another grant of theirs still needs."""
    if not _may_grant(acting_user):
        raise PermissionDenied("permission_denied")
    grant = ScopeGrant.objects.select_for_update().get(pk=grant.pk)
    others = ScopeGrant.objects.filter(user=grant.user_id, organization=grant.organization_id).exclude(pk=grant.pk)
    still_needed = {codename for other in others for codename in SCOPE_PERMISSIONS[other.scope]}
    OrganizationUserObjectPermission.objects.filter(
        user=grant.user_id, content_object=grant.organization_id, permission__content_type__app_label="permissions",
        permission__codename__in=set(SCOPE_PERMISSIONS[grant.scope]) - still_needed).delete()
    audit_record(actor=acting_user, action="hub.scope_revoke", target=grant.organization,
                 organization=grant.organization, detail={"user_id": grant.user_id, "scope": grant.scope})
    grant.delete()


def scope_grants_end_with_role(*, acting_user, user, organization: Organization) -> int:
    """A coordinator's grants on an organization end with their last coordinator role there: a grant
    is on top of a role, never instead of one. Called inside the revocation's transaction."""
    if Membership.objects.filter(user=user, organization=organization, role__in=COORDINATOR_ROLES).exists():
        return 0
    ended = list(ScopeGrant.objects.filter(user=user, organization=organization))
    OrganizationUserObjectPermission.objects.filter(
        user=user, content_object=organization, permission__content_type__app_label="permissions",
        permission__codename__in=HubScope.values).delete()
    for grant in ended:
        audit_record(actor=acting_user, action="hub.scope_revoke", target=organization, organization=organization,
                     detail={"user_id": user.pk, "scope": grant.scope, "with_role": True})
        grant.delete()
    return len(ended)
