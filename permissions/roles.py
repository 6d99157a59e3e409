"""What each role may do, as guardian permissions on the organization the membership is on."""

from .models import OrganizationKind, Role

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.CENTER_ADMIN: ("view_center_records", "change_center_records", "delete_center_records", "manage_center",
                        "assign_consultations"),
    # Staff register and edit; deleting a center's records is kept for its admins.
    Role.CENTER_STAFF: ("view_center_records", "change_center_records"),
    # チーフコーディネーター (seed 004): decides which staff member handles a consultation.
    Role.CHIEF_COORDINATOR: ("view_center_records", "change_center_records", "assign_consultations"),
    Role.GROUP_MEMBER: ("view_group_profile", "change_group_profile", "manage_group_offers"),
    Role.DEPARTMENT_STAFF: ("manage_department_needs", "manage_department_cases"),
    Role.HUB_ADMIN: ("view_hub", "manage_hub"),
    Role.COORDINATOR: ("view_hub",),
}

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
    Role.HUB_ADMIN: frozenset({OrganizationKind.PREFECTURE}),
    Role.COORDINATOR: frozenset({OrganizationKind.PREFECTURE}),
}


def guardian_group_name(role: str, organization_uuid) -> str:
    return f"{role}@{organization_uuid}"
