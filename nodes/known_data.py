"""The personal data this node holds, gathered for the scrubber and the final check before anything
leaves the node (sync.anonymize does the matching; this module only knows where the data lives)."""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import replace

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

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
    kept = tuple(o for o in known.organizations if o not in allowed)
    if len(kept) == len(known.organizations):
        return known
    _ = known.matcher  # compiled (or grown) on the node's whole data, which the next read grows from
    return replace(known, organizations=kept).reuse_matcher_of(known)


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
    and emails, and the names of every organization that is not a public body.

    Read again only when the tables it reads from changed (as this connection sees them), and then
    its matcher grows from the last one: every outgoing write asks for it, and a center registering
    its 2,000th group must not pay for the other 1,999 (nodes registering in bulk did)."""
    fingerprint = _fingerprint()
    with _cache_lock:
        cached = _cache.get("known")
        if fingerprint is not None and cached is not None and cached[0] == fingerprint:
            return cached[1]
    known = _read_personal_data()
    if cached is not None:
        known.reuse_matcher_of(cached[1])
    if fingerprint is not None:
        with _cache_lock:
            _cache["known"] = (fingerprint, known)
    return known


def without_organizations(known: KnownPersonalData) -> KnownPersonalData:
    """`known` naming every organization (public pages and the directory), its matcher grown from the
    last such variant rather than stripped of every organization each time."""
    with _cache_lock:
        cached = _cache.get("people")
    if cached is not None and cached[0] is known:
        return cached[1]
    people = replace(known, organizations=())
    if cached is not None:
        people.reuse_matcher_of(cached[1])
    with _cache_lock:
        _cache["people"] = (known, people)
    return people


_cache: dict[str, tuple] = {}
_cache_lock = threading.Lock()


def _sources() -> list[type]:
    return [model for model, _ in _holders()] + [get_user_model(), Organization]


def _fingerprint() -> tuple | None:
    """Changes whenever a row of a source table is added, changed or removed, committed by anyone or
    written by this connection: PostgreSQL's row versions (per table the count, and sums over the
    versions' xmin and ctid — a row updated twice in one transaction keeps its xmin but not its
    ctid); SQLite's data_version (others' commits) with this connection's total_changes. None
    elsewhere: no caching."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            parts = " UNION ALL ".join(
                f"SELECT {i}, count(*), coalesce(sum(xmin::text::bigint), 0), coalesce(sum(hashtext(ctid::text)), 0)"
                f" FROM {connection.ops.quote_name(m._meta.db_table)}"
                for i, m in enumerate(_sources()))
            cursor.execute(parts)
            return (connection.alias, tuple(cursor.fetchall()))
        if vendor == "sqlite":
            cursor.execute("PRAGMA data_version")
            version = cursor.fetchone()[0]
            cursor.execute("SELECT total_changes()")
            # data_version is per connection: the connection is part of the key.
            return (connection.alias, _connection_token(connection), version, cursor.fetchone()[0])
    return None


_token_numbers = itertools.count()


def _connection_token(wrapper) -> int:
    """A number for the DB-API connection under Django's wrapper, new when Django reconnects (the
    wrapper holds the connection it was given for, so that object's id is never reused meanwhile)."""
    if getattr(wrapper, "_kyodo_known_for", None) is not wrapper.connection:
        wrapper._kyodo_known_for = wrapper.connection
        wrapper._kyodo_known_token = next(_token_numbers)
    return wrapper._kyodo_known_token


def _read_personal_data() -> KnownPersonalData:
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
