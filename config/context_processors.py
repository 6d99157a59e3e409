"""Values every page needs: the site, the role and the navigation."""

from django.conf import settings


def kyodo(request):
    context = {"site_name": settings.KYODO_SITE_NAME, "role": settings.KYODO_ROLE}
    if settings.KYODO_ROLE == "node":
        from nodes.ui import RECORDS

        context["nav_records"] = RECORDS.values()
    return context
