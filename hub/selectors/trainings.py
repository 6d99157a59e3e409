"""Trainings across centers as the hub counts them (研修・情報共有会議): per center and month, the
trainings a center opened, and the ones its staff registered for and attended (counts only)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sync.wire import trainings as wire

from ..models import Training, TrainingRegistration


@dataclass
class TrainingMonth:
    month: dt.date
    center: str
    opened: int = 0  # trainings this center opened (not cancelled)
    registered: int = 0  # trainings this center's staff registered for
    seats: int = 0
    attended: int = 0


def training_counts_by_month() -> list[TrainingMonth]:
    """Rows by month of the training (local time), latest first, then by center."""
    tz = timezone.get_current_timezone()
    rows: dict[tuple, TrainingMonth] = {}

    def row(month, center: str) -> TrainingMonth:
        month = month.date() if isinstance(month, dt.datetime) else month
        return rows.setdefault((month, center), TrainingMonth(month, center))

    for r in (Training.objects.exclude(status=wire.CANCELLED).annotate(month=TruncMonth("starts_at", tzinfo=tz))
              .values("month", "center_name").annotate(n=Count("id"))):
        row(r["month"], r["center_name"]).opened = r["n"]
    for r in (TrainingRegistration.objects.filter(seats__gt=0).exclude(training__status=wire.CANCELLED)
              .annotate(month=TruncMonth("training__starts_at", tzinfo=tz)).values("month", "center_name")
              .annotate(n=Count("id"), seats=Sum("seats"), attended=Sum("attended", filter=Q(attended__isnull=False)))):
        counted = row(r["month"], r["center_name"])
        counted.registered, counted.seats, counted.attended = r["n"], r["seats"] or 0, r["attended"] or 0
    by_month = defaultdict(list)
    for (month, _center), counted in rows.items():
        by_month[month].append(counted)
    return [counted for month in sorted(by_month, reverse=True)
            for counted in sorted(by_month[month], key=lambda c: c.center)]
