"""Values every page needs: the site, the role and the navigation."""

from django.conf import settings


def kyodo(request):
    context = {"site_name": settings.KYODO_SITE_NAME, "role": settings.KYODO_ROLE}
    if settings.KYODO_ROLE == "node":
        from nodes.ui import RECORDS

        context["nav_records"] = RECORDS.values()
    elif settings.KYODO_ROLE == "hub" and request.user.is_authenticated:
        from hub.selectors import can

        # Visitor accounts of study tours hold no hub role: they see their tours and nothing else.
        context["hub_staff"] = can(request.user, "view_hub")
    return context
