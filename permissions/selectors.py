"""Reads on the hub's own organizations: its operator and its partners."""

from __future__ import annotations

from .models import HubStanding, Organization


def hub_operator() -> Organization | None:
    """The organization that runs the hub (みんかな in the demo); None on a hub that recorded none."""
    return Organization.objects.filter(hub_standing=HubStanding.OPERATOR).first()


def hub_partners() -> list[Organization]:
    return list(Organization.objects.filter(hub_standing=HubStanding.PARTNER))
