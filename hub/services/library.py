"""Study-tour collections (スタディツアー用の事例集) of the shared case library: coordinators pick
cases across centers and put them in the order a tour visits them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from permissions.audit import audit_record

from ..models import CaseCollection, CollectionCase, SharedCase
from .shared import actor


@transaction.atomic
def collection_create(*, acting_user, title: str, description: str = "") -> CaseCollection:
    collection = CaseCollection(title=title.strip(), description=description.strip(), created_by=actor(acting_user))
    collection.full_clean()
    collection.save()
    audit_record(actor=acting_user, action="hub.collection_create", target=collection)
    return collection


@transaction.atomic
def collection_update(*, acting_user, collection: CaseCollection, title: str, description: str = "") -> CaseCollection:
    collection = CaseCollection.objects.select_for_update().get(pk=collection.pk)
    collection.title, collection.description = title.strip(), description.strip()
    collection.full_clean()
    collection.save(update_fields=["title", "description", "updated_at"])
    audit_record(actor=acting_user, action="hub.collection_update", target=collection)
    return collection


@transaction.atomic
def collection_delete(*, acting_user, collection: CaseCollection) -> None:
    audit_record(actor=acting_user, action="hub.collection_delete", target=collection,
                 detail={"cases": collection.entries.count()})
    collection.delete()


@transaction.atomic
def collection_add_case(*, acting_user, collection: CaseCollection, case: SharedCase, note: str = "") -> CollectionCase:
    """Append a case at the end of a collection."""
    # The collection lock makes the next order number safe; the case lock keeps a retraction that
    # arrives meanwhile from leaving us a dangling entry (it waits, then cascades).
    collection = CaseCollection.objects.select_for_update().get(pk=collection.pk)
    if not SharedCase.objects.select_for_update().filter(pk=case.pk).exists():
        raise ValidationError({"case": ValidationError(gettext("この事例は取り下げられました。"), code="case_retracted")})
    if collection.entries.filter(case=case).exists():
        raise ValidationError({"collection": ValidationError(
            gettext("この事例はすでにこの事例集に入っています。"), code="already_in_collection")})
    if len(note) > 2000:
        raise ValidationError({"note": ValidationError(gettext("メモは2000字以内にしてください。"), code="max_length")})
    last = collection.entries.order_by("-order").values_list("order", flat=True).first() or 0
    entry = CollectionCase.objects.create(collection=collection, case=case, order=last + 1, note=note.strip())
    collection.save(update_fields=["updated_at"])
    audit_record(actor=acting_user, action="hub.collection_add_case", target=collection,
                 detail={"case": str(case.entity_uuid), "node": case.node_id})
    return entry


@transaction.atomic
def collection_remove_case(*, acting_user, collection: CaseCollection, case: SharedCase) -> bool:
    collection = CaseCollection.objects.select_for_update().get(pk=collection.pk)
    removed, _ = collection.entries.filter(case=case).delete()
    if removed:
        collection.save(update_fields=["updated_at"])
        audit_record(actor=acting_user, action="hub.collection_remove_case", target=collection,
                     detail={"case": str(case.entity_uuid), "node": case.node_id})
    return bool(removed)


@transaction.atomic
def collection_move_case(*, acting_user, collection: CaseCollection, case: SharedCase, offset: int) -> None:
    """Move a case earlier (offset < 0) or later in the tour; orders are renumbered 1..n."""
    collection = CaseCollection.objects.select_for_update().get(pk=collection.pk)
    entries = list(collection.entries.order_by("order", "id"))
    index = next((i for i, entry in enumerate(entries) if entry.case_id == case.pk), None)
    if index is None:
        return
    target = min(max(index + (1 if offset > 0 else -1), 0), len(entries) - 1)
    entries.insert(target, entries.pop(index))
    for order, entry in enumerate(entries, start=1):
        entry.order = order
    CollectionCase.objects.bulk_update(entries, ["order"])
    audit_record(actor=acting_user, action="hub.collection_move_case", target=collection,
                 detail={"case": str(case.entity_uuid), "position": target + 1})
