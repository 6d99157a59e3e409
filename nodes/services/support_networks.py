"""Writes on intermediate support networks (中間支援組織のネットワーク): opening a registered 中間支援組織's
network, members joining and leaving, the individuals' count. Every change recounts the members: the
group's member_count is derived from them, and the hub's listing (counts only) follows."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from permissions.models import OrganizationKind
from permissions.scoping import holds
from sync import outbox

from ..models import CENTER_CHANGE, GroupRegistration, MemberKind, NetworkMember, SupportNetwork
from ..support_networks import counts_of, is_network_kind, kinds_of_memberships
from .pipeline import save_record

MAX_NAME = 200


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _require_staff(acting_user, center_id: int) -> None:
    if not holds(acting_user, CENTER_CHANGE, center_id):
        raise PermissionDenied("permission_denied")


def _locked(network: SupportNetwork) -> SupportNetwork:
    """The network row, locked: member changes of one network run one at a time, so the duplicate
    checks below stay true until commit (the unique constraints back them)."""
    return SupportNetwork.objects.select_for_update().select_related("group__organization", "center").get(pk=network.pk)


@transaction.atomic
def network_open(*, acting_user, group: GroupRegistration) -> SupportNetwork:
    """The network of a registered 中間支援組織 (opened on first use; one per group)."""
    _require_staff(acting_user, group.center_id)
    if not is_network_kind(group):
        raise _invalid("group", gettext("ネットワークにできるのは種別「中間支援組織」の団体だけです。"), "not_intermediate_support")
    existing = SupportNetwork.objects.filter(group=group).first()
    if existing is not None:
        return existing
    network = save_record(SupportNetwork(group=group), acting_user=acting_user, perm="add",
                          values={"center": group.center})
    _recount(network, announce=False)  # save_record sent it (no members yet)
    return network


def _joined(joined_on) -> dt.date:
    return joined_on or timezone.localdate()


@transaction.atomic
def network_member_add_group(*, acting_user, network: SupportNetwork, group: GroupRegistration,
                             joined_on: dt.date | None = None) -> NetworkMember:
    """A group registered at this center joins the network."""
    return network_members_add(acting_user=acting_user, network=network, groups=[group], joined_on=joined_on)[0]


@transaction.atomic
def network_member_add_organization(*, acting_user, network: SupportNetwork, name: str, kind: str,
                                    municipality: str = "", joined_on: dt.date | None = None) -> NetworkMember:
    """An organization not registered here (企業, 学校, 行政 …) joins: its name and kind, never a person."""
    return network_members_add(acting_user=acting_user, network=network, joined_on=joined_on,
                               organizations=[{"name": name, "kind": kind, "municipality": municipality}])[0]


@transaction.atomic
def network_members_add(*, acting_user, network: SupportNetwork, groups=(), organizations=(),
                        joined_on: dt.date | None = None) -> list[NetworkMember]:
    """Several members join at once (a network's founding list): all or none, counted once."""
    network = _locked(network)
    _require_staff(acting_user, network.center_id)
    joined_on = _joined(joined_on)
    added = [_add_group(acting_user, network, group, joined_on) for group in groups]
    added += [_add_organization(acting_user, network, joined_on=joined_on, **organization)
              for organization in organizations]
    _recount(network)
    return added


def _add_group(acting_user, network: SupportNetwork, group, joined_on: dt.date) -> NetworkMember:
    if not isinstance(group, GroupRegistration):
        raise _invalid("group", gettext("登録団体を選んでください。"), "required")
    if group.center_id != network.center_id:
        raise _invalid("group", gettext("このセンターの登録団体ではありません。"), "other_center")
    if group.pk == network.group_id:
        raise _invalid("group", gettext("ネットワーク自身は会員にできません。"), "self_member")
    if NetworkMember.objects.filter(network=network, group=group, left_on__isnull=True).exists():
        raise _invalid("group", gettext("%(name)sはすでに会員です。") % {"name": group.organization.name}, "duplicate")
    return save_record(NetworkMember(network=network), acting_user=acting_user, perm="add",
                       values={"center": network.center, "group": group, "joined_on": joined_on})


def _add_organization(acting_user, network: SupportNetwork, *, name: str, kind: str, municipality: str = "",
                      joined_on: dt.date) -> NetworkMember:
    name = (name or "").strip()
    if not name:
        raise _invalid("name", gettext("団体名を入力してください。"), "required")
    if len(name) > MAX_NAME:
        raise _invalid("name", gettext("団体名は200文字以内で入力してください。"), "max_length")
    if kind not in MemberKind.values:
        raise _invalid("kind", gettext("会員団体の種別を選んでください。"), "invalid_choice")
    if NetworkMember.objects.filter(network=network, group__isnull=True, name=name, left_on__isnull=True).exists():
        raise _invalid("name", gettext("%(name)sはすでに会員です。") % {"name": name}, "duplicate")
    return save_record(NetworkMember(network=network), acting_user=acting_user, perm="add", values={
        "center": network.center, "name": name, "kind": kind, "municipality": municipality or "",
        "joined_on": joined_on})


@transaction.atomic
def network_member_leave(*, acting_user, member: NetworkMember, left_on: dt.date | None = None) -> NetworkMember:
    """The member leaves; its row stays as the membership's history."""
    network = _locked(member.network)
    _require_staff(acting_user, network.center_id)
    member = NetworkMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise _invalid("member", gettext("すでに退会しています。"), "already_left")
    left_on = left_on or timezone.localdate()
    if left_on < member.joined_on:
        raise _invalid("left_on", gettext("退会日は加入日より後にしてください。"), "left_before_joined")
    member = save_record(member, acting_user=acting_user, perm="change", values={"left_on": left_on})
    _recount(network)
    return member


@transaction.atomic
def network_set_individuals(*, acting_user, network: SupportNetwork, individuals) -> SupportNetwork:
    """How many individuals are members: a count, never their names."""
    network = _locked(network)
    _require_staff(acting_user, network.center_id)
    if isinstance(individuals, bool) or not isinstance(individuals, int) or not 0 <= individuals <= 100_000:
        raise _invalid("individuals", gettext("個人会員の数は0から100000までの整数で入力してください。"), "invalid_count")
    network = save_record(network, acting_user=acting_user, perm="change", values={"individuals": individuals})
    _recount(network, announce=False)  # save_record sent the new counts already
    return network


def memberships_keep_as_named(group: GroupRegistration) -> None:
    """A registered group about to be deleted stays in its networks' rolls (and their history) as
    another organization: its name and the kind it was counted as. Counts do not change."""
    name = group.organization.name
    for pk, kind in kinds_of_memberships(group):
        member = NetworkMember.objects.get(pk=pk)
        # An outside organization of the same name already current in that network keeps its row; this one
        # says where it came from, so the active-name constraint holds.
        taken = member.left_on is None and NetworkMember.objects.filter(
            network_id=member.network_id, group__isnull=True, name=name, left_on__isnull=True).exists()
        NetworkMember.objects.filter(pk=pk).update(
            group=None, kind=kind, name=gettext("%(name)s（登録団体から）") % {"name": name} if taken else name)


def _recount(network: SupportNetwork, *, announce: bool = True) -> None:
    """The group's member_count is the members' total (never typed for a network); the hub's listing is
    sent again with the new counts, as a new version of the network (the members' own rows carry the
    audit of what changed)."""
    total = counts_of(network).total
    GroupRegistration.objects.filter(pk=network.group_id).exclude(member_count=total).update(member_count=total)
    if announce:
        SupportNetwork.objects.filter(pk=network.pk).update(version=F("version") + 1)
        network.refresh_from_db(fields=["version"])
        outbox.record_changed(network)


def refuse_typed_member_count(kind: str, member_count, current=None) -> None:
    """A network's member count is computed from its members: a typed one (other than what it already
    shows) is refused, on the form, the API and the CSV import alike."""
    if kind == OrganizationKind.INTERMEDIATE_SUPPORT and member_count is not None and member_count != current:
        raise _invalid("member_count", gettext("中間支援組織（ネットワーク）の会員数は会員名簿から自動で数えるため、"
                                               "入力できません。空欄にしてください。"), "computed_for_network")
