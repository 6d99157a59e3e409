"""Who may do what on the hub: the hub role's permissions and the scopes granted on top of them,
and what the menu shows accordingly."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from permissions.models import HubScope, HubStanding, Membership, Organization, ScopeGrant
from permissions.roles import HUB_ROLES, ROLE_PERMISSIONS
from permissions.scoping import permission_map

# The pages of a scope, as the menu and the refusal page name them.
SCOPE_PAGES = {
    "view_hub": _("連携状況"),
    "manage_hub": _("ハブの管理"),
    HubScope.DISASTERS: _("災害対応（みんかな）"),
    HubScope.DISASTER_COORDINATION: _("災害対応の調整"),
    HubScope.LIBRARY: _("協働事例ライブラリ・事例集・スタディツアー"),
    HubScope.STATISTICS: _("統計"),
    HubScope.DIRECTORY: _("団体一覧・イベントカレンダー"),
}


# Short names for the columns of 役割と範囲 (the full label is the column's title).
SCOPE_COLUMNS = {
    HubScope.DISASTERS: _("災害対応（閲覧）"),
    HubScope.DISASTER_COORDINATION: _("災害対応（調整）"),
    HubScope.LIBRARY: _("事例・ツアー"),
    HubScope.STATISTICS: _("統計"),
    HubScope.DIRECTORY: _("団体一覧"),
}


def can(user, codename: str) -> bool:
    """Hub permissions are held on the hub's own organizations (its operator, its partners, the
    prefecture); any such membership or grant counts."""
    return bool(permission_map(user).get(codename))


def hub_menu(user) -> dict[str, bool]:
    """Which entries of the hub's menu the user may open (the pages check the same permissions)."""
    held = permission_map(user)
    return {
        "federation": bool(held.get("view_hub")),
        "directory": bool(held.get(HubScope.DIRECTORY)),
        "library": bool(held.get(HubScope.LIBRARY)),
        "statistics": bool(held.get(HubScope.STATISTICS)),
        "disasters": bool(held.get(HubScope.DISASTERS)),
        "coordinate": bool(held.get(HubScope.DISASTER_COORDINATION)),
        "grants": bool(held.get("manage_hub")),
    }


@dataclass(frozen=True)
class CoordinatorRow:
    membership: Membership
    role_scopes: frozenset[str]
    grants: dict[str, ScopeGrant]

    @property
    def cells(self) -> list[tuple[bool, ScopeGrant | None]]:
        """Per scope, in HubScope's order: open by the role, or the grant that opened it."""
        return [(scope in self.role_scopes, self.grants.get(scope)) for scope in HubScope.values]


def hub_roles_overview() -> list[tuple[Organization, list[CoordinatorRow]]]:
    """The hub's own organizations (operator first, then partners) with their people in hub roles:
    which scopes each role opens and which were granted on top."""
    memberships = (Membership.objects.filter(role__in=HUB_ROLES).select_related("user", "organization")
                   .order_by("organization__hub_standing", "organization__name_kana", "user__username", "role"))
    grants: dict[tuple[int, int], dict[str, ScopeGrant]] = {}
    for grant in ScopeGrant.objects.select_related("granted_by"):
        grants.setdefault((grant.user_id, grant.organization_id), {})[grant.scope] = grant
    by_organization: dict[int, tuple[Organization, list[CoordinatorRow]]] = {}
    for membership in memberships:
        organization = membership.organization
        rows = by_organization.setdefault(organization.pk, (organization, []))[1]
        rows.append(CoordinatorRow(
            membership=membership,
            role_scopes=frozenset(s for s in ROLE_PERMISSIONS[membership.role] if s in HubScope.values),
            grants=grants.get((membership.user_id, organization.pk), {})))
    # The operator first ("operator" sorts after "", so order explicitly).
    order = {HubStanding.OPERATOR: 0, HubStanding.PARTNER: 1, HubStanding.NONE: 2}
    return sorted(by_organization.values(), key=lambda pair: order[pair[0].hub_standing])
