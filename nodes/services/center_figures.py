"""A center's yearly targets and whether its form × 年度 counts are public programme figures."""

from __future__ import annotations

from django.db import transaction

from permissions.audit import audit_record
from permissions.models import Organization

from ..models import CenterFigures
from .pipeline import require_center_staff

FIGURE_FIELDS = ("consultation_target", "coordination_target", "form_counts_public")


@transaction.atomic
def center_figures_update(*, acting_user, center: Organization, **values) -> CenterFigures:
    """Staff set the targets (seed 004: 相談 480, コーディネート提案 36 a year) and the public flag.
    Marking the counts public changes what the hub may show unsuppressed, so it is audited."""
    require_center_staff(acting_user, center.pk)
    figures, _created = CenterFigures.objects.select_for_update().get_or_create(center=center)
    changed = sorted(name for name in FIGURE_FIELDS if name in values and getattr(figures, name) != values[name])
    for name in changed:
        setattr(figures, name, values[name])
    figures.full_clean()
    figures.save()
    if changed:
        audit_record(actor=acting_user, action="centerfigures.update", organization=center,
                     detail={"fields": changed, "form_counts_public": figures.form_counts_public})
    return figures

