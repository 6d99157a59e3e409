"""What every page of the hub shows: whether the user holds a hub role, and the open disasters."""

from __future__ import annotations

from django.urls import reverse

from common.banner import banner_items

from .selectors import can, open_disasters


def navigation(request) -> dict:
    if not request.user.is_authenticated:
        return {}
    # Visitor accounts of study tours hold no hub role: they see their tours and nothing else.
    return {"hub_staff": can(request.user, "view_hub")}


def disaster_banner(request) -> dict:
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}
    return {"disaster_banner": banner_items((d, reverse("hub-disaster", args=[d.uuid])) for d in open_disasters())}
