"""The one write pipeline of a center's records: scope → validate → version → audit → outbox.

Values arrive already parsed (model instances for links, lists for many-to-many); callers are the
record services, the API serializers, the UI forms and the CSV import.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils.translation import gettext

from common.japanese import search_key, to_katakana_reading
from common.validation import full_clean_read_links
from permissions.audit import audit_record
from permissions.models import Organization
from permissions.scoping import get_scoped_or_deny, holds, require_permitted
from sync import outbox

from .. import matching_text
from ..models import (
    CENTER_CHANGE,
    CenterRecord,
    CollaborationCase,
    Consultation,
    DepartmentDesk,
    Event,
    MenuItem,
    Need,
    Offer,
    ProgrammeApplication,
    ProgrammeCall,
    ProgrammeTheme,
    StudyTour,
    TalentVolunteer,
    TourCase,
    TourLesson,
)

KANA_FIELDS = ("name_kana", "representative_kana")


def _attr_path(record: Model, dotted: str) -> str:
    value: Any = record
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def search_text_of(record: CenterRecord) -> str:
    return search_key(*(_attr_path(record, name) for name in record.SEARCH_FIELDS))


def require_center_organizations(center_id: int, organizations: Iterable[Organization], field: str) -> None:
    """Links may only point at the record's own center or its partners."""
    for organization in organizations:
        if organization is None:
            continue
        if organization.pk != center_id and organization.center_id != center_id:
            raise ValidationError({field: ValidationError(gettext("このセンターの組織ではありません。"), code="other_center")})


def _linked_records_in_center(center_id: int, records: Iterable[CenterRecord], field: str) -> None:
    for linked in records:
        if linked.center_id != center_id:
            raise ValidationError({field: ValidationError(gettext("このセンターの記録ではありません。"), code="other_center")})


def _check_links(record: CenterRecord, values: dict, m2m: dict) -> None:
    for field, value in {**values, **m2m}.items():
        items = list(value) if isinstance(value, list | tuple | set) else [value]
        if not items or not isinstance(items[0], Model):
            continue
        if isinstance(items[0], Organization) and field != "center":
            require_center_organizations(record.center_id, items, field)
        elif isinstance(items[0], CenterRecord):
            _linked_records_in_center(record.center_id, items, field)


def normalize_values(values: dict) -> dict:
    cleaned = {}
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
            if name in KANA_FIELDS:
                value = to_katakana_reading(value)
        cleaned[name] = value
    return cleaned


def save_record(record: CenterRecord, *, acting_user, perm: str, values: dict, m2m: dict | None = None,
          after_save=None) -> CenterRecord:
    """Assign, check scope on the new values, validate, save, set links, audit."""
    m2m = m2m or {}
    values = normalize_values(values)
    for name, value in values.items():
        setattr(record, name, value)
    if "center" in values and not isinstance(values["center"], Organization):
        raise ValidationError({"center": ValidationError(gettext("センターを指定してください。"), code="required")})
    require_permitted(acting_user, type(record), perm, record)
    _check_links(record, values, m2m)
    creating = record.pk is None
    if not creating:
        record.version += 1
    record.search_text = search_text_of(record)
    if hasattr(record, "MATCH_TEXT_FIELDS"):
        # Tokenized once here, so ranking thousands of candidates never runs Sudachi on rows.
        record.match_terms = matching_text.terms(*(getattr(record, name) for name in record.MATCH_TEXT_FIELDS))
    full_clean_read_links(record, exclude=["search_text"])
    record.save()
    for name, items in m2m.items():
        if creating:
            getattr(record, name).add(*items)  # a new record has no links to replace (set() would read them)
        else:
            getattr(record, name).set(items)
    if after_save is not None:
        after_save(record)
    audit_record(
        actor=acting_user, action=f"{record._meta.model_name}.{'create' if creating else 'update'}",
        target=record, organization=record.center,
        detail={"fields": sorted([*values, *m2m])},
    )
    outbox.record_changed(record, created=creating)
    return record


def locked_for_change(user, record: CenterRecord) -> CenterRecord:
    """The current row, locked, if the user may change it (403/404 otherwise)."""
    model = type(record)
    scoped = get_scoped_or_deny(user, model, "change", pk=record.pk)
    return model.objects.select_for_update().get(pk=scoped.pk)


@transaction.atomic
def record_delete(*, acting_user, record: CenterRecord) -> None:
    model = type(record)
    record = get_scoped_or_deny(acting_user, model, "delete", pk=record.pk)
    audit_record(
        actor=acting_user, action=f"{record._meta.model_name}.delete", target=record, organization=record.center
    )
    outbox.record_deleted(record)
    try:
        record.delete()
    except ProtectedError as error:
        raise ValidationError(gettext("他の記録から参照されているため削除できません。"), code="protected") from error


def split_m2m(values: dict, m2m_names: Iterable[str]) -> tuple[dict, dict]:
    m2m_names = set(m2m_names)
    return (
        {k: v for k, v in values.items() if k not in m2m_names},
        {k: v for k, v in values.items() if k in m2m_names},
    )


M2M_FIELDS: dict[type[CenterRecord], tuple[str, ...]] = {
    TalentVolunteer: ("activity_fields",),
    Event: ("activity_fields", "organizers", "participants", "produced_cases", "produced_groups"),
    CollaborationCase: ("activity_fields",),
    Need: ("activity_fields",),
    Offer: ("activity_fields",),
    Consultation: ("linked_organizations", "linked_cases"),
    StudyTour: ("activity_fields",),
    TourCase: (),
    TourLesson: ("cases",),
    DepartmentDesk: ("activity_fields",),
    MenuItem: ("activity_fields",),
    ProgrammeCall: ("exchange_meetings",),
    ProgrammeTheme: (),
    ProgrammeApplication: (),
}


def create_record(model: type[CenterRecord], *, acting_user, center: Organization, values: dict, after_save=None):
    plain, m2m = split_m2m(values, M2M_FIELDS[model])
    return save_record(model(), acting_user=acting_user, perm="add", values={"center": center, **plain}, m2m=m2m,
                 after_save=after_save)


def update_record(record: CenterRecord, *, acting_user, values: dict, after_save=None):
    record = locked_for_change(acting_user, record)
    plain, m2m = split_m2m(values, M2M_FIELDS[type(record)])
    return save_record(record, acting_user=acting_user, perm="change", values=plain, m2m=m2m, after_save=after_save)


def require_center_staff(acting_user, center_id: int) -> None:
    """Matching is the center's work (seed 002: the center sits in between); departments and groups only read."""
    if not holds(acting_user, CENTER_CHANGE, center_id):
        raise PermissionDenied("permission_denied")
