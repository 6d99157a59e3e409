"""The personal data this node holds, gathered for the scrubber and the final check before anything
leaves the node (sync.anonymize does the matching; this module only knows where the data lives)."""

from __future__ import annotations

import re
from dataclasses import replace

from django.contrib.auth import get_user_model

from permissions.models import Organization
from sync.anonymize import KnownPersonalData

from .models import Consultation, GroupRegistration, TalentVolunteer, TourReport

# Public bodies act in the open: their names are not personal data and need no consent.
PUBLIC_KINDS = frozenset({"city_department", "prefecture", "center"})
_CONTACT_EMAIL = re.compile(r"[^\s@、,／/]+@[^\s@、,／/]+")
_CONTACT_PHONE = re.compile(r"[+0-9０-９][0-9０-９\-－ー()（） ]{7,}[0-9０-９]")


def known_personal_data(*, allowed_organizations=()) -> KnownPersonalData:
    """Every piece of personal data this node holds, across all its centers (a name from another
    center's consultation is just as personal). Organizations in `allowed_organizations` may be named."""
    known = all_personal_data()
    return allowing(known, allowed_organizations) if allowed_organizations else known


def allowing(known: KnownPersonalData, organizations) -> KnownPersonalData:
    allowed = {text for o in organizations for text in (o.name, o.name_kana) if text}
    return replace(known, organizations=tuple(o for o in known.organizations if o not in allowed))


def all_personal_data() -> KnownPersonalData:
    people, phones, emails, addresses, postal_codes = set(), set(), set(), set(), set()
    for row in GroupRegistration.objects.values_list(
            "representative_name", "representative_kana", "contact_name", "contact_phone", "contact_email",
            "contact_address", "contact_postal_code"):
        people.update(row[0:3])
        phones.add(row[3])
        emails.add(row[4])
        addresses.add(row[5])
        postal_codes.add(row[6])
    for name, kana, phone, email in TalentVolunteer.objects.values_list("name", "name_kana", "phone", "email"):
        people.update((name, kana))
        phones.add(phone)
        emails.add(email)
    # Visitors of study tours, named on their reports.
    people.update(TourReport.objects.values_list("author_name", flat=True))
    for name, contact in Consultation.objects.values_list("requester_name", "requester_contact"):
        people.add(name)
        # A free field: 「090-1111-2222 / suzuki@example.jp」 holds a phone and an email, or an address.
        found = _CONTACT_EMAIL.findall(contact or "")
        emails.update(found)
        rest = _CONTACT_EMAIL.sub(" ", contact or "")
        numbers = _CONTACT_PHONE.findall(rest)
        phones.update(numbers)
        if not found and not numbers and (contact or "").strip():
            addresses.add(contact.strip())
    for last, first, email in get_user_model().objects.values_list("last_name", "first_name", "email"):
        if last and first:
            people.add(f"{last} {first}")
        elif last or first:
            people.add(last or first)
        emails.add(email)
    organizations = set()
    for name, kana in Organization.objects.exclude(kind__in=PUBLIC_KINDS).values_list("name", "name_kana"):
        organizations.update((name, kana))
    return KnownPersonalData(person_names=tuple(filter(None, people)), phones=tuple(filter(None, phones)),
                             emails=tuple(filter(None, emails)), addresses=tuple(filter(None, addresses)),
                             organizations=tuple(filter(None, organizations)),
                             postal_codes=tuple(filter(None, postal_codes)))


def own_personal_data(group) -> KnownPersonalData:
    """A group's own people and contacts: what its description most likely repeats."""
    return KnownPersonalData(
        person_names=tuple(filter(None, (group.representative_name, group.representative_kana, group.contact_name))),
        phones=tuple(filter(None, (group.contact_phone,))), emails=tuple(filter(None, (group.contact_email,))),
        addresses=tuple(filter(None, (group.contact_address,))),
        postal_codes=tuple(filter(None, (group.contact_postal_code,))))
