"""Values every page needs on both roles: the site and the role (the role's own navigation and
disaster banner come from its apps, listed in settings)."""

from django.conf import settings


def kyodo(request):
    return {"site_name": settings.KYODO_SITE_NAME, "role": settings.KYODO_ROLE}
