"""Writes on a center's loaded history: yearly counts by form (HistoricalFormCount) from its published
tables, replaced cell by cell and removed a 年度 at a time, each change audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from common.vocabulary import CollaborationForm, form_family
from permissions.audit import audit_record
from permissions.models import Organization

from ..models import HistoricalFormCount
from .pipeline import require_center_staff


def _validate(counts: dict[tuple[str, int], int], source: str) -> None:
    if not counts:
        raise ValidationError(gettext("読み込む件数がありません。"), code="empty")
    if len(source) > HistoricalFormCount._meta.get_field("source").max_length:
        raise ValidationError({"source": ValidationError(gettext("出典は200文字以内で入力してください。"), code="max_length")})
    for (form, year), count in counts.items():
        # Loaded figures are by form row: a track of 協働推進事業 would be counted twice by the table.
        if form not in CollaborationForm.values or form_family(form) != form:
            raise ValidationError(gettext("協働の形態「%(form)s」は読み込めません。") % {"form": form}, code="invalid_form")
        if not 1950 <= year <= 2100:
            raise ValidationError(gettext("%(year)s年度は読み込めません。") % {"year": year}, code="year_out_of_range")
        if not isinstance(count, int) or count < 0:
            raise ValidationError(gettext("件数は0以上の整数にしてください。"), code="invalid_count")


@transaction.atomic
def historical_counts_load(*, acting_user, center: Organization, counts: dict[tuple[str, int], int],
                           source: str = "") -> int:
    """Store the counts {(form, 年度): count}, replacing what was stored for those cells and leaving
    the other cells alone. Returns how many stored counts were replaced."""
    require_center_staff(acting_user, center.pk)
    source = source.strip()
    _validate(counts, source)
    years = sorted({year for _form, year in counts})
    stored = set(HistoricalFormCount.objects.filter(center=center, fiscal_year__in=years)
                 .values_list("form", "fiscal_year"))
    HistoricalFormCount.objects.bulk_create(
        [HistoricalFormCount(center=center, form=form, fiscal_year=year, count=count, source=source,
                             loaded_by=acting_user) for (form, year), count in sorted(counts.items())],
        update_conflicts=True, unique_fields=["center", "fiscal_year", "form"],
        update_fields=["count", "source", "loaded_by", "loaded_at"],
    )
    replaced = len(stored & set(counts))
    audit_record(actor=acting_user, action="historicalformcount.load", organization=center,
                 detail={"years": years, "cells": len(counts), "replaced": replaced, "total": sum(counts.values())})
    return replaced


@transaction.atomic
def historical_counts_delete_year(*, acting_user, center: Organization, fiscal_year: int) -> int:
    """Remove one 年度's loaded counts (the statistics then count that 年度 from the records)."""
    require_center_staff(acting_user, center.pk)
    deleted, _by_model = HistoricalFormCount.objects.filter(center=center, fiscal_year=fiscal_year).delete()
    if deleted:
        audit_record(actor=acting_user, action="historicalformcount.delete_year", organization=center,
                     detail={"year": fiscal_year, "cells": deleted})
    return deleted
