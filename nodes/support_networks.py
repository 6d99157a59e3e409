"""Reads of intermediate support networks (中間支援組織のネットワーク): their member counts by kind,
computed in the database from the member rows (never typed), and what the hub may see of a network."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, QuerySet, Value, When
from django.utils.translation import gettext

from permissions.models import OrganizationKind
from permissions.scoping import scoped_queryset

from .models import LegalForm, MemberKind, NetworkMember, SupportNetwork
from .outgoing import Door

# What a registered group counts as among a network's members: its organization kind first (a 自治会
# may be an NPO法人 too, but is counted with the 自治会), then its legal form.
_REGISTERED_KIND = Case(
    When(group__isnull=True, then=F("kind")),
    When(group__organization__kind=OrganizationKind.NEIGHBORHOOD_ASSOCIATION, then=Value(MemberKind.NEIGHBORHOOD)),
    When(group__organization__kind__in=(OrganizationKind.SOCIAL_WELFARE_COUNCIL,
                                        OrganizationKind.DISTRICT_WELFARE_COUNCIL),
         then=Value(MemberKind.SOCIAL_WELFARE_COUNCIL)),
    When(group__legal_form__in=(LegalForm.NPO, LegalForm.CERTIFIED_NPO), then=Value(MemberKind.NPO)),
    When(group__legal_form__in=(LegalForm.VOLUNTARY, LegalForm.VOLUNTEER), then=Value(MemberKind.VOLUNTARY)),
    default=Value(MemberKind.OTHER), output_field=CharField(),
)


@dataclass
class MemberCounts:
    """A network's current members: organizations by kind (MemberKind order, kinds with members
    only), and individuals."""

    by_kind: dict[str, int] = field(default_factory=dict)
    individuals: int = 0

    @property
    def organizations(self) -> int:
        return sum(self.by_kind.values())

    @property
    def total(self) -> int:
        return self.organizations + self.individuals

    def labelled(self) -> list[tuple[str, str, int]]:
        """(kind, label, count) for display, individuals last."""
        rows = [(kind, str(MemberKind(kind).label), count) for kind, count in self.by_kind.items()]
        if self.individuals:
            rows.append(("individual", gettext("個人"), self.individuals))
        return rows


def current_members(network: SupportNetwork) -> QuerySet:
    return NetworkMember.objects.filter(network=network, left_on__isnull=True)


def member_counts(networks: list[SupportNetwork]) -> dict[int, MemberCounts]:
    """Counts for each network (by pk), in one aggregate query over the current members."""
    counts = {network.pk: MemberCounts(individuals=network.individuals) for network in networks}
    rows = (NetworkMember.objects.filter(network__in=list(counts), left_on__isnull=True)
            .annotate(counted_as=_REGISTERED_KIND).values("network_id", "counted_as")
            .annotate(n=Count("id")).order_by())
    found = {(row["network_id"], row["counted_as"]): row["n"] for row in rows}
    for pk, result in counts.items():
        result.by_kind = {kind: found[(pk, kind)] for kind in MemberKind.values if found.get((pk, kind))}
    return counts


def kinds_of_memberships(group) -> list[tuple[int, str]]:
    """(membership id, the kind it is counted as) for every membership of a registered group."""
    return list(NetworkMember.objects.filter(group=group).annotate(counted_as=_REGISTERED_KIND)
                .values_list("pk", "counted_as"))


def counts_of(network: SupportNetwork) -> MemberCounts:
    return member_counts([network])[network.pk]


def network_of(group) -> SupportNetwork | None:
    """The group's network, if it keeps one (only a 中間支援組織 does)."""
    return SupportNetwork.objects.filter(group=group).first()


def is_network_kind(group) -> bool:
    return group.organization.kind == OrganizationKind.INTERMEDIATE_SUPPORT


def network_list(*, user) -> list[tuple[SupportNetwork, MemberCounts]]:
    """The networks of the user's centers, with their counts."""
    networks = list(scoped_queryset(user, SupportNetwork, "view").select_related("group__organization")
                    .prefetch_related("group__activity_fields").order_by("group__organization__name_kana", "pk"))
    counts = member_counts(networks)
    return [(network, counts[network.pk]) for network in networks]


def member_list(*, user, network: SupportNetwork, include_left: bool = True) -> QuerySet:
    members = scoped_queryset(user, NetworkMember, "view").filter(network=network).select_related(
        "group__organization")
    if not include_left:
        members = members.filter(left_on__isnull=True)
    return members.order_by(F("left_on").desc(nulls_first=True), "joined_on", "id")


def postable_members(*, user) -> QuerySet:
    """Current members a network may post a need or an offer for (the forms' choices)."""
    return scoped_queryset(user, NetworkMember, "view").filter(left_on__isnull=True).select_related(
        "network__group__organization", "group__organization").order_by("network_id", "name", "id")


def network_listing(network: SupportNetwork) -> dict | None:
    """What the hub may see of a network: its name, fields, center and member counts by kind — never a
    member's name. Only while the network's group is listed on the hub (the directory's consent rule),
    active and of kind 中間支援組織 — and once it has members: an empty roll has nothing to count."""
    group = network.group
    if group.consent_hub_listing_at is None or group.status != "active" or not is_network_kind(group):
        return None
    counts = counts_of(network)
    if not counts.total:
        return None
    name = group.organization.name
    # As the directory entry: the listed name goes whole, or (a person's name in it) not at all.
    if Door(organizations=False).leaks([name]):
        return None
    return {"center": str(network.center.uuid), "name": name,
            "fields": sorted(f.code for f in group.activity_fields.all()),
            "members": counts.by_kind, "individuals": counts.individuals}
