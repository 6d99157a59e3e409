"""Writes on group registrations (団体登録) and the center's partner organizations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext

from common.japanese import search_key, to_katakana_reading
from permissions.audit import audit_record
from permissions.models import Organization, OrganizationKind
from permissions.scoping import get_scoped_or_deny, holds, require_permitted, scoped_queryset
from permissions.services import organization_create
from sync import outbox

from .. import hooks
from ..models import (
    CENTER_CHANGE,
    CollaborationCase,
    GroupRegistration,
    Offer,
    SharingLevel,
    SupportNetwork,
)
from .pipeline import locked_for_change, normalize_values, record_delete, save_record, split_m2m
from .renewals import close_pending_renewal
from .support_networks import memberships_keep_as_named, network_open, refuse_typed_member_count

GROUP_ORGANIZATION_KINDS = (
    OrganizationKind.CITIZEN_GROUP,
    OrganizationKind.NEIGHBORHOOD_ASSOCIATION,
    OrganizationKind.DISTRICT_WELFARE_COUNCIL,
    OrganizationKind.INTERMEDIATE_SUPPORT,
    OrganizationKind.PUBLIC_INTEREST_CORPORATION,
    OrganizationKind.SOCIAL_WELFARE_COUNCIL,
)
# What a group's own members may not change on their registration: the center decides these.
# --- 団体登録 --------------------------------------------------------------------------------

GROUP_M2M = ("activity_fields",)
GROUP_ORGANIZATION_FIELDS = ("name", "name_kana", "kind")


@transaction.atomic
def group_register(*, acting_user, center: Organization, name: str, name_kana: str = "",
                   kind: str = OrganizationKind.CITIZEN_GROUP, registered_on: dt.date | None = None,
                   consents: Iterable[str] = (), **values) -> GroupRegistration:
    """Register a group with the center: its Organization, then its registration."""
    if kind not in GROUP_ORGANIZATION_KINDS:
        raise ValidationError({"kind": ValidationError(gettext("団体の種別を選んでください。"), code="invalid_choice")})
    refuse_typed_member_count(kind, values.get("member_count"))
    probe = GroupRegistration(center=center)
    require_permitted(acting_user, GroupRegistration, "add", probe)
    organization = organization_create(
        acting_user=acting_user, name=name, name_kana=to_katakana_reading(name_kana), kind=kind, center=center
    )
    registered_on = registered_on or timezone.localdate()
    values.setdefault("renewal_due", GroupRegistration.renewal_due_for(registered_on))
    plain, m2m = split_m2m(values, GROUP_M2M)
    now = timezone.now()
    consents = set(consents)
    if "national_listing" in consents and "hub_listing" not in consents:
        raise ValidationError({"consents": ValidationError(
            gettext("全国ハブへの掲載には、ハブ（県域）への掲載の同意が必要です。"), code="hub_listing_required")})
    for consent in consents:
        plain[f"consent_{consent}_at"] = now
    group = save_record(
        GroupRegistration(organization=organization), acting_user=acting_user, perm="add",
        values={"center": center, "registered_on": registered_on, **plain}, m2m=m2m,
    )
    if kind == OrganizationKind.INTERMEDIATE_SUPPORT:
        network_open(acting_user=acting_user, group=group)  # its 会員数 is its members' from now on
    return group


@transaction.atomic
def group_update(*, acting_user, group: GroupRegistration, **values) -> GroupRegistration:
    group = locked_for_change(acting_user, group)
    if not holds(acting_user, CENTER_CHANGE, group.center_id):
        # What the center publishes of a group changes through the center: a member's edit is a
        # change request (わたしの団体 → 変更を申請), which staff approve.
        raise PermissionDenied("permission_denied")
    organization_values = {k: values.pop(k) for k in GROUP_ORGANIZATION_FIELDS if k in values}
    kind = organization_values.get("kind", group.organization.kind)
    if kind not in GROUP_ORGANIZATION_KINDS:
        raise ValidationError({"kind": ValidationError(gettext("団体の種別を選んでください。"), code="invalid_choice")})
    if "member_count" in values:
        refuse_typed_member_count(kind, values["member_count"], group.member_count)
    organization = group.organization
    for name, value in normalize_values(organization_values).items():
        setattr(organization, name, value)
    organization.search_text = search_key(organization.name, organization.name_kana)
    organization.full_clean(exclude=["search_text"])
    organization.save()
    plain, m2m = split_m2m(values, GROUP_M2M)
    group = save_record(group, acting_user=acting_user, perm="change", values=plain, m2m=m2m)
    if kind == OrganizationKind.INTERMEDIATE_SUPPORT:
        network_open(acting_user=acting_user, group=group)  # a group that became a 中間支援組織
    _reproject_offers(group)
    hooks.group_changed(group)  # its disaster contacts follow: a new name goes along, an inactive group retracts
    return group


def _reproject_offers(group: GroupRegistration) -> None:
    """The group's offers, and its network's listing, are on the hub only while the group is listed
    (consent, status, fields, name): send what changed, or retract them."""
    for offer in Offer.objects.filter(group=group).select_related("group__organization", "center").order_by("pk"):
        outbox.record_reproject(offer)
    for network in SupportNetwork.objects.filter(group=group).select_related("group__organization", "center"):
        outbox.record_reproject(network)


@transaction.atomic
def group_set_consent(*, acting_user, group: GroupRegistration, consent: str, given: bool) -> GroupRegistration:
    """Record that the group gave (or withdrew) one consent, with the time it did."""
    if consent not in GroupRegistration.CONSENTS:
        raise ValidationError({"consent": ValidationError(gettext("不明な同意項目です。"), code="invalid_choice")})
    group = locked_for_change(acting_user, group)
    field = f"consent_{consent}_at"
    if bool(getattr(group, field)) == given:
        return group
    values = {field: timezone.now() if given else None}
    if consent == "national_listing" and given and group.consent_hub_listing_at is None:
        raise ValidationError({"consent": ValidationError(
            gettext("全国ハブへの掲載には、先にハブ（県域）への掲載の同意が必要です。"), code="hub_listing_required")})
    if consent == "hub_listing" and not given and group.consent_national_listing_at is not None:
        values["consent_national_listing_at"] = None  # off the prefecture's list is off the nation's too
    group = save_record(group, acting_user=acting_user, perm="change", values=values)
    if "consent_national_listing_at" in values:
        # Who recorded the group's word and when: the consent reaches beyond the prefecture.
        audit_record(actor=acting_user, action="nodes.group_national_listing_consent", target=group,
                     organization=group.center, detail={"given": bool(values["consent_national_listing_at"])})
    if consent == "named_cases":
        # Cases shared with this group's name: re-projected now, so a withdrawal retracts them.
        for case in CollaborationCase.objects.filter(party_roles__organization=group.organization).exclude(
                sharing_level=SharingLevel.PRIVATE).distinct():
            outbox.record_changed(case)
    if consent in ("hub_listing", "national_listing"):
        _reproject_offers(group)
    if consent == "disaster_contact" and not given:
        hooks.group_leaving(group)  # its disaster contacts are gone from the hub at once, not at the close
    return group


@transaction.atomic
def group_renew(*, acting_user, group: GroupRegistration, renewed_on: dt.date | None = None) -> GroupRegistration:
    """The three-yearly renewal: the registration runs for three more 年度 from `renewed_on`."""
    group = locked_for_change(acting_user, group)
    if not holds(acting_user, CENTER_CHANGE, group.center_id):
        raise PermissionDenied("permission_denied")
    renewed_on = renewed_on or timezone.localdate()
    close_pending_renewal(group, acting_user=acting_user)
    group = save_record(
        group, acting_user=acting_user, perm="change",
        values={"renewal_due": GroupRegistration.renewal_due_for(renewed_on), "status": "active"},
    )
    _reproject_offers(group)
    return group


@transaction.atomic
def group_delete(*, acting_user, group: GroupRegistration) -> None:
    organization = group.organization
    # The group's offers go with it (a cascade): the hub forgets them too.
    for offer in Offer.objects.filter(group=group).select_related("center"):
        outbox.record_deleted(offer)
    for network in SupportNetwork.objects.filter(group=group).select_related("center"):
        outbox.record_deleted(network)
    memberships_keep_as_named(group)
    hooks.group_leaving(group)
    record_delete(acting_user=acting_user, record=group)
    # The organization stays when cases or events still name it as a party.
    try:
        with transaction.atomic():
            organization.delete()
    except ProtectedError:
        pass




# --- organizations (partners directory) ---------------------------------------------------------


@transaction.atomic
def partner_create(*, acting_user, center: Organization, name: str, kind: str, **values) -> Organization:
    """A partner the center works with (担当課, 自治会, 企業 …), kept in the center's directory."""
    require_permitted(acting_user, Organization, "add", Organization(center=center, kind=kind, name=name))
    return organization_create(acting_user=acting_user, name=name, kind=kind, center=center, **values)


