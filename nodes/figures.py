"""A center's collaborations counted by form × 年度: from its case records and from the yearly counts
it loaded (HistoricalFormCount). The statistics page, its downloads and the aggregate the node sends
to the hub all read this one table."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from common.japanese import fiscal_year_of, wareki_fiscal_year_short
from common.vocabulary import KYODO_SUISHIN_FORMS, CollaborationForm, case_years, form_family

from .models import ApplicationStatus, CollaborationCase, EventStatus, HistoricalFormCount, ProgrammeCall

MAX_FORM_YEARS = 20  # a table wider than this is unreadable; the page offers a range instead

# Row order: the seed's table (共催 … 協働推進事業), then the forms it does not print.
FORM_ROW_ORDER = (
    CollaborationForm.KYOSAI, CollaborationForm.JIKKO_IINKAI, CollaborationForm.JIGYO_KYORYOKU,
    CollaborationForm.SHITEI_KANRI, CollaborationForm.ITAKU, CollaborationForm.KYODO_SUISHIN,
    CollaborationForm.HOJO, CollaborationForm.KOEN, CollaborationForm.CORPORATE, CollaborationForm.OTHER,
)
TRACK_ROWS = (CollaborationForm.KYODO_SUISHIN_GYOSEI, CollaborationForm.KYODO_SUISHIN_SHIMIN)


class Source:
    RECORDS = "records"
    HISTORY = "history"


@dataclass
class FormYearTable:
    """Counts by form row (協働推進事業 one row) × 年度, with where each 年度's figures come from."""

    years: list[int]
    rows: list[str]  # form rows that have a count in some 年度, in FORM_ROW_ORDER
    counts: dict[tuple[str, int], int] = field(default_factory=dict)
    sources: dict[int, str] = field(default_factory=dict)  # 年度 → Source
    # 協働推進事業 by track, from records only (loaded history does not know the track).
    tracks: dict[tuple[str, int], int] = field(default_factory=dict)

    def count(self, row: str, year: int) -> int:
        return self.counts.get((row, year), 0)

    def year_total(self, year: int) -> int:
        return sum(self.count(row, year) for row in self.rows)

    def row_total(self, row: str) -> int:
        return sum(self.count(row, year) for year in self.years)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def record_counts(center, *, today_fy: int | None = None) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], int]]:
    """(form row, 年度) → cases active that 年度, and (track form, 年度) → the same for 協働推進事業."""
    today_fy = today_fy or fiscal_year_of(timezone.localdate())
    counts: dict[tuple[str, int], int] = defaultdict(int)
    tracks: dict[tuple[str, int], int] = defaultdict(int)
    rows = CollaborationCase.objects.filter(center=center).values_list(
        "form", "fiscal_year_start", "fiscal_year_end", "outcome")
    for form, start, end, outcome in rows.iterator(chunk_size=2000):
        for year in case_years(start, end, outcome, today_fy=today_fy):
            counts[(form_family(form), year)] += 1
            if form in KYODO_SUISHIN_FORMS:
                tracks[(form, year)] += 1
    return dict(counts), dict(tracks)


def history_counts(center) -> dict[tuple[str, int], int]:
    # Summed: both tracks of 協働推進事業 (or a track and the total without one) loaded for one 年度
    # are one row, which a plain dict of (family, year) would have left at the last of them.
    counts: dict[tuple[str, int], int] = defaultdict(int)
    for form, year, count in HistoricalFormCount.objects.filter(center=center).values_list("form", "fiscal_year", "count"):
        counts[(form_family(form), year)] += count
    return dict(counts)


