"""The node's navigation, on every page."""

from django.utils.functional import SimpleLazyObject

from permissions.scoping import permission_map

from .ui import RECORDS


def navigation(request) -> dict:
    # Lazy: read (one small query) only when a page's navigation is drawn for a signed-in user.
    held = SimpleLazyObject(lambda: permission_map(request.user))
    return {
        "nav_records": RECORDS.values(),
        "nav_group_member": SimpleLazyObject(lambda: bool(held.get("view_group_profile"))),
        "nav_center_staff": SimpleLazyObject(lambda: bool(held.get("view_center_records"))),
        # 協働推進事業: the center's calls, or the themes and applications a department is responsible for.
        "nav_programme": SimpleLazyObject(lambda: bool(held.get("view_center_records")
                                                       or held.get("manage_department_cases"))),
    }
