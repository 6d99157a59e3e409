"""Directory entries for the hub: groups that consented to be listed, their offers (できることメニュー)
and public events. Each scrubs its texts and keeps the record home when known personal data is left."""

from __future__ import annotations

from sync.anonymize import KnownPersonalData, find_known, scrub
from sync.wire import directory

from .known_data import all_personal_data, allowing, own_personal_data

# The free texts of each entry: scrubbed (or checked) before they leave. A payload over its wire
# contract's limits would be refused by the hub and stop this node's sync, so it stays home instead.
OFFER_TEXT_FIELDS = tuple(directory.OFFER.text_limits)  # title, description, area, capacity
GROUP_TEXT_FIELDS = ("area", "description")
EVENT_TEXT_FIELDS = ("title", "theme", "cancellation_reason")


def offer_listing(offer, *, known: KnownPersonalData | None = None) -> dict | None:
    """What other centers may see of an offer through the hub: only for a group that consented to
    hub listing, is active and publishes the offer; no contacts, no people. The texts go through
    the scrubber, and known personal data left in the finished payload keeps the offer home.
    The group's own name may appear: it consented to be listed."""
    group = offer.group
    if not offer.is_published or group.status != "active" or group.consent_hub_listing_at is None:
        return None
    known = known or all_personal_data()
    known = allowing(known, [group.organization])
    fields = sorted(f.code for f in offer.activity_fields.all()) or sorted(f.code for f in group.activity_fields.all())
    payload = {
        "center": str(offer.center.uuid), "group": str(group.uuid),
        "title": scrub(offer.title, known).text, "description": scrub(offer.description or "", known).text,
        "fields": fields, "area": offer.area, "capacity": offer.capacity,
        "months": sorted(offer.available_months or []), "cost_conditions": sorted(offer.cost_conditions or []),
    }
    if directory.OFFER.over_limits(payload) or any(find_known(payload[name], known) for name in OFFER_TEXT_FIELDS):
        return None
    return payload


def group_listing(group) -> dict | None:
    """The hub directory entry of a group that consented to listing: name, kind, fields, and its area
    and description scrubbed of its own people and contacts and of any person or contact the
    patterns and Sudachi find (a description often says 代表の山田です、090-…)."""
    if group.consent_hub_listing_at is None or group.status != "active":
        return None
    organization, known = group.organization, own_personal_data(group)
    payload = {
        "center": str(group.center.uuid), "name": organization.name, "name_kana": organization.name_kana,
        "kind": organization.kind, "legal_form": group.legal_form,
        "fields": sorted(f.code for f in group.activity_fields.all()),
        "area": scrub(group.area or "", known).text, "description": scrub(group.description or "", known).text,
    }
    if directory.GROUP.over_limits(payload) or any(find_known(payload[name], known) for name in GROUP_TEXT_FIELDS):
        return None
    return payload


def event_listing(event) -> dict | None:
    """A public event for the hub calendar. Title, theme and a cancellation reason may name a person
    (講師の山田太郎さん急病のため中止): scrubbed; the venue is a public place and stays."""
    if not event.is_public:
        return None
    payload = {
        "center": str(event.center.uuid), "kind": event.kind, "fields": sorted(f.code for f in event.activity_fields.all()),
        "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat() if event.ends_at else None,
        "venue": event.venue, "status": event.status,
        **{name: scrub(getattr(event, name) or "").text for name in EVENT_TEXT_FIELDS},
    }
    return None if directory.EVENT.over_limits(payload) else payload