@transaction.atomic
def partner_update(*, acting_user, organization: Organization, **values) -> Organization:
    organization = get_scoped_or_deny(acting_user, Organization, "change", pk=organization.pk)
    if "center" in values and values["center"] != organization.center:
        raise ValidationError({"center": ValidationError(gettext("所属センターは変更できません。"), code="readonly")})
    for name, value in normalize_values(values).items():
        setattr(organization, name, value)
    organization.search_text = search_key(organization.name, organization.name_kana)
    organization.full_clean(exclude=["search_text"])
    organization.save()
    audit_record(actor=acting_user, action="organization.update", target=organization,
                 organization=organization.center or organization, detail={"fields": sorted(values)})
    outbox.record_changed(organization)
    return organization


@transaction.atomic
def partner_delete(*, acting_user, organization: Organization) -> None:
    organization = get_scoped_or_deny(acting_user, Organization, "delete", pk=organization.pk)
    if hasattr(organization, "registration"):
        raise ValidationError(gettext("登録団体は団体登録から削除してください。"), code="is_registered_group")
    audit_record(actor=acting_user, action="organization.delete", target=organization, organization=organization.center)
    try:
        organization.delete()
    except ProtectedError as error:
        raise ValidationError(gettext("他の記録から参照されているため削除できません。"), code="protected") from error


def visible_organizations(user):
    return scoped_queryset(user, Organization, "view")


