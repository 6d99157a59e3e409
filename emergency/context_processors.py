"""What every page of a node shows in emergency mode: the banner of the declarations covering it."""

from __future__ import annotations

from django.urls import reverse

from common.banner import banner_items

from .selectors import emergency_state


def disaster_banner(request) -> dict:
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}
    url = reverse("emergency-dashboard")
    return {"disaster_banner": banner_items((a.declaration, url) for a in emergency_state().activations)}
