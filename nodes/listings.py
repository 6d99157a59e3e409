"""Directory entries for the hub: groups that consented to be listed, their offers (できることメニュー)
and public events. Each scrubs its texts and keeps the record home when known personal data is left."""

from __future__ import annotations

from sync.anonymize import KnownPersonalData
from sync.wire import directory

from .outgoing import Door

# The free texts of each entry: scrubbed (or checked) before they leave. A payload over its wire
# contract's limits would be refused by the hub and stop this node's sync, so it stays home instead.
OFFER_TEXT_FIELDS = tuple(directory.OFFER.text_limits)  # title, description, area, capacity
GROUP_TEXT_FIELDS = ("area", "description")
EVENT_TEXT_FIELDS = ("title", "theme", "cancellation_reason", "venue")


def offer_listing(offer, *, known: KnownPersonalData | None = None) -> dict | None:
    """What other centers may see of an offer through the hub: only for a group that consented to
    hub listing, is active and publishes the offer; no contacts, no people. Every text goes through
    the door (the area and capacity too: people write 山田宅の庭 or 代表の携帯まで), and known personal
    data left in the finished payload keeps the offer home. The group's own name may appear: it
    consented to be listed."""
    group = offer.group
    if not offer.is_published or group.status != "active" or group.consent_hub_listing_at is None:
        return None
    door = Door(known, allowed_organizations=[group.organization])
    fields = sorted(f.code for f in offer.activity_fields.all()) or sorted(f.code for f in group.activity_fields.all())
    payload = {
        "center": str(offer.center.uuid), "group": str(group.uuid),
        **{name: door.text(getattr(offer, name)) for name in OFFER_TEXT_FIELDS},
        "fields": fields, "months": sorted(offer.available_months or []),
        "cost_conditions": sorted(offer.cost_conditions or []),
    }
    if group.consent_national_listing_at is not None:
        payload["national"] = True  # 全国掲載: the prefectural hub passes it on (absent: stays in the prefecture)
    if directory.OFFER.over_limits(payload) or door.leaks([payload[name] for name in OFFER_TEXT_FIELDS]):
        return None
    return payload


def group_listing(group) -> dict | None:
    """The hub directory entry of a group that consented to listing: name, kind, fields, and its area
    and description scrubbed of every person and contact the node knows (its own people first: a
    description often says 代表の山田です、090-…) and any the patterns and Sudachi find."""
    if group.consent_hub_listing_at is None or group.status != "active":
        return None
    organization = group.organization
    door = Door(organizations=False)  # as before: a group's description may name its partners
    payload = {
        "center": str(group.center.uuid), "name": organization.name, "name_kana": organization.name_kana,
        "kind": organization.kind, "legal_form": group.legal_form,
        "fields": sorted(f.code for f in group.activity_fields.all()),
        **{name: door.text(getattr(group, name)) for name in GROUP_TEXT_FIELDS},
    }
    if group.consent_national_listing_at is not None:
        payload["national"] = True
    if directory.GROUP.over_limits(payload) or door.leaks([payload[name] for name in GROUP_TEXT_FIELDS]):
        return None
    return payload


def event_listing(event) -> dict | None:
    """A public event for the hub calendar. Title, theme, a cancellation reason and the venue may name
    a person (講師の山田太郎さん急病のため中止; 山田様宅): all through the door."""
    if not event.is_public:
        return None
    door = Door(organizations=False)  # the venue and organizers are public: only people are hidden
    payload = {
        "center": str(event.center.uuid), "kind": event.kind, "fields": sorted(f.code for f in event.activity_fields.all()),
        "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat() if event.ends_at else None,
        "status": event.status, **{name: door.text(getattr(event, name)) for name in EVENT_TEXT_FIELDS},
    }
    if directory.EVENT.over_limits(payload) or door.leaks([payload[name] for name in EVENT_TEXT_FIELDS]):
        return None
    return payload
