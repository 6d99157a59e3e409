"""What each role may do, as guardian permissions on the organization the membership is on."""

from .models import HubScope, HubStanding, OrganizationKind, Role

ALL_HUB_SCOPES = tuple(HubScope.values)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.CENTER_ADMIN: ("view_center_records", "change_center_records", "delete_center_records", "manage_center",
                        "assign_consultations"),
    # Staff register and edit; deleting a center's records is kept for its admins.
    Role.CENTER_STAFF: ("view_center_records", "change_center_records"),
    # チーフコーディネーター (seed 004): decides which staff member handles a consultation.
    Role.CHIEF_COORDINATOR: ("view_center_records", "change_center_records", "assign_consultations"),
    Role.GROUP_MEMBER: ("view_group_profile", "change_group_profile", "manage_group_offers"),
    Role.DEPARTMENT_STAFF: ("manage_department_needs", "manage_department_cases"),
    Role.HUB_ADMIN: ("view_hub", "manage_hub", *ALL_HUB_SCOPES),
    # Every hub role sees the federation page (連携状況); what else it opens is its scopes.
    Role.COORDINATOR: ("view_hub", *ALL_HUB_SCOPES),
    Role.DISASTER_COORDINATOR: ("view_hub", HubScope.DISASTERS, HubScope.DISASTER_COORDINATION),
    Role.LIBRARY_COORDINATOR: ("view_hub", HubScope.LIBRARY, HubScope.STATISTICS, HubScope.DIRECTORY),
}

HUB_ROLES = frozenset({Role.HUB_ADMIN, Role.COORDINATOR, Role.DISASTER_COORDINATOR, Role.LIBRARY_COORDINATOR})
COORDINATOR_ROLES = HUB_ROLES - {Role.HUB_ADMIN}

# The kinds of organization a hub's operator and partners are: the prefecture, networks of
# intermediate support organizations, 社会福祉協議会, 共同募金会 (a 公益法人 in the broad sense).
_HUB_KINDS = frozenset({
    OrganizationKind.PREFECTURE, OrganizationKind.INTERMEDIATE_SUPPORT,
    OrganizationKind.SOCIAL_WELFARE_COUNCIL, OrganizationKind.PUBLIC_INTEREST_CORPORATION,
})

# A role only makes sense on some kinds of organization.
ROLE_ORGANIZATION_KINDS: dict[str, frozenset[str]] = {
    Role.CENTER_ADMIN: frozenset({OrganizationKind.CENTER}),
    Role.CENTER_STAFF: frozenset({OrganizationKind.CENTER}),
    Role.CHIEF_COORDINATOR: frozenset({OrganizationKind.CENTER}),
    Role.GROUP_MEMBER: frozenset(
        {
            OrganizationKind.CITIZEN_GROUP,
            OrganizationKind.NEIGHBORHOOD_ASSOCIATION,
            OrganizationKind.DISTRICT_WELFARE_COUNCIL,
            OrganizationKind.INTERMEDIATE_SUPPORT,
            OrganizationKind.PUBLIC_INTEREST_CORPORATION,
            OrganizationKind.SOCIAL_WELFARE_COUNCIL,
        }
    ),
    Role.DEPARTMENT_STAFF: frozenset({OrganizationKind.CITY_DEPARTMENT}),
    **{role: _HUB_KINDS for role in HUB_ROLES},
}


def hub_role_fits(role: str, organization) -> bool:
    """Hub roles are held on the hub's own organizations: the hub admin on the operator (or, on a hub
    with no operator recorded, on the prefecture), coordinators on the operator or a partner."""
    if role == Role.HUB_ADMIN:
        return organization.hub_standing == HubStanding.OPERATOR or (
            organization.kind == OrganizationKind.PREFECTURE and organization.hub_standing == HubStanding.NONE)
    return organization.hub_standing != HubStanding.NONE or organization.kind == OrganizationKind.PREFECTURE


# A scope granted on top of a role: the permissions the grant writes. Coordinating disasters
# needs their pages too.
SCOPE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    scope: (scope,) for scope in ALL_HUB_SCOPES
} | {HubScope.DISASTER_COORDINATION: (HubScope.DISASTERS, HubScope.DISASTER_COORDINATION)}


def guardian_group_name(role: str, organization_uuid) -> str:
    return f"{role}@{organization_uuid}"
