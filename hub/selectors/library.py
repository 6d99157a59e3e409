"""The shared case library (協働事例ライブラリ): searching and filtering cases, the 年度 a case counts
in, and the study-tour collections."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from common import vocabulary
from common.japanese import fiscal_year_of
from common.replicas import read_alias
from common.search import search_ranked
from common.search_pages import SearchResults

from ..models import CaseCollection, CaseOutcome, CollectionCase, NodeCenter, SharedCase


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


def case_years(start: int, end: int | None, outcome: str, *, today_fy: int | None = None) -> range:
    return vocabulary.case_years(start, end, outcome, today_fy=today_fy or current_fiscal_year())


def in_fiscal_years(first: int, last: int) -> Q:
    """Cases active in any 年度 of first..last, by the same rule as `case_years`."""
    open_ended = Q(fiscal_year_end__isnull=True, fiscal_year_start__gte=first)
    if current_fiscal_year() >= first:
        open_ended |= Q(fiscal_year_end__isnull=True, outcome=CaseOutcome.ONGOING)
    return Q(fiscal_year_start__lte=last) & (Q(fiscal_year_end__gte=first) | open_ended)


def _filtered(*, form: str = "", field: int | None = None, center: NodeCenter | None = None,
              fiscal_year: int | None = None, outcome: str = "", level: str = "") -> QuerySet:
    cases = SharedCase.objects.using(read_alias()).select_related("center")
    if form:
        cases = cases.filter(form=form)
    if field:
        cases = cases.filter(field_index__contains=f",{int(field)},")
    if center is not None:
        cases = cases.filter(center=center)
    if fiscal_year:
        cases = cases.filter(in_fiscal_years(fiscal_year, fiscal_year))
    if outcome:
        cases = cases.filter(outcome=outcome)
    if level:
        cases = cases.filter(level=level)
    return cases.order_by("-fiscal_year_start", "title", "id")  # the index shared_case_library_order


def case_library(*, q: str = "", **filters) -> QuerySet:
    """Shared cases, searched in Japanese (every word, as a substring, a word or a word's reading,
    ignoring width and kana), filtered, and every match ranked: for a few cases (a page of a million
    is `case_library_results`)."""
    cases = _filtered(**filters)
    if not q:
        return cases
    # the exact phrase, then all words as written, then through readings, then trigram similarity
    return search_ranked(cases, q).order_by("-search_rank", "-search_similarity", *cases.query.order_by)


def case_library_results(*, q: str = "", **filters) -> SearchResults:
    """The library's page and API: the same ranking, counted up to a cap and paged tier by tier, so
    that a common word among a million cases answers at once (common.search_pages)."""
    return SearchResults(_filtered(**filters), q)


def case_index_lag() -> int:
    """Cases not yet in the word index (found meanwhile through the substring path only)."""
    return SharedCase.objects.filter(search_tokens__isnull=True).count()


def case_detail(pk: int) -> SharedCase | None:
    return SharedCase.objects.select_related("center", "node").filter(pk=pk).first()


def case_collection_entries(case: SharedCase) -> QuerySet:
    """The collections a case is in, for its page."""
    return CollectionCase.objects.filter(case=case).select_related("collection").order_by("collection__title")


def collections() -> QuerySet:
    return CaseCollection.objects.select_related("created_by").annotate(case_count=Count("entries"))


def collection_entries(collection: CaseCollection) -> QuerySet:
    return collection.entries.select_related("case", "case__center").order_by("order", "id")