def form_year_table(center, *, first: int | None = None, last: int | None = None,
                    source: str | None = None) -> FormYearTable:
    """The table for first..last (default: every 年度 with a figure, the latest MAX_FORM_YEARS).

    A 年度 with loaded history takes its figures from it — the published table is the whole count of
    that year, of which the records kept are a part — unless `source` asks for one source only."""
    recorded, tracks = record_counts(center) if source != Source.HISTORY else ({}, {})
    loaded = history_counts(center) if source != Source.RECORDS else {}
    history_years = {year for _form, year in loaded}
    known_years = sorted(history_years | {year for (_form, year), n in recorded.items() if n})
    if first is None and last is None and known_years:
        last = known_years[-1]
        first = max(known_years[0], last - MAX_FORM_YEARS + 1)
    elif known_years or first is not None or last is not None:
        last = last if last is not None else (known_years[-1] if known_years else first)
        first = first if first is not None else max(known_years[0] if known_years else last, last - MAX_FORM_YEARS + 1)
    years = list(range(first, last + 1)) if first is not None else []
    table = FormYearTable(years=years, rows=[])
    for year in years:
        from_history = year in history_years
        table.sources[year] = Source.HISTORY if from_history else Source.RECORDS
        chosen = loaded if from_history else recorded
        for (row, y), n in chosen.items():
            if y == year and n:
                table.counts[(row, year)] = n
        if not from_history:
            for (track, y), n in tracks.items():
                if y == year and n:
                    table.tracks[(track, year)] = n
    present = {row for row, _year in table.counts}
    table.rows = [row for row in FORM_ROW_ORDER if row in present]
    return table


@dataclass
class LoadedYear:
    year: int
    label: str  # H24, R1: as the published tables head their columns
    cells: int
    total: int
    sources: list[str]
    loaded_at: dt.datetime
    loaded_by: object  # the user, or None once their account is gone


@dataclass
class LoadedHistory:
    """The loaded counts only, as the center's paper prints them: form rows × 年度 columns."""

    years: list[LoadedYear]
    rows: list[tuple[str, list[int | None]]]  # form label, count per 年度 (None: not loaded)


def loaded_history(center) -> LoadedHistory:
    loaded = list(HistoricalFormCount.objects.filter(center=center).select_related("loaded_by")
                  .order_by("fiscal_year", "loaded_at"))
    by_year: dict[int, list[HistoricalFormCount]] = defaultdict(list)
    for item in loaded:
        by_year[item.fiscal_year].append(item)
    years = [LoadedYear(year=year, label=wareki_fiscal_year_short(year), cells=len(items),
                        total=sum(i.count for i in items), sources=sorted({i.source for i in items if i.source}),
                        loaded_at=items[-1].loaded_at, loaded_by=items[-1].loaded_by)
             for year, items in sorted(by_year.items())]
    counts = {(item.form, item.fiscal_year): item.count for item in loaded}
    present = {form for form, _year in counts}
    order = [*FORM_ROW_ORDER, *(form for form in CollaborationForm.values if form not in FORM_ROW_ORDER)]
    rows = [(CollaborationForm(form).label, [counts.get((form, y.year)) for y in years])
            for form in order if form in present]
    return LoadedHistory(years=years, rows=rows)


CYCLE_ROWS = ("exchange_meetings", "applications", "adopted")


def with_cycle_counts(calls: QuerySet[ProgrammeCall]) -> QuerySet[ProgrammeCall]:
    """Each call with `meetings` (意見交換会 linked and not cancelled), `received` (every 申込: a
    withdrawn one was still received) and `adopted_count` (採択)."""
    return calls.annotate(
        meetings=Count("exchange_meetings", filter=~Q(exchange_meetings__status=EventStatus.CANCELLED), distinct=True),
        received=Count("applications", distinct=True),
        adopted_count=Count("applications", filter=Q(applications__status=ApplicationStatus.ADOPTED), distinct=True),
    )


def programme_cycle_counts(center, *, track: str | None = None) -> dict[int, dict[str, int]]:
    """募集年度 → 意見交換会 held (linked, not cancelled), 申込 received (a withdrawn one was still
    received) and 採択, over the center's calls (one track or both)."""
    calls = ProgrammeCall.objects.filter(center=center)
    if track:
        calls = calls.filter(track=track)
    counts: dict[int, dict[str, int]] = {}
    for call in with_cycle_counts(calls):
        year = counts.setdefault(call.fiscal_year, dict.fromkeys(CYCLE_ROWS, 0))
        year["exchange_meetings"] += call.meetings
        year["applications"] += call.received
        year["adopted"] += call.adopted_count
    return dict(sorted(counts.items()))
