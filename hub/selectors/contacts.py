"""Disaster contacts, read only under a valid grant: every read is audited (uuids, never values),
a read without a grant as refused."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Now

from permissions.audit import audit_record

from ..models import ContactGrant, DisasterContactCopy


def valid_contact_grants(*, user, declaration) -> QuerySet:
    """The user's approved grants on this declaration that have not ended — the end is compared with
    the database's clock in the query itself, so an expired grant can never be used."""
    return ContactGrant.objects.filter(declaration=declaration, grantee=user, approved_at__isnull=False,
                                       ends_at__gt=Now(), declaration__closed_at__isnull=True)


def disaster_contacts(*, user, declaration, purpose: str = "list") -> tuple[ContactGrant | None, list]:
    """The declaration's disaster contacts if the user holds a valid grant, else none. Every read
    leaves an audit row naming the grant, its reason and the contacts read (uuids, never values);
    a read without a grant is audited as refused."""
    grant = valid_contact_grants(user=user, declaration=declaration).order_by("-ends_at").first()
    if grant is None:
        audit_record(actor=user, action="hub.disaster_contacts_refused", target=declaration,
                     detail={"purpose": purpose})
        return None, []
    # The grant is checked again in the same statement that reads the values.
    contacts = list(DisasterContactCopy.objects.filter(declaration=declaration).filter(
        Exists(valid_contact_grants(user=user, declaration=OuterRef("declaration")))).select_related("center")
        .order_by("center__municipality_code", "group_name", "id"))
    audit_record(actor=user, action="hub.disaster_contacts_read", target=declaration, detail={
        "grant": str(grant.uuid), "reason": grant.reason, "purpose": purpose, "count": len(contacts),
        "contacts": [str(c.entity_uuid) for c in contacts], "fields": ["contact_name", "phone", "email"]})
    return grant, contacts


def contact_grants(*, declaration) -> QuerySet:
    return ContactGrant.objects.filter(declaration=declaration).select_related("grantee", "approver")


def contact_count(*, declaration) -> int:
    """How many groups shared a contact: a count only, shown without a grant."""
    return DisasterContactCopy.objects.filter(declaration=declaration).count()
