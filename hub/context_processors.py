"""What every page of the hub shows: who runs the hub and its partners, the menu entries the user
may open, and the open disasters."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from common.banner import banner_items
from permissions.selectors import hub_operator, hub_partners

from .selectors import hub_menu, open_disasters


def navigation(request) -> dict:
    context = {"hub_operator": hub_operator(), "hub_partners": hub_partners()}
    if not request.user.is_authenticated:
        return context
    # Visitor accounts of study tours hold no hub role: they see their tours and nothing else.
    return {**context, "hub_menu": hub_menu(request.user), "national_hub": settings.KYODO_HUB_LEVEL == "national"}


def disaster_banner(request) -> dict:
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}
    return {"disaster_banner": banner_items((d, reverse("hub-disaster", args=[d.uuid])) for d in open_disasters())}
