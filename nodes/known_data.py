"""The personal data this node holds, gathered for the scrubber and the final check before anything
leaves the node (sync.anonymize does the matching; this module only knows where the data lives)."""

from __future__ import annotations

import re
from dataclasses import replace

from django.apps import apps
from django.contrib.auth import get_user_model

from permissions.models import Organization
from sync.anonymize import KnownPersonalData

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


# What each declared personal field holds, read from the end of its name: `contact_phone` is a phone,
# `representative_kana` a person's reading. A free contact field may hold a phone, an email or an
# address; notes are free text (scrubbed where they are written), not values to look for.
FIELD_KINDS = (("name", "person"), ("kana", "person"), ("phone", "phone"), ("email", "email"),
               ("address", "address"), ("postal_code", "postal_code"), ("contact", "contact"))


def field_kind(field: str) -> str | None:
    return next((kind for suffix, kind in FIELD_KINDS if field == suffix or field.endswith("_" + suffix)), None)


def _holders() -> list[tuple[type, dict[str, str]]]:
    """Every installed model that declares PERSONAL_FIELDS, with the kind of each field to gather."""
    found = []
    for model in apps.get_models():
        kinds = {name: field_kind(name) for name in getattr(model, "PERSONAL_FIELDS", ())}
        kinds = {name: kind for name, kind in kinds.items() if kind}
        if kinds:
            found.append((model, kinds))
    return found


def _add_contact(values: dict[str, set], contact: str) -> None:
    """A free field: 「090-1111-2222 / suzuki@example.jp」 holds a phone and an email, or an address."""
    found = _CONTACT_EMAIL.findall(contact)
    values["email"].update(found)
    numbers = _CONTACT_PHONE.findall(_CONTACT_EMAIL.sub(" ", contact))
    values["phone"].update(numbers)
    if not found and not numbers and contact.strip():
        values["address"].add(contact.strip())


def all_personal_data() -> KnownPersonalData:
    """Every value of every field a model declares personal (PERSONAL_FIELDS), the staff's own names
    and emails, and the names of every organization that is not a public body."""
    values: dict[str, set] = {kind: set() for kind in ("person", "phone", "email", "address", "postal_code")}
    for model, kinds in _holders():
        names = list(kinds)
        for row in model.objects.values_list(*names):
            for name, value in zip(names, row, strict=True):
                if not value:
                    continue
                if kinds[name] == "contact":
                    _add_contact(values, value)
                else:
                    values[kinds[name]].add(value)
    for last, first, email in get_user_model().objects.values_list("last_name", "first_name", "email"):
        if last and first:
            values["person"].add(f"{last} {first}")
        elif last or first:
            values["person"].add(last or first)
        values["email"].add(email)
    organizations = set()
    for name, kana in Organization.objects.exclude(kind__in=PUBLIC_KINDS).values_list("name", "name_kana"):
        organizations.update((name, kana))
    return KnownPersonalData(person_names=tuple(filter(None, values["person"])),
                             phones=tuple(filter(None, values["phone"])), emails=tuple(filter(None, values["email"])),
                             addresses=tuple(filter(None, values["address"])),
                             organizations=tuple(filter(None, organizations)),
                             postal_codes=tuple(filter(None, values["postal_code"])))
