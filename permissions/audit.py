"""The append-only audit log's one writer. Selectors call it too: a read of personal data is audited
where it happens, so this lives apart from the services (selectors never import services)."""

from __future__ import annotations

from django.db.models import Model

from .models import AuditEvent, Organization


def audit_record(
    *, actor, action: str, target: Model | None = None, organization: Organization | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit row. `detail` carries field names and counts, never personal values."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        organization=organization,
        target_type=target._meta.label_lower if target is not None else "",
        target_uuid=getattr(target, "uuid", None),
        detail=detail or {},
    )
