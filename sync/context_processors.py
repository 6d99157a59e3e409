"""The disaster banner every page shows (sync/disaster_banner.html): real disasters in red, drills
striped and labelled 訓練, each declaration on its own line so the two never mix."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def disaster_banner(request) -> dict:
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}
    if settings.KYODO_ROLE == "node":
        from emergency.selectors import emergency_state

        url = reverse("emergency-dashboard")
        declarations = [activation.declaration for activation in emergency_state().activations]
        items = [_item(d, url) for d in declarations]
    else:
        from hub.selectors import open_disasters

        items = [_item(d, reverse("hub-disaster", args=[d.uuid])) for d in open_disasters()]
    # Real disasters first: a drill must never push a real one out of sight.
    return {"disaster_banner": sorted(items, key=lambda item: item["exercise"])}


def _item(declaration, url: str) -> dict:
    return {"uuid": str(declaration.uuid), "name": declaration.name, "exercise": declaration.exercise,
            "hazard": declaration.get_hazard_display(), "phase": declaration.get_phase_display(), "url": url}
