"""Writes on organizations, memberships and the audit log."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from common.japanese import municipality_code_is_valid, search_key
from sync import outbox

from .audit import audit_record
from .grants import scope_grants_end_with_role
from .models import HubStanding, Membership, Organization, OrganizationGroupObjectPermission, OrganizationKind
from .roles import HUB_ROLES, ROLE_ORGANIZATION_KINDS, ROLE_PERMISSIONS, guardian_group_name, hub_role_fits


def _validate_organization(organization: Organization) -> None:
    errors = {}
    if organization.municipality_code and not municipality_code_is_valid(organization.municipality_code):
        errors["municipality_code"] = ValidationError(gettext("全国地方公共団体コードの検査数字が一致しません。"), code="invalid_check_digit")
    if (organization.kind not in (OrganizationKind.CENTER, OrganizationKind.PREFECTURE)
            and organization.center_id is None and organization.hub_standing == HubStanding.NONE):
        errors["center"] = ValidationError(gettext("所属センターを指定してください。"), code="required")
    if organization.center_id is not None and organization.center.kind != OrganizationKind.CENTER:
        errors["center"] = ValidationError(gettext("所属センターにはセンターを指定してください。"), code="not_a_center")
    if organization.hub_standing == HubStanding.OPERATOR:
        if organization.kind != OrganizationKind.INTERMEDIATE_SUPPORT:
            errors["hub_standing"] = ValidationError(
                gettext("ハブの運営団体は中間支援組織のネットワークです。"), code="operator_not_network")
        elif Organization.objects.filter(hub_standing=HubStanding.OPERATOR).exclude(pk=organization.pk).exists():
            errors["hub_standing"] = ValidationError(
                gettext("ハブの運営団体はすでに登録されています。"), code="operator_exists")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organization_create(*, acting_user, name: str, kind: str, center: Organization | None = None,
                        name_kana: str = "", municipality_code: str = "", municipality_name: str = "",
                        hub_standing: str = HubStanding.NONE) -> Organization:
    organization = Organization(
        name=name.strip(), name_kana=name_kana.strip(), kind=kind, center=center,
        municipality_code=municipality_code, municipality_name=municipality_name, hub_standing=hub_standing,
    )
    organization.search_text = search_key(organization.name, organization.name_kana)
    _validate_organization(organization)  # first: its messages say more than a constraint's name
    organization.full_clean(exclude=["search_text"])
    organization.save()
    audit_record(actor=acting_user, action="organization.create", target=organization, organization=center or organization)
    outbox.record_changed(organization)  # a center announces its profile to the hub
    return organization


@transaction.atomic
def organization_set_hub_standing(*, acting_user, organization: Organization, hub_standing: str) -> Organization:
    """Make an organization the hub's operator or a partner (or neither). Refused while the change
    would leave someone in a hub role the organization can no longer hold (revoke it first)."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if hub_standing not in HubStanding.values:
        raise ValidationError({"hub_standing": ValidationError(gettext("不明な立場です。"), code="invalid_choice")})
    if organization.hub_standing == hub_standing:
        return organization
    before, organization.hub_standing = organization.hub_standing, hub_standing
    _validate_organization(organization)
    held = set(organization.memberships.filter(role__in=HUB_ROLES).values_list("role", flat=True))
    if any(not hub_role_fits(role, organization) for role in held):
        raise ValidationError({"hub_standing": ValidationError(
            gettext("この立場では持てないハブの役割を持つ人がいます。先にその役割を外してください。"),
            code="roles_left")})
    organization.full_clean(exclude=["search_text"])
    organization.save(update_fields=["hub_standing", "updated_at"])
    audit_record(actor=acting_user, action="organization.hub_standing", target=organization,
                 organization=organization, detail={"from": before, "to": hub_standing})
    return organization


def _role_group(role: str, organization: Organization) -> Group:
    group, created = Group.objects.get_or_create(name=guardian_group_name(role, organization.uuid))
    if created:
        permissions = Permission.objects.filter(
            content_type__app_label="permissions", codename__in=ROLE_PERMISSIONS[role]
        )
        OrganizationGroupObjectPermission.objects.bulk_create(
            OrganizationGroupObjectPermission(group=group, permission=permission, content_object=organization)
            for permission in permissions
        )
    return group


@transaction.atomic
def membership_grant(*, acting_user, user, organization: Organization, role: str) -> Membership:
    if role not in ROLE_PERMISSIONS:
        raise ValidationError({"role": ValidationError(gettext("不明な役割です。"), code="invalid_choice")})
    if organization.kind not in ROLE_ORGANIZATION_KINDS[role] or (
            role in HUB_ROLES and not hub_role_fits(role, organization)):
        raise ValidationError(
            {"role": ValidationError(gettext("この種別の組織にはこの役割を付与できません。"), code="role_kind_mismatch")}
        )
    membership, _ = Membership.objects.get_or_create(user=user, organization=organization, role=role)
    user.groups.add(_role_group(role, organization))
    audit_record(
        actor=acting_user, action="membership.grant", target=organization, organization=organization,
        detail={"role": role, "user_id": user.pk},
    )
    return membership


@transaction.atomic
def membership_revoke(*, acting_user, membership: Membership) -> None:
    group = Group.objects.filter(name=guardian_group_name(membership.role, membership.organization.uuid)).first()
    if group is not None:
        membership.user.groups.remove(group)
    audit_record(
        actor=acting_user, action="membership.revoke", target=membership.organization,
        organization=membership.organization, detail={"role": membership.role, "user_id": membership.user_id},
    )
    membership.delete()
    scope_grants_end_with_role(acting_user=acting_user, user=membership.user, organization=membership.organization)
