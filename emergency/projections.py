"""Emergency records on the wire (みんかな): a center's status, its needs, its groups' offers, its
answers to commitments and — the one type that carries personal data by design — a group's disaster
contact. Registered with sync at start-up; every disaster type rides on the disaster queue."""

from __future__ import annotations

from nodes.known_data import all_personal_data
from nodes.sharing import disaster_text
from sync import registry
from sync.models import Priority
from sync.wire import directory, disaster as wire

from .selectors import declaration_covers


def project_center_status(report) -> dict:
    """A center's status for a declaration: no people, a status, a time and a short note."""
    return {"center": str(report.center.uuid), "declaration": str(report.declaration.uuid), "status": report.status,
            "as_of": report.as_of.isoformat(), "note": disaster_text(report.note, wire.MAX_NOTE)}


def project_disaster_need(need) -> dict:
    """A center's need: sector, lines with quantities, an area, times and a status. No people."""
    known = all_personal_data()
    lines = [{**line, "description": disaster_text(line["description"], 200, known=known, withheld="〔非公開〕")}
             for line in need.lines]
    return {"center": str(need.center.uuid), "declaration": str(need.declaration.uuid), "sector": need.sector,
            "lines": lines, "priority": need.priority,
            "needed_by": need.needed_by.isoformat() if need.needed_by else None,
            "municipality_code": need.municipality_code,
            "place_name": disaster_text(need.place_name, 200, known=known), "status": need.status,
            "last_confirmed_at": need.last_confirmed_at.isoformat(), "expires_at": need.expires_at.isoformat(),
            "created_at": need.created_at.isoformat()}


def project_disaster_offer(offer) -> dict:
    """A group's offer; the group is named only if it consented to be listed on the hub."""
    group, known = offer.group, all_personal_data()
    listed = group.consent_hub_listing_at is not None and group.status == "active"
    return {"center": str(offer.center.uuid), "declaration": str(offer.declaration.uuid),
            "group_name": group.organization.name if listed else "", "sector": offer.sector,
            "volunteers": offer.volunteers, "skills": disaster_text(offer.skills, 400, known=known),
            "supplies": [{**line, "description": disaster_text(line["description"], 200, known=known, withheld="〔非公開〕")}
                         for line in offer.supplies],
            "vehicles": offer.vehicles, "municipality_code": offer.municipality_code,
            "area_served": disaster_text(offer.area_served, 200, known=known),
            "valid_until": offer.valid_until.isoformat(), "status": offer.status,
            "created_at": offer.created_at.isoformat()}


def project_commitment_report(commitment) -> dict | None:
    """Our answer to a hub commitment; nothing to send until we acknowledged it."""
    if commitment.status == "committed":
        return None
    return {"center": str(commitment.center.uuid), "declaration": str(commitment.declaration.uuid),
            "commitment": str(commitment.commitment_uuid), "status": commitment.status,
            "delivered": commitment.delivered, "reached": commitment.reached,
            "reported_at": commitment.reported_at.isoformat()}


def project_disaster_contact(contact) -> dict | None:
    """The only projection that copies personal fields: a group's disaster contact, and only while
    its declaration is open and covers the center and the group's consent stands. Any of these
    failing retracts it (the hub deletes its copy)."""
    group, declaration = contact.group, contact.declaration
    if (declaration.closed_at is not None or not declaration_covers(declaration, contact.center)
            or group.consent_disaster_contact_at is None or group.status != "active"):
        return None
    return {"center": str(contact.center.uuid), "declaration": str(declaration.uuid),
            "group_name": group.organization.name, "contact_name": contact.contact_name, "phone": contact.phone,
            "email": contact.email, "shared_at": contact.updated_at.isoformat()}


def register_types() -> None:
    disaster, after_profile = Priority.DISASTER, (directory.NODE_PROFILE,)
    registry.register(wire.CENTER_STATUS, model="emergency.centerstatusreport", project=project_center_status,
                      priority=disaster, depends_on=after_profile)
    registry.register(wire.DISASTER_NEED, model="emergency.disasterneed", project=project_disaster_need,
                      priority=disaster, depends_on=after_profile)
    registry.register(wire.DISASTER_OFFER, model="emergency.disasteroffer", project=project_disaster_offer,
                      priority=disaster, depends_on=after_profile)
    registry.register(wire.COMMITMENT_REPORT, model="emergency.commitment", project=project_commitment_report,
                      priority=disaster, depends_on=after_profile)
    registry.register(wire.DISASTER_CONTACT, model="emergency.disastercontact", project=project_disaster_contact,
                      priority=disaster, depends_on=after_profile, personal=True)
    # A center's tally of an emergency survey, written whole by the survey service.
    registry.register(wire.SURVEY_COUNTS, priority=disaster, depends_on=after_profile)
