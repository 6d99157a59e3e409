"""Counting the reads of the shared library from the nodes: one counter per center, kind and day,
and one audit row per read."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from permissions.audit import audit_record

from ..models import LibraryRead, LibraryReadKind, Node, NodeCenter, SharedCase


@transaction.atomic
def library_read_record(*, node: Node, center: NodeCenter, kind: LibraryReadKind | str,
                        case: SharedCase | None = None) -> None:
    """Count one read by `center`'s staff. Two reads at once both count: the update adds in the
    database, and the one that loses the insert race adds to the row the other inserted."""
    day = timezone.localdate()
    counters = LibraryRead.objects.filter(center=center, kind=kind, day=day)
    if not counters.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                LibraryRead.objects.create(node=node, center=center, kind=kind, day=day, count=1)
        except IntegrityError:
            counters.update(count=F("count") + 1)
    detail = {"node": node.slug, "center": str(center.center_uuid), "kind": str(kind)}
    if case is not None:
        detail["case"] = str(case.entity_uuid)
    audit_record(actor=None, action="hub.library_read", detail=detail)
